package io.vecnn.kernels.generator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes every microkernel variant from its family's template ({@code runtime/src/main/kernel-templates}).
 * The variant list is the one place a shape is added or removed; the dispatch that picks a variant for the
 * register file is {@code Gemm.panelWidthFor} with {@code Gemm.rowsPerCall}, and
 * {@code Conv2dImplicitGemm.panelWidthFor}; {@code Conv2dRowVectors} has one variant. Regenerate after editing a template or this list:
 * <pre>mvn -pl runtime test -Dtest=GeneratedKernelsTest -Dvecnn.regenerate=true</pre>
 */
public final class MicroKernelGenerator {
    /** One generated class: {@code family}'s template at {@code mr} rows × {@code nv} vectors. */
    public record Variant(String family, int mr, int nv, String why) {
        public String className() {
            return family + mr + "x" + nv + "v";
        }

        /** Accumulators, B vectors and the broadcast. */
        int registers() {
            return mr * nv + nv + 1;
        }
    }

    public static final List<Variant> VARIANTS = List.of(
            new Variant(
                    "GemmMicroKernel",
                    6,
                    4,
                    "For 32-register files (AVX-512, NEON, SVE) and panels of 4V"
                            + " columns: 29 of 32 registers;\n * each k step does 24 FMAs for 4 vector loads and 6"
                            + " broadcasts, 0.42 loads per FMA where 8 × 2 vectors needs 0.63."),
            new Variant(
                    "GemmMicroKernel",
                    8,
                    2,
                    "For 32-register files and panels of 2V columns (widths that"
                            + " 4V panels would pad by more\n * than the 6x4V kernel's edge: 96, 160, 224 on AVX-512):"
                            + " 19 registers, still bound by the FMA units."),
            new Variant(
                    "GemmMicroKernel",
                    6,
                    2,
                    "For 16-register files (x86-64 without AVX-512): 15 of 16"
                            + " registers, the shape MLAS's and\n * XNNPACK's FMA3 kernels use. As an AVX2 JVM it ran about"
                            + " twice as fast as 6 x 4V (29 registers) and 8 x 2V\n * (19), which spill accumulators on"
                            + " every k step, and ahead of 5 x 2V and 4 x 2V, which load B more often per\n * FMA;"
                            + " 4 x 3V (16 of 16) left C2 no register and spilled as well."),
            new Variant(
                    "GemmMicroKernel",
                    12,
                    1,
                    "For outputs at most one vector wide (MobileNet's and EfficientNet's 16-channel"
                            + " projection at\n * 112x112 on AVX-512), where wider panels compute mostly padding:"
                            + " 14 registers, so any register file."),
            new Variant(
                    "GemmMicroKernel",
                    4,
                    4,
                    "The row tail of the 6x4V kernel (M mod 6 rows, in calls of 4, 2 and 1): 16 independent sums\n"
                            + " * keep both FMA pipes busy, where one row at a time loads 4 B vectors per 4 FMAs."),
            new Variant("GemmMicroKernel", 2, 4, "The row tail of the 6x4V kernel after the 4-row calls."),
            new Variant("GemmMicroKernel", 1, 4, "The row tail of the 6x4V kernel after the 4- and 2-row calls."),
            new Variant(
                    "GemmMicroKernel",
                    4,
                    2,
                    "The row tail of the kernels with 2V panels (8x2V, 6x2V), in calls of 4, 2 and 1 rows."),
            new Variant("GemmMicroKernel", 2, 2, "The row tail of the 2V kernels after the 4-row calls."),
            new Variant("GemmMicroKernel", 1, 2, "The row tail of the 2V kernels after the 4- and 2-row calls."),
            new Variant("GemmMicroKernel", 4, 1, "The row tail of the 12x1V kernel, in calls of 4, 2 and 1 rows."),
            new Variant("GemmMicroKernel", 2, 1, "The row tail of the 12x1V kernel after the 4-row calls."),
            new Variant("GemmMicroKernel", 1, 1, "The row tail of the 12x1V kernel after the 4- and 2-row calls."),
            new Variant("ImplicitConvMicroKernel", 6, 4, "For 32-register files: 29 of 32 registers."),
            new Variant(
                    "ImplicitConvMicroKernel",
                    6,
                    2,
                    "For 16-register files: 15 of 16 registers; 6 × 4V"
                            + " would spill. With 32, for\n * stems of at most 2V channels (Inception v3's 32 on AVX-512)."),
            new Variant(
                    "ImplicitConvMicroKernel",
                    6,
                    1,
                    "For stems of at most one vector of channels (LeNet-5's"
                            + " 6): wider panels would multiply\n * mostly zero columns."),
            new Variant(
                    "RowConvMicroKernel",
                    6,
                    2,
                    "6 channels fit LeNet-5's stem in one call; 15 registers fit AVX2's 16 as well as AVX-512's"
                            + " 32."));

    private MicroKernelGenerator() {}

    /** The source of one variant, expanded from its template under {@code templates}. */
    public static String source(Path templates, Variant v) throws IOException {
        String template = Files.readString(templates.resolve(v.family() + ".java.in"), StandardCharsets.UTF_8);
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("CLASS", v.className());
        vars.put("MR", Integer.toString(v.mr()));
        vars.put("NV", Integer.toString(v.nv()));
        vars.put("ACCUMULATORS", Integer.toString(v.mr() * v.nv()));
        vars.put("REGISTERS", Integer.toString(v.registers()));
        vars.put("WHY", v.why());
        return new KernelTemplate(template).expand(vars);
    }

    /** Writes every variant into {@code kernels} (the package folder); arguments: module directory. */
    public static void main(String[] args) throws IOException {
        Path module = Path.of(args.length > 0 ? args[0] : ".");
        write(module.resolve("src/main/kernel-templates"), module.resolve("src/main/java/io/vecnn/kernels"));
    }

    static void write(Path templates, Path kernels) throws IOException {
        for (Variant v : VARIANTS) {
            Files.writeString(kernels.resolve(v.className() + ".java"), source(templates, v), StandardCharsets.UTF_8);
        }
    }
}
