package io.vecnn.exec.fast;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.kernels.VectorIsa;
import io.vecnn.modelfile.AtomicWrite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The autotuner's choices, kept in a small JSON file per user so that every process on a machine picks the
 * same kernel for the same layer: a server and {@code vecnn predict} then give bit-identical outputs, and a
 * restart skips the timing. Keys name the machine (CPU, cores, JDK, and the vector width and register file
 * the JVM gives the kernels, so an AVX2 JVM on an AVX-512 machine, {@code -XX:UseAVX=2}, has choices of its
 * own) and the layer (shapes, kernel, stride, padding, threads), so a different machine or setting tunes
 * afresh. The file lives at
 * {@code ~/.cache/vecnn/tuning.json}; the system property {@code vecnn.tuning.cache} (or the environment
 * variable {@code VECNN_TUNING_CACHE}) moves it, and the value {@code off} turns the cache off. A file that
 * cannot be read or written is ignored: tuning only ever costs time, never a failed run.
 */
final class TuningCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Path, TuningCache> OPEN = new ConcurrentHashMap<>();
    /**
     * The way choices are measured, or the candidates they chose between; a new version starts afresh. 2:
     * timed in the whole network after the JIT has settled ({@link NetworkTuning}); version 1's short
     * warm-ups left choices that a cold JIT had decided. 3: GEMM candidates with 192 or 384 columns run on
     * the 6x4V kernel instead of a slower 8x3V one, so Winograd's earlier wins there need re-timing.
     * 4: the key names the vector width and register file, and 16-register files have 6x2V GEMM kernels
     * twice as fast as the 6x4V ones their earlier choices were timed with.
     */
    private static final int TUNER = 4;

    private static final String MACHINE = machine();

    private final Path file;
    private final Map<String, String> choices = new ConcurrentHashMap<>();

    private TuningCache(Path file) {
        this.file = file;
        choices.putAll(read(file));
    }

    /** The cache the current settings name, or null when it is off. */
    static TuningCache current() {
        String setting = System.getProperty("vecnn.tuning.cache", System.getenv("VECNN_TUNING_CACHE"));
        if ("off".equals(setting)) {
            return null;
        }
        Path file = setting != null && !setting.isBlank()
                ? Path.of(setting)
                : Path.of(System.getProperty("user.home"), ".cache", "vecnn", "tuning.json");
        return OPEN.computeIfAbsent(file.toAbsolutePath(), TuningCache::new);
    }

    /** The key of one layer's choice on this machine. */
    static String key(String layer, int threads) {
        return MACHINE + "|threads=" + threads + "|" + layer;
    }

    String get(String key) {
        return choices.get(key);
    }

    /**
     * Records a plan's choices and rewrites the file once with them, merged with what other processes wrote
     * meanwhile.
     */
    synchronized void putAll(Map<String, String> newChoices) {
        choices.putAll(newChoices);
        Map<String, String> merged = new TreeMap<>(read(file));
        merged.putAll(choices);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicWrite.write(
                    file, out -> out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(merged)));
        } catch (IOException | RuntimeException e) {
            // A read-only home or a full disk: the choices still hold for this process.
        }
    }

    private static Map<String, String> read(Path file) {
        try {
            if (Files.isRegularFile(file) && Files.size(file) < (1 << 22)) {
                return JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() {});
            }
        } catch (IOException | RuntimeException e) {
            // A damaged cache is as good as none: the layers are timed again and the file rewritten.
        }
        return Map.of();
    }

    private static String machine() {
        String cpu = CpuIdentity.current().describe();
        return cpu + "|cores=" + Runtime.getRuntime().availableProcessors() + "|jdk="
                + Runtime.version().feature() + "|vectors=" + VectorIsa.describe() + "|tuner=" + TUNER;
    }
}
