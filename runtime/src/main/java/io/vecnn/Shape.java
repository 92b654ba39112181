package io.vecnn;

/** The shape of one image's feature map: channels, height, width (the batch size is not part of the graph). */
public record Shape(int channels, int height, int width) {

    public Shape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "shape dimensions must be positive: " + channels + "x" + height + "x" + width);
        }
    }

    public long size() {
        return (long) channels * height * width;
    }

    /** PyTorch's notation, channels first: {@code 3x224x224}. */
    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
