package io.vecnn.modelfile;

import io.vecnn.VecnnException;

import java.nio.file.Path;

/**
 * Reads a model file in a JVM of its own and reports the heap it takes:
 * {@code ModelReadProbe <file> [--claim-free-mb N]}. The claim replaces the heap estimate, so a test can
 * get past the check before the read and run out of heap during it. Exit 0 when read, 2 on a VecnnException.
 */
public final class ModelReadProbe {
    private ModelReadProbe() {}

    public static void main(String[] args) {
        Path path = Path.of(args[0]);
        HeapBudget budget = args.length > 2 && args[1].equals("--claim-free-mb")
                ? new HeapBudget(needed -> Long.parseLong(args[2]) << 20)
                : HeapBudget.JVM;
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        try {
            ModelFile model = ModelFileReader.read(path, budget);
            System.gc();
            long after = rt.totalMemory() - rt.freeMemory();
            long weightBytes = model.weights().values().stream()
                    .mapToLong(w -> 4L * w.data().length)
                    .sum();
            System.out.printf(
                    "read %d weights, %d MB of values; heap used %d MB before, %d MB after (max heap %d MB)%n",
                    model.weights().size(), weightBytes >> 20, before >> 20, after >> 20, rt.maxMemory() >> 20);
        } catch (VecnnException e) {
            System.out.println(e.getMessage());
            System.exit(2);
        }
    }
}
