package io.vecnn.kernels;

/**
 * The right-hand GEMM operand, packed once (at model load) into column panels of {@link #panelWidth()}:
 * panel {@code p} holds, for each {@code k}, the {@code panelWidth} values {@code W[p*NR + j][k]} back to back,
 * zero-padded past {@code n}. The microkernel then reads one contiguous stream per panel.
 *
 * @param k          the shared dimension
 * @param n          the output columns (output channels)
 * @param panelWidth NR, a whole number of vectors
 * @param data       {@code panels × k × panelWidth} values from {@code offset}
 * @param offset     where this matrix starts in {@code data}: several matrices may share one array
 */
public record PackedMatrix(int k, int n, int panelWidth, float[] data, int offset) {

    /** Packs {@code w}, row-major {@code [n][k]} starting at {@code offset} (a convolution's OHWI weight is exactly that). */
    public static PackedMatrix pack(float[] w, int offset, int n, int k, int panelWidth) {
        PackedMatrix packed = new PackedMatrix(k, n, panelWidth, new float[size(n, k, panelWidth)], 0);
        packed.fill(w, offset);
        return packed;
    }

    /**
     * Packs {@code count} matrices stored back to back in {@code w} (matrix i at {@code i·n·k}) into one array.
     * Winograd's 36 per-position matrices of a 512-channel layer are 1 MB each: as 36 arrays, the G1 collector
     * gives each a heap region of its own (2 MB in a 4 GB heap) and VGG16 held 150 MB more than its weights.
     */
    public static PackedMatrix[] packAll(float[] w, int count, int n, int k, int panelWidth) {
        int each = size(n, k, panelWidth);
        float[] data = new float[Math.multiplyExact(each, count)];
        PackedMatrix[] packed = new PackedMatrix[count];
        for (int i = 0; i < count; i++) {
            packed[i] = new PackedMatrix(k, n, panelWidth, data, i * each);
            packed[i].fill(w, i * n * k);
        }
        return packed;
    }

    private static int size(int n, int k, int panelWidth) {
        int panels = (n + panelWidth - 1) / panelWidth;
        return Math.multiplyExact(Math.multiplyExact(panels, k), panelWidth);
    }

    private void fill(float[] w, int from) {
        for (int p = 0; p < panels(); p++) {
            for (int kk = 0; kk < k; kk++) {
                int dst = panelOffset(p) + kk * panelWidth;
                for (int j = 0; j < panelWidth; j++) {
                    int col = p * panelWidth + j;
                    if (col < n) {
                        data[dst + j] = w[from + col * k + kk];
                    }
                }
            }
        }
    }

    /**
     * As {@link #pack} from offset 0, reusing {@code w} itself when {@code n} is a whole number of panels: panel
     * {@code p} is then rows {@code [p·NR, (p+1)·NR)} of {@code w} transposed, in the same place, so a model that
     * owns its file's arrays packs a 400 MB Linear weight without a second 400 MB. {@code w} is overwritten.
     */
    public static PackedMatrix packInPlace(float[] w, int n, int k, int panelWidth) {
        if (n % panelWidth != 0 || w.length != (long) n * k) {
            return pack(w, 0, n, k, panelWidth);
        }
        float[] rows = new float[panelWidth * k];
        for (int p = 0; p < n / panelWidth; p++) {
            int base = p * panelWidth * k;
            System.arraycopy(w, base, rows, 0, rows.length);
            for (int j = 0; j < panelWidth; j++) {
                for (int kk = 0; kk < k; kk++) {
                    w[base + kk * panelWidth + j] = rows[j * k + kk];
                }
            }
        }
        return new PackedMatrix(k, n, panelWidth, w, 0);
    }

    /** The inverse of {@link #pack}: writes the row-major {@code [n][k]} matrix back into {@code w} from {@code at}. */
    public void unpackInto(float[] w, int at) {
        for (int col = 0; col < n; col++) {
            int p = col / panelWidth;
            int j = col % panelWidth;
            for (int kk = 0; kk < k; kk++) {
                w[at + col * k + kk] = data[panelOffset(p) + kk * panelWidth + j];
            }
        }
    }

    public int panels() {
        return (n + panelWidth - 1) / panelWidth;
    }

    /** Offset of panel {@code p} in {@link #data()}. */
    public int panelOffset(int p) {
        return offset + p * k * panelWidth;
    }
}
