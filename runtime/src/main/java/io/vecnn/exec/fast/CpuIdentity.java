package io.vecnn.exec.fast;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which CPU this is, as far as kernel choices care: the model name, and on x86 the family and model numbers
 * from {@code /proc/cpuinfo}. Cloud VMs often report only a marketing name ("AMD EPYC") for several
 * generations (Zen 1 with AVX2 only, Zen 4 and Zen 5 with AVX-512 at different widths of the FMA units), so
 * the numbers are what tells them apart.
 *
 * @param name   the model name, or the JVM's {@code os.arch} where there is no {@code /proc/cpuinfo}
 * @param family the x86 family number, or -1 when unknown
 * @param model  the x86 model number, or -1 when unknown
 */
public record CpuIdentity(String name, int family, int model) {
    private static final CpuIdentity CURRENT = read(Path.of("/proc/cpuinfo"));

    /** This machine's CPU, read once. */
    public static CpuIdentity current() {
        return CURRENT;
    }

    /** The first processor's entry in a {@code /proc/cpuinfo} file; the unknown parts stay unknown. */
    static CpuIdentity read(Path cpuinfo) {
        String name = System.getProperty("os.arch");
        int family = -1;
        int model = -1;
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.isBlank()) {
                    break;
                }
                String value = line.substring(line.indexOf(':') + 1).trim();
                String key = line.substring(0, Math.max(0, line.indexOf(':'))).trim();
                switch (key) {
                    case "model name" -> name = value;
                    case "cpu family" -> family = parse(value);
                    case "model" -> model = parse(value);
                    default -> {}
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: the architecture name stands in for the CPU model.
        }
        return new CpuIdentity(name, family, model);
    }

    private static int parse(String number) {
        try {
            return Integer.parseInt(number);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** "AMD EPYC (family 26, model 2)", or the name alone when the numbers are unknown. */
    public String describe() {
        return family < 0 ? name : name + " (family " + family + ", model " + model + ")";
    }
}
