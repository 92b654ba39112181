package io.vecnn.tools;

import io.vecnn.Shape;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --input-size 3x250x250}: channels, height, width, as PyTorch orders them. */
public final class InputSizeConverter implements ITypeConverter<Shape> {
    @Override
    public Shape convert(String value) {
        String[] parts = value.split("x", -1);
        if (parts.length == 3) {
            try {
                int c = Integer.parseInt(parts[0]);
                int h = Integer.parseInt(parts[1]);
                int w = Integer.parseInt(parts[2]);
                if (c > 0 && h > 0 && w > 0) {
                    return new Shape(c, h, w);
                }
            } catch (NumberFormatException e) {
                // reported below, with the expected form
            }
        }
        throw new TypeConversionException("'" + value + "' is not CxHxW with positive numbers, e.g. 3x224x224");
    }
}
