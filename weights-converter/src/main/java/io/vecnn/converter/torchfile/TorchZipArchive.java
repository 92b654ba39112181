package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The records of a torch.save zip. All records sit under one folder, {@code archive/} in recent
 * PyTorch and the file's stem in older versions, so the folder is taken from where {@code data.pkl} is.
 * Record sizes come from the central directory and are checked before anything is allocated.
 */
final class TorchZipArchive implements AutoCloseable {
    /** A state dict's pickle is a few bytes per tensor; hundreds of megabytes means a hostile file. */
    private static final long MAX_PICKLE_BYTES = 256L << 20;
    private static final int MAX_BYTEORDER_BYTES = 16;
    private static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 8;
    private static final int NAMES_IN_MESSAGE = 8;

    private final ZipFile zip;
    private final String prefix;

    private TorchZipArchive(ZipFile zip, String prefix) {
        this.zip = zip;
        this.prefix = prefix;
    }

    static TorchZipArchive open(Path file) {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw corrupt(file, e);
        } catch (IOException e) {
            throw new VecnnException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return new TorchZipArchive(zip, pickleFolder(file, zip));
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    /** The folder holding data.pkl, with its trailing slash ("" when data.pkl is at the top). */
    private static String pickleFolder(Path file, ZipFile zip) {
        List<String> pickles = new ArrayList<>();
        List<String> names = new ArrayList<>();
        boolean torchScript = false;
        boolean torchScriptV1 = false;
        boolean quantized = false;
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (names.size() < NAMES_IN_MESSAGE) {
                names.add(name);
            }
            if (name.equals("data.pkl") || name.endsWith("/data.pkl")) {
                pickles.add(name);
            }
            boolean code = name.startsWith("code/") || name.contains("/code/");
            torchScript |= code || name.equals("constants.pkl") || name.endsWith("/constants.pkl");
            torchScriptV1 |= name.equals("model.json") || name.endsWith("/model.json");
            quantized |= code && name.contains("quantized");
        }
        if (torchScript || torchScriptV1) {
            String kind = torchScriptV1 ? "a TorchScript archive in the PyTorch 1.0 format (model.json)"
                    : "a TorchScript archive (torch.jit.save)";
            throw new VecnnException(file + " is " + kind + (quantized ? " of a quantized model" : "")
                    + ": reading TorchScript is not supported yet; load it in Python and save"
                    + " model.state_dict() with torch.save");
        }
        if (pickles.isEmpty()) {
            throw new VecnnException(file + " is a zip file without a data.pkl record, so not a torch.save file"
                    + " (its first entries: " + String.join(", ", names) + ")");
        }
        if (pickles.size() > 1) {
            throw new VecnnException(file + " holds several data.pkl records (" + String.join(", ", pickles)
                    + "); a torch.save file has one");
        }
        String pickle = pickles.get(0);
        return pickle.substring(0, pickle.length() - "data.pkl".length());
    }

    String pickleName() {
        return prefix + "data.pkl";
    }

    byte[] pickle() {
        ZipEntry entry = zip.getEntry(pickleName());
        return read(entry, declaredSize(entry, MAX_PICKLE_BYTES));
    }

    /** The byteorder record's order; older writers wrote none, and wrote little-endian. */
    ByteOrder byteOrder() {
        ZipEntry entry = zip.getEntry(prefix + "byteorder");
        if (entry == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String order = new String(read(entry, declaredSize(entry, MAX_BYTEORDER_BYTES)), StandardCharsets.US_ASCII)
                .trim();
        switch (order) {
            case "little":
                return ByteOrder.LITTLE_ENDIAN;
            case "big":
                return ByteOrder.BIG_ENDIAN;
            default:
                throw new VecnnException("record '" + entry.getName() + "' says '" + order
                        + "', not 'little' or 'big'");
        }
    }

    String storageName(StorageRef storage) {
        return prefix + "data/" + storage.key();
    }

    /** The bytes of a storage, exactly as many as its elements take, in the given order. */
    ByteBuffer storage(StorageRef storage, ByteOrder order) {
        String name = storageName(storage);
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new VecnnException("storage record '" + name + "' is missing");
        }
        long needed;
        try {
            needed = Math.multiplyExact(storage.numel(), storage.dtype().bytes());
        } catch (ArithmeticException e) {
            needed = Long.MAX_VALUE;
        }
        long size = declaredSize(entry, Long.MAX_VALUE);
        if (size < needed) {
            throw new VecnnException("record '" + name + "' holds " + size + " bytes, but its storage of "
                    + storage.numel() + " " + storage.dtype().name().toLowerCase() + " elements needs " + needed);
        }
        if (needed > MAX_RECORD_BYTES) {
            throw new VecnnException("record '" + name + "' needs " + needed + " bytes, more than a Java array holds");
        }
        return ByteBuffer.wrap(read(entry, needed)).order(order);
    }

    private static long declaredSize(ZipEntry entry, long max) {
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
            if (bytes.length < n) {
                throw new VecnnException("record '" + entry.getName() + "' is cut short: " + bytes.length + " of "
                        + n + " bytes (truncated or corrupt zip)");
            }
            return bytes;
        } catch (IOException e) {
            throw new VecnnException("cannot read record '" + entry.getName() + "': " + e.getMessage()
                    + " (truncated or corrupt zip)", e);
        }
    }

    private static VecnnException corrupt(Path file, ZipException e) {
        String why = e.getMessage() != null && e.getMessage().contains("END header")
                ? "no central directory" : String.valueOf(e.getMessage());
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
