package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The vector machine this JVM gives the kernels: the preferred species and how many vector registers a
 * microkernel may keep live. The register count decides the microkernel shapes ({@link Gemm#panelWidthFor},
 * {@link Conv2dImplicitGemm}): x86-64 has 16 vector registers unless the JVM uses AVX-512's EVEX encoding
 * ({@code UseAVX=3}), which adds 16 more; AArch64's NEON and SVE have 32. A kernel that needs more than the
 * file holds makes C2 spill accumulators to the stack on every step of its loop.
 *
 * <p>{@code -Dvecnn.vector.registers=16|32} overrides the detection (for experiments; the tuning cache keys
 * on {@link #describe()}).
 */
public final class VectorIsa {
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    public static final int LANES = SPECIES.length();
    /** Vector registers available to one microkernel: 16 or 32. */
    public static final int REGISTERS = registers();

    private VectorIsa() {}

    /** True where the register file holds 32 vectors (AVX-512, NEON, SVE): the wide microkernels fit. */
    public static boolean wideRegisterFile() {
        return REGISTERS >= 32;
    }

    /** For reports and cache keys, e.g. {@code "256-bit x 16 registers"}. */
    public static String describe() {
        return SPECIES.vectorBitSize() + "-bit x " + REGISTERS + " registers";
    }

    private static int registers() {
        String forced = System.getProperty("vecnn.vector.registers");
        if (forced != null) {
            int n = Integer.parseInt(forced.trim());
            if (n != 16 && n != 32) {
                throw new IllegalArgumentException("vecnn.vector.registers must be 16 or 32, got " + forced);
            }
            return n;
        }
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            return 32;
        }
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            Integer useAvx = hotSpotUseAvx();
            if (useAvx != null) {
                return useAvx >= 3 ? 32 : 16;
            }
        }
        // No way to ask: 512-bit vectors come with 32 registers on every ISA that has them.
        return SPECIES.vectorBitSize() >= 512 ? 32 : 16;
    }

    /** HotSpot's UseAVX level (3 = EVEX, 32 registers), or null on a JVM that does not say. */
    private static Integer hotSpotUseAvx() {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null
                    ? null
                    : Integer.valueOf(bean.getVMOption("UseAVX").getValue());
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
