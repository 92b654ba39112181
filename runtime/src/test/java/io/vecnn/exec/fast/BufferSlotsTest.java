package io.vecnn.exec.fast;

import io.vecnn.exec.parallel.Team;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Slot sharing against the lives of the buffers, computed here from the steps independently. */
class BufferSlotsTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(17);

    /**
     * A step that only names its buffers, the last one its output; with {@code donor} ≥ 0 the output may take
     * that buffer's memory, as a residual convolution's does.
     */
    private record Touching(int donor, int[] buffers) implements Step {
        static Touching of(int... buffers) {
            return new Touching(-1, buffers);
        }

        static Touching taking(int donor, int... buffers) {
            return new Touching(donor, buffers);
        }

        @Override
        public void run(float[][] buffers, float[] scratch, int batch, Team team) {}

        @Override
        public int output() {
            return buffers[buffers.length - 1];
        }

        @Override
        public int outputMayTake() {
            return donor;
        }

        @Override
        public String describe() {
            return "touches " + java.util.Arrays.toString(buffers) + (donor >= 0 ? ", output may take " + donor : "");
        }
    }

    @Test
    void anOutputTakesTheSlotOfAResidualReadForTheLastTime() {
        // 1 = conv(0); 2 = conv(1); 3 = conv(2) + 1: buffer 1 dies at the last step, 3 may write over it.
        List<Step> steps = List.of(Touching.of(0, 1), Touching.of(1, 2), Touching.taking(1, 2, 1, 3));
        BufferSlots slots = BufferSlots.assign(steps, new long[] {8, 8, 8, 8}, 0, 3);
        assertEquals(slots.slotOf()[1], slots.slotOf()[3]);
        assertEquals(2, slots.slotSizes().length);
    }

    @Test
    void aResidualReadAgainLaterKeepsItsMemory() {
        // As above, but buffer 1 is read once more after the residual step: 3 must not write over it.
        List<Step> steps =
                List.of(Touching.of(0, 1), Touching.of(1, 2), Touching.taking(1, 2, 1, 3), Touching.of(1, 3, 4));
        BufferSlots slots = BufferSlots.assign(steps, new long[] {8, 8, 8, 8, 8}, 0, 4);
        assertNotEquals(slots.slotOf()[1], slots.slotOf()[3]);
    }

    @Test
    void theNetworkInputIsNeverWrittenOver() {
        // 1 = conv(0) + 0 with the input 0 as residual: the input is the caller's array, not a slot to take.
        List<Step> steps = List.of(Touching.taking(0, 0, 1));
        BufferSlots slots = BufferSlots.assign(steps, new long[] {8, 8}, 0, 1);
        assertEquals(-1, slots.slotOf()[0]);
        assertEquals(0, slots.slotOf()[1]);
    }

    @Test
    void aChainReusesTheSlotOfAMapThatDied() {
        // 0 -> 1 -> 2 -> 3 -> 4: buffer 3 may take 1's slot, 4 may take 2's.
        List<Step> steps = List.of(Touching.of(0, 1), Touching.of(1, 2), Touching.of(2, 3), Touching.of(3, 4));
        BufferSlots slots = BufferSlots.assign(steps, new long[] {10, 10, 10, 10, 10}, 0, 4);
        assertEquals(-1, slots.slotOf()[0], "the input is the caller's array");
        assertEquals(2, slots.slotSizes().length, "two slots alternate along a chain");
        assertEquals(slots.slotOf()[1], slots.slotOf()[3]);
        assertEquals(slots.slotOf()[2], slots.slotOf()[4]);
    }

    @Test
    void theOutputIsNeverOverwrittenByALaterStep() {
        // Buffer 2 is the output but written at step 1; buffer 3 lives after it and must not take its slot.
        List<Step> steps = List.of(Touching.of(0, 1), Touching.of(1, 2), Touching.of(0, 3), Touching.of(3, 1));
        BufferSlots slots = BufferSlots.assign(steps, new long[] {4, 4, 4, 4}, 0, 2);
        assertNotEquals(slots.slotOf()[2], slots.slotOf()[3]);
        assertNotEquals(slots.slotOf()[2], slots.slotOf()[1]);
    }

    @RepeatedTest(50)
    void buffersAliveAtTheSameStepNeverShareAndEverySlotHoldsItsBuffers() {
        SplittableRandom r = SEEDS.split();
        int buffers = 2 + r.nextInt(12);
        long[] sizes = new long[buffers];
        for (int b = 0; b < buffers; b++) {
            sizes[b] = 1 + r.nextInt(100);
        }
        List<Step> steps = new ArrayList<>();
        for (int s = 0, n = 1 + r.nextInt(15); s < n; s++) {
            int[] touched = new int[1 + r.nextInt(3)];
            for (int i = 0; i < touched.length; i++) {
                touched[i] = r.nextInt(buffers);
            }
            // Some steps offer their output a buffer they read; only one read there for the last time may be
            // taken, which the check below allows as the one overlap of lives.
            steps.add(r.nextInt(3) == 0 ? Touching.taking(touched[0], touched) : Touching.of(touched));
        }
        int input = r.nextInt(buffers);
        int output = r.nextInt(buffers);
        BufferSlots slots = BufferSlots.assign(steps, sizes, input, output);

        int[] first = new int[buffers];
        int[] last = new int[buffers];
        java.util.Arrays.fill(first, Integer.MAX_VALUE);
        java.util.Arrays.fill(last, -1);
        for (int s = 0; s < steps.size(); s++) {
            for (int b : steps.get(s).buffers()) {
                first[b] = Math.min(first[b], s);
                last[b] = Math.max(last[b], s);
            }
        }
        if (output != input) {
            first[output] = Math.min(first[output], steps.size());
            last[output] = steps.size();
        }
        for (int a = 0; a < buffers; a++) {
            if (a == input) {
                assertEquals(-1, slots.slotOf()[a]);
                continue;
            }
            assertTrue(slots.slotSizes()[slots.slotOf()[a]] >= sizes[a], "slot smaller than buffer " + a);
            for (int b = a + 1; b < buffers; b++) {
                boolean overlap = b != input && first[a] <= last[b] && first[b] <= last[a];
                if (overlap && !handedOver(steps, a, b, first, last) && !handedOver(steps, b, a, first, last)) {
                    assertNotEquals(
                            slots.slotOf()[a],
                            slots.slotOf()[b],
                            "buffers " + a + " and " + b + " live together in " + steps);
                }
            }
        }
    }

    /** Whether buffer {@code to} is written by the step that reads {@code from} for the last time, offered to it. */
    private static boolean handedOver(List<Step> steps, int from, int to, int[] first, int[] last) {
        int s = last[from];
        return s >= 0
                && s < steps.size()
                && first[to] == s
                && first[from] < s
                && steps.get(s).output() == to
                && steps.get(s).outputMayTake() == from;
    }
}
