package io.vecnn.tools;

import io.vecnn.Classification;
import io.vecnn.InputSpec;
import io.vecnn.Model;
import io.vecnn.VecnnException;
import io.vecnn.image.ImageDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(
        name = "classify",
        description = "Classify JPEG or PNG images: decode, preprocess as torchvision's "
                + "published weights expect, run, and print the top-k labels with their probabilities.")
final class ClassifyCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "the model file (.vnn)")
    Path modelPath;

    @Option(names = "--top", defaultValue = "5", description = "how many classes to print per image (default 5)")
    int top;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "JPEG or PNG files")
    List<Path> images;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new VecnnException("--top must be at least 1, got " + top);
        }
        List<String> failed = new ArrayList<>();
        try (Model model = Model.load(modelPath)) {
            InputSpec spec = model.inputSpec();
            float[] input = new float[spec.preprocessing().length()];
            for (Path image : images) {
                List<Classification> best;
                try {
                    spec.preprocessing().writeNchw(ImageDecoder.decode(read(image)), input, 0);
                    best = model.classify(input, 1, top).get(0);
                } catch (VecnnException e) {
                    // One bad file must not hide the answers for the others: name it, go on, fail at the end.
                    System.err.println(image + ": " + e.getMessage());
                    failed.add(image.toString());
                    continue;
                }
                System.out.println(image + ":");
                for (Classification c : best) {
                    System.out.printf("  %-32s %5d  %.4f%n", c.label(), c.index(), c.probability());
                }
            }
        }
        if (!failed.isEmpty()) {
            System.err.println("vecnn classify: " + failed.size() + " of " + images.size()
                    + " images could not be classified: " + String.join(", ", failed));
            return 1;
        }
        return 0;
    }

    private static byte[] read(Path image) {
        try {
            return Files.readAllBytes(image);
        } catch (NoSuchFileException e) {
            throw new VecnnException("image not found: " + image);
        } catch (IOException e) {
            throw new VecnnException("cannot read " + image + ": " + e.getMessage(), e);
        }
    }
}
