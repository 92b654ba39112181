package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.ReadProgress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The records of a zip written by torch.save or torch.jit.save. All records sit under one folder,
 * {@code archive/} in recent PyTorch and the file's stem in older versions, so the folder is taken from
 * where {@code data.pkl} (or a TorchScript 1.0 {@code model.json}) is. The zip is untrusted: entry names
 * that could escape a folder are refused, and record sizes come from the central directory and are
 * checked, together with how far deflated records would inflate, before anything is allocated.
 */
final class TorchZipArchive implements AutoCloseable {

    /** What wrote the archive. */
    enum Kind {
        TORCH_SAVE,
        TORCHSCRIPT,
        TORCHSCRIPT_V1
    }

    /** A state dict's pickle is a few bytes per tensor; hundreds of megabytes means a hostile file. */
    static final long MAX_PICKLE_BYTES = 256L << 20;

    static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 8;
    /** Weights barely compress; a deflated record above {@link #RATIO_FLOOR} inflating more than this is a bomb. */
    static final int MAX_RATIO = 100;

    static final long RATIO_FLOOR = 1L << 20;
    /** All deflated records together may inflate to this many times the file's size (or the floor below). */
    static final int MAX_TOTAL_INFLATION = 20;

    static final long TOTAL_INFLATION_FLOOR = 256L << 20;
    private static final int MAX_ENTRIES = 1_000_000;
    private static final int MAX_BYTEORDER_BYTES = 16;
    private static final int NAMES_IN_MESSAGE = 8;

    private final ZipFile zip;
    private final String prefix;
    private final Kind kind;
    private final ReadProgress progress;

    private TorchZipArchive(ZipFile zip, String prefix, Kind kind, ReadProgress progress) {
        this.zip = zip;
        this.prefix = prefix;
        this.kind = kind;
        this.progress = progress;
    }

    static TorchZipArchive open(Path file, ReadProgress progress) {
        ZipFile zip;
        long size;
        try {
            size = Files.size(file);
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw corrupt(file, e);
        } catch (IOException e) {
            throw new VecnnException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // ZipFile reports some malformed central directories (bad names, bad offsets) unchecked.
            throw new VecnnException("truncated or corrupt zip (" + e.getMessage() + "): " + file, e);
        }
        try {
            Layout layout = layout(file, zip, Math.max(TOTAL_INFLATION_FLOOR, size * MAX_TOTAL_INFLATION));
            return new TorchZipArchive(zip, layout.prefix(), layout.kind(), progress);
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e instanceof VecnnException
                    ? e
                    : new VecnnException("truncated or corrupt zip (" + e.getMessage() + "): " + file, e);
        }
    }

    private record Layout(String prefix, Kind kind) {}

    /**
     * Finds the folder holding data.pkl (or model.json) and what kind of archive it is, after checking every
     * entry's name and how far the deflated entries would inflate, singly and together.
     */
    private static Layout layout(Path file, ZipFile zip, long inflationLimit) {
        List<String> pickles = new ArrayList<>();
        List<String> modelJsons = new ArrayList<>();
        List<String> names = new ArrayList<>();
        long inflated = 0;
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry entry = entries.nextElement();
            String name = entry.getName();
            if (names.size() >= MAX_ENTRIES) {
                throw new VecnnException(file + " has more than " + MAX_ENTRIES + " zip entries");
            }
            checkName(file, name);
            inflated = checkInflation(file, entry, inflated, inflationLimit);
            names.add(name);
            if (name.equals("data.pkl") || name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - 9) {
                pickles.add(name);
            }
            if (name.equals("model.json") || name.endsWith("/model.json") && name.indexOf('/') == name.length() - 11) {
                modelJsons.add(name);
            }
        }
        if (pickles.isEmpty() && modelJsons.size() == 1) {
            String json = modelJsons.get(0);
            return new Layout(json.substring(0, json.length() - "model.json".length()), Kind.TORCHSCRIPT_V1);
        }
        if (pickles.isEmpty()) {
            throw new VecnnException(file + " is a zip file without a data.pkl record, so not a torch.save file"
                    + " (its first entries: "
                    + PickleGlobals.printable(
                            String.join(", ", names.subList(0, Math.min(NAMES_IN_MESSAGE, names.size()))))
                    + ")");
        }
        if (pickles.size() > 1) {
            throw new VecnnException(file + " holds several data.pkl records (" + String.join(", ", pickles)
                    + "); a torch.save file has one");
        }
        String pickle = pickles.get(0);
        String prefix = pickle.substring(0, pickle.length() - "data.pkl".length());
        boolean torchScript = false;
        for (String name : names) {
            torchScript |= name.equals(prefix + "constants.pkl") || name.startsWith(prefix + "code/");
        }
        return new Layout(prefix, torchScript ? Kind.TORCHSCRIPT : Kind.TORCH_SAVE);
    }

    /** Nothing is ever extracted to disk, but a name that would escape a folder only comes from a crafted zip. */
    private static void checkName(Path file, String name) {
        boolean escapes = name.startsWith("/")
                || name.contains("\\")
                || name.indexOf('\0') >= 0
                || name.length() >= 2 && name.charAt(1) == ':'
                || name.equals("..")
                || name.startsWith("../")
                || name.endsWith("/..")
                || name.contains("/../");
        if (escapes) {
            throw new VecnnException(file + ": zip entry '" + PickleGlobals.printable(name) + "' is an absolute path"
                    + " or climbs out of the archive with '..': refusing the file");
        }
    }

    Kind kind() {
        return kind;
    }

    /** The folder all records sit under, with its trailing slash ("" when they are at the top). */
    String prefix() {
        return prefix;
    }

    boolean has(String name) {
        return zip.getEntry(name) != null;
    }

    /** The size a record declares, or -1 when there is no such record or it declares none. */
    long declaredSize(String name) {
        ZipEntry entry = zip.getEntry(name);
        return entry == null ? -1 : entry.getSize();
    }

    /** The whole record, which may hold at most {@code maxBytes}. */
    byte[] record(String name, long maxBytes) {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new VecnnException("record '" + name + "' is missing");
        }
        return read(entry, checkedSize(entry, maxBytes));
    }

    /** A storage record, whole, in the given byte order. */
    ByteBuffer block(String name, ByteOrder order) {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new VecnnException("storage record '" + name + "' is missing");
        }
        return ByteBuffer.wrap(read(entry, checkedSize(entry, MAX_RECORD_BYTES)))
                .order(order);
    }

    /** The byteorder record's order; older writers wrote none, and wrote little-endian. */
    ByteOrder byteOrder() {
        String name = prefix + "byteorder";
        if (!has(name)) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String order = new String(record(name, MAX_BYTEORDER_BYTES), StandardCharsets.US_ASCII).trim();
        switch (order) {
            case "little":
                return ByteOrder.LITTLE_ENDIAN;
            case "big":
                return ByteOrder.BIG_ENDIAN;
            default:
                throw new VecnnException(
                        "record '" + name + "' says '" + PickleGlobals.printable(order) + "', not 'little' or 'big'");
        }
    }

    /**
     * Checks a deflated entry against zip bombs before anything is inflated: its own ratio, and the running
     * total of all deflated entries; returns the new total. Sizes are the central directory's, which are also
     * all that is ever read.
     */
    private static long checkInflation(Path file, ZipEntry entry, long inflated, long limit) {
        if (entry.getMethod() == ZipEntry.STORED) {
            return inflated;
        }
        long size = Math.max(0, entry.getSize());
        long compressed = Math.max(1, entry.getCompressedSize());
        if (size > RATIO_FLOOR && size / compressed >= MAX_RATIO) {
            throw new VecnnException(file + ": record '" + PickleGlobals.printable(entry.getName()) + "' would inflate"
                    + " from " + compressed + " to " + size + " bytes (" + size / compressed + ":1), more than the "
                    + MAX_RATIO + ":1 weights can compress: refusing a likely zip bomb");
        }
        if (size > limit - inflated) {
            throw new VecnnException(file + ": the deflated records would inflate to more than " + limit + " bytes, "
                    + MAX_TOTAL_INFLATION + " times the file's size, at record '"
                    + PickleGlobals.printable(entry.getName()) + "': refusing a likely zip bomb");
        }
        return inflated + size;
    }

    /** The record's declared size, checked against its limit. */
    private static long checkedSize(ZipEntry entry, long max) {
        long size = entry.getSize();
        if (size < 0) {
            throw new VecnnException("record '" + entry.getName() + "' declares no size");
        }
        if (size > max) {
            throw new VecnnException("record '" + entry.getName() + "' declares " + size + " bytes, more than the "
                    + max + " it can sensibly hold");
        }
        return size;
    }

    /** Reads the first n bytes of a record; readNBytes grows its buffer as data arrives, so a lying size costs nothing. */
    private byte[] read(ZipEntry entry, long n) {
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) n);
            progress.advance(entry.getCompressedSize() > 0 ? entry.getCompressedSize() : bytes.length);
            if (bytes.length < n) {
                throw new VecnnException("record '" + entry.getName() + "' is cut short: " + bytes.length + " of " + n
                        + " bytes (truncated or corrupt zip)");
            }
            return bytes;
        } catch (IOException e) {
            throw new VecnnException(
                    "cannot read record '" + entry.getName() + "': " + e.getMessage() + " (truncated or corrupt zip)",
                    e);
        }
    }

    private static VecnnException corrupt(Path file, ZipException e) {
        String why = e.getMessage() != null && e.getMessage().contains("END header")
                ? "no central directory"
                : String.valueOf(e.getMessage());
        return new VecnnException("truncated or corrupt zip (" + why + "): " + file, e);
    }

    @Override
    public void close() {
        closeQuietly(zip);
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException e) {
            // Closing a file opened for reading loses nothing; the read's own outcome is what matters.
        }
    }
}
