package io.vecnn.modelfile;

import io.vecnn.VecnnException;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A write interrupted part-way, in this JVM or by killing the writer's process, never leaves a partial model file. */
class AtomicWriteTest {
    @TempDir
    Path dir;

    /** Passes the given number of bytes through, then fails as a full disk would. */
    private static OutputStream failingAfter(OutputStream out, long bytes) {
        return new FilterOutputStream(out) {
            private long written;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (written + len > bytes) {
                    throw new IOException("injected failure after " + written + " bytes");
                }
                out.write(b, off, len);
                written += len;
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }
        };
    }

    private List<Path> partials() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".partial"))
                    .toList();
        }
    }

    @Test
    void failureMidWriteLeavesNoFileAndNoTemporary() throws IOException {
        Path target = dir.resolve("m.vnn");
        VecnnException e = failedWrite(target, 1);
        assertTrue(e.getMessage().contains("cannot write " + target + ": injected failure after"), e.getMessage());
        assertFalse(Files.exists(target));
        assertEquals(List.of(), partials());
    }

    @Test
    void failureMidWriteKeepsThePreviousFile() throws IOException {
        Path target = dir.resolve("m.vnn");
        SmallNets.tiny(1).write(target);
        byte[] previous = Files.readAllBytes(target);
        failedWrite(target, 2);
        assertArrayEquals(previous, Files.readAllBytes(target));
        assertEquals(List.of(), partials());
    }

    /** Writes SmallNets.tiny(seed) to {@code target} through a stream that fails after 3000 bytes. */
    private static VecnnException failedWrite(Path target, long seed) {
        return assertThrows(
                VecnnException.class,
                () -> AtomicWrite.write(target, SmallNets.tiny(seed).content(), out -> failingAfter(out, 3000)));
    }

    @Test
    void killedWriterLeavesThePreviousFileAndTheNextWriteRemovesItsTemporary() throws Exception {
        Path target = dir.resolve("m.vnn");
        SmallNets.tiny(1).write(target);
        byte[] previous = Files.readAllBytes(target);

        Process writer = ChildJvm.start("256m", WriteModelProbe.class, target.toString(), String.valueOf(8 << 20));
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("paused", out.readLine());
        }
        writer.destroyForcibly().waitFor();

        assertArrayEquals(previous, Files.readAllBytes(target));
        List<Path> stale = partials();
        assertEquals(1, stale.size(), stale.toString());
        String name = stale.get(0).getFileName().toString();
        assertTrue(name.startsWith(".m.vnn." + writer.pid() + "-"), name);
        assertTrue(Files.size(stale.get(0)) >= 8 << 20, "the child had written part of the model");

        ModelFile next = SmallNets.tiny(3);
        next.write(target);
        assertEquals(List.of(), partials());
        assertEquals(next.weights().keySet(), ModelFile.read(target).weights().keySet());
        assertArrayEquals(
                next.weights().get("fc.bias").data(),
                ModelFile.read(target).weights().get("fc.bias").data());
    }

    @Test
    void temporaryOfALiveWriterIsLeftAlone() throws IOException {
        Path target = dir.resolve("m.vnn");
        Path inProgress = Files.createFile(dir.resolve(
                AtomicWrite.tempName("m.vnn", ProcessHandle.current().pid())));
        Path otherTarget = Files.createFile(dir.resolve(AtomicWrite.tempName("other.vnn", Long.MAX_VALUE)));
        SmallNets.tiny(1).write(target);
        assertTrue(Files.exists(inProgress), "a live process's temporary is its work in progress");
        assertTrue(Files.exists(otherTarget), "only temporaries of the target being written are touched");
    }
}
