package io.vecnn.kernels;

/**
 * The right-hand GEMM operand, packed once (at model load) into column panels of {@link #panelWidth()}:
 * panel {@code p} holds, for each {@code k}, the {@code panelWidth} values {@code W[p*NR + j][k]} back to back,
 * zero-padded past {@code n}. The microkernel then reads one contiguous stream per panel.
 *
 * @param k          the shared dimension
 * @param n          the output columns (output channels)
 * @param panelWidth NR, a whole number of vectors
 * @param data       {@code panels × k × panelWidth} values
 */
public record PackedMatrix(int k, int n, int panelWidth, float[] data) {

    /** Packs {@code w}, row-major {@code [n][k]} starting at {@code offset} (a convolution's OHWI weight is exactly that). */
    public static PackedMatrix pack(float[] w, int offset, int n, int k, int panelWidth) {
        int panels = (n + panelWidth - 1) / panelWidth;
        float[] data = new float[Math.multiplyExact(Math.multiplyExact(panels, k), panelWidth)];
        for (int p = 0; p < panels; p++) {
            for (int kk = 0; kk < k; kk++) {
                int dst = (p * k + kk) * panelWidth;
                for (int j = 0; j < panelWidth; j++) {
                    int col = p * panelWidth + j;
                    if (col < n) {
                        data[dst + j] = w[offset + col * k + kk];
                    }
                }
            }
        }
        return new PackedMatrix(k, n, panelWidth, data);
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
        return new PackedMatrix(k, n, panelWidth, w);
    }

    /** The inverse of {@link #pack}: writes the row-major {@code [n][k]} matrix back into {@code w} from {@code offset}. */
    public void unpackInto(float[] w, int offset) {
        for (int col = 0; col < n; col++) {
            int p = col / panelWidth;
            int j = col % panelWidth;
            for (int kk = 0; kk < k; kk++) {
                w[offset + col * k + kk] = data[(p * k + kk) * panelWidth + j];
            }
        }
    }

    public int panels() {
        return (n + panelWidth - 1) / panelWidth;
    }

    /** Offset of panel {@code p} in {@link #data()}. */
    public int panelOffset(int p) {
        return p * k * panelWidth;
    }
}
