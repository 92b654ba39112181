package io.vecnn.image;

import io.vecnn.ImageNetClasses;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ImageNetClassesTest {

    @Test
    void thousandNamesInTorchvisionsOrder() {
        List<String> names = ImageNetClasses.names();
        assertEquals(1000, names.size());
        assertEquals("tench", names.get(0));
        assertEquals("Samoyed", names.get(258));
        assertEquals("toilet tissue", names.get(999));
        assertEquals(1000, new HashSet<>(names).size(), "torchvision's names are all distinct");
        assertSame(names, ImageNetClasses.names());
        assertThrows(UnsupportedOperationException.class, () -> names.set(0, "carp"));
    }
}
