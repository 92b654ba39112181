package io.vecnn.bench.report;

import io.vecnn.exec.fast.CpuIdentity;
import io.vecnn.kernels.VectorIsa;
import jdk.incubator.vector.FloatVector;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The machine and JVM a bench ran on: results are only comparable with these beside them. {@code cpuModel}
 * carries the x86 family and model numbers ({@link CpuIdentity}), since a VM may name several CPU
 * generations alike. The vector width
 * and register count are what the JVM gives VecNN's kernels, not what the CPU has: an AVX-512 machine run
 * with {@code -XX:UseAVX=2} (listed in {@code jvmVectorFlags}) plans with 256-bit vectors and 16 registers.
 */
public record MachineInfo(
        String os,
        String arch,
        String cpuModel,
        List<String> cpuFlags,
        int availableProcessors,
        long memoryBytes,
        String jdk,
        String jvm,
        String vectorSpecies,
        int vectorBits,
        int vectorRegisters,
        List<String> jvmVectorFlags) {

    /** The SIMD flags that decide which kernels are fast; the full list is hundreds of entries. */
    private static final List<String> RELEVANT_FLAGS = List.of(
            "sse4_2",
            "avx",
            "avx2",
            "fma",
            "avx512f",
            "avx512bw",
            "avx512vl",
            "avx512_vnni",
            "avx512_bf16",
            "amx_tile");

    public static MachineInfo current() {
        List<String> flags = List.of();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (flags.isEmpty() && line.startsWith("flags")) {
                    List<String> all = Arrays.asList(
                            line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                    flags = RELEVANT_FLAGS.stream().filter(all::contains).toList();
                }
            }
        } catch (IOException e) {
            // Not Linux: the CPU is described by os and arch alone.
        }
        long memory =
                ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                        ? os.getTotalMemorySize()
                        : 0;
        return new MachineInfo(
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                CpuIdentity.current().describe(),
                flags,
                Runtime.getRuntime().availableProcessors(),
                memory,
                System.getProperty("java.vendor") + " " + Runtime.version(),
                System.getProperty("java.vm.name"),
                FloatVector.SPECIES_PREFERRED.toString(),
                FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                VectorIsa.REGISTERS,
                ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                        .filter(a -> a.startsWith("-XX:UseAVX")
                                || a.startsWith("-XX:MaxVectorSize")
                                || a.startsWith("-Dvecnn.vector"))
                        .toList());
    }

    /**
     * One line for tables and charts, e.g. "AMD EPYC (family 25, model 17), 2 cores, AVX-512; VecNN's kernels: 256-bit vectors x 16
     * registers (-XX:UseAVX=2); Eclipse Adoptium 25.0.1+8-LTS".
     */
    public String summary() {
        String flags = jvmVectorFlags.isEmpty() ? "" : " (" + String.join(" ", jvmVectorFlags) + ")";
        String isa = cpuFlags.contains("avx512f") ? "AVX-512" : cpuFlags.contains("avx2") ? "AVX2" : arch;
        return String.format(
                Locale.ROOT,
                "%s, %d cores, %s; VecNN's kernels: %d-bit vectors x %d registers%s; %s",
                cpuModel == null ? arch : cpuModel,
                availableProcessors,
                isa,
                vectorBits,
                vectorRegisters,
                flags,
                jdk);
    }
}
