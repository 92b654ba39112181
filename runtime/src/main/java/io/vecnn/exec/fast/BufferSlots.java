package io.vecnn.exec.fast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Which feature maps of a plan share memory: a buffer is live from the first step that touches it to the last,
 * and buffers whose lives do not overlap take turns in one slot. With a buffer of its own for every value,
 * EfficientNet-B0's workspace was 37 MB at batch 1, so every layer wrote into memory no cache had seen
 * since the previous run; in slots, a layer's output lands where a map that just died was, mostly still in
 * cache. The network's output keeps its slot to the end (it is read after the last step); the input is the
 * caller's array and takes no slot. A step whose output may take the memory of a buffer it reads for the last
 * time ({@link Step#outputMayTake}: a residual added in a convolution's epilogue) gets that buffer's slot, so
 * the output is written where the residual is read instead of into a third map (ResNet-50's 56x56 bottleneck
 * ends write 3.2 MB each).
 *
 * @param slotOf    the slot of each buffer, -1 for the input
 * @param slotSizes floats per image of each slot: the largest buffer it holds
 */
record BufferSlots(int[] slotOf, long[] slotSizes) {

    static BufferSlots assign(List<Step> steps, long[] bufferSizes, int inputBuffer, int outputBuffer) {
        int n = bufferSizes.length;
        int[] first = new int[n];
        int[] last = new int[n];
        Arrays.fill(first, Integer.MAX_VALUE);
        Arrays.fill(last, -1);
        for (int s = 0; s < steps.size(); s++) {
            for (int b : steps.get(s).buffers()) {
                first[b] = Math.min(first[b], s);
                last[b] = Math.max(last[b], s);
            }
        }
        if (outputBuffer != inputBuffer) {
            first[outputBuffer] = Math.min(first[outputBuffer], steps.size());
            last[outputBuffer] = Integer.MAX_VALUE;
        }
        int[] takes = new int[n];
        Arrays.fill(takes, -1);
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            int donor = step.outputMayTake();
            int out = step.output();
            if (donor >= 0
                    && donor != inputBuffer
                    && donor != out
                    && first[donor] < s
                    && last[donor] == s
                    && first[out] == s) {
                takes[out] = donor;
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            if (b != inputBuffer) {
                order.add(b);
            }
        }
        order.sort(Comparator.comparingInt((Integer b) -> first[b]).thenComparingInt(b -> b));
        int[] slotOf = new int[n];
        slotOf[inputBuffer] = -1;
        List<Long> sizes = new ArrayList<>();
        List<Integer> busyUntil = new ArrayList<>();
        for (int b : order) {
            int slot = takes[b] >= 0 ? slotOf[takes[b]] : freeSlotFor(bufferSizes[b], first[b], sizes, busyUntil);
            if (slot < 0) {
                slot = sizes.size();
                sizes.add(bufferSizes[b]);
                busyUntil.add(last[b]);
            } else {
                sizes.set(slot, Math.max(sizes.get(slot), bufferSizes[b]));
                busyUntil.set(slot, last[b]);
            }
            slotOf[b] = slot;
        }
        return new BufferSlots(slotOf, sizes.stream().mapToLong(Long::longValue).toArray());
    }

    /**
     * A slot free before step {@code from}: of those that hold {@code size} floats, the one freed last (its
     * memory is the most likely still in cache), else the largest (which grows to it); -1 if none is free.
     */
    private static int freeSlotFor(long size, int from, List<Long> sizes, List<Integer> busyUntil) {
        int fitting = -1;
        int largest = -1;
        for (int s = 0; s < sizes.size(); s++) {
            if (busyUntil.get(s) >= from) {
                continue;
            }
            long have = sizes.get(s);
            if (have >= size && (fitting < 0 || busyUntil.get(s) > busyUntil.get(fitting))) {
                fitting = s;
            }
            if (largest < 0 || have > sizes.get(largest)) {
                largest = s;
            }
        }
        return fitting >= 0 ? fitting : largest;
    }
}
