package io.vecnn;

import java.util.ArrayList;
import java.util.List;

/**
 * One of the top-k answers for an image: the class name, its index in the model's output and the softmax
 * probability over all classes.
 */
public record Classification(String label, int index, float probability) {

    /**
     * The {@code k} most probable classes of one image, most probable first (ties: lower index first).
     *
     * @param logits  the model's output for a batch
     * @param offset  where this image's logits start
     * @param classes how many logits an image has
     * @param labels  class names; an index without a name is labelled by its number
     */
    public static List<Classification> topK(float[] logits, int offset, int classes, int k, List<String> labels) {
        if (k <= 0) {
            throw new VecnnException("top-k needs k ≥ 1, got " + k);
        }
        // Softmax with the maximum subtracted, in double, as PyTorch's softmax is stable for any logits.
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < classes; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < classes; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        int n = Math.min(k, classes);
        int[] best = new int[n];
        int found = 0;
        for (int i = 0; i < classes; i++) {
            float v = logits[offset + i];
            int at = found;
            while (at > 0 && ranksAbove(v, logits[offset + best[at - 1]])) {
                at--;
            }
            if (at < n) {
                System.arraycopy(best, at, best, at + 1, Math.min(found, n - 1) - at);
                best[at] = i;
                found = Math.min(found + 1, n);
            }
        }
        List<Classification> top = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = best[i];
            String label = index < labels.size() ? labels.get(index) : String.valueOf(index);
            top.add(new Classification(label, index, (float) (Math.exp(logits[offset + index] - max) / sum)));
        }
        return List.copyOf(top);
    }

    /** NaN ranks below every number, so a broken logit never displaces a real answer. */
    private static boolean ranksAbove(float v, float other) {
        return !Float.isNaN(v) && (Float.isNaN(other) || v > other);
    }
}
