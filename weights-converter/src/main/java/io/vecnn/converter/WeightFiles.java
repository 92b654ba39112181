package io.vecnn.converter;

import io.vecnn.VecnnException;
import io.vecnn.converter.safetensors.SafetensorsStateDicts;
import io.vecnn.converter.statedict.ReadProgress;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.torchfile.TorchFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The front door for weight files: PyTorch files of every format, or safetensors, told apart by their
 * first bytes; then the key prefix training wrappers add ({@code module.} of DataParallel, {@code model.})
 * is stripped when every key carries it, and the keys of torchvision's old DenseNet checkpoints are renamed as
 * torchvision's loader renames them.
 */
public final class WeightFiles {
    private static final List<String> WRAPPER_PREFIXES = List.of("module.", "model.");
    /**
     * torchvision's {@code densenet._load_state_dict}: module names may no longer hold dots, but its published
     * DenseNet weights still have a dense layer's {@code norm.1}, {@code conv.1}, ..., {@code conv.2}.
     */
    private static final Pattern OLD_DENSENET_KEY = Pattern.compile(
            "^(.*denselayer\\d+\\.(?:norm|relu|conv))\\.((?:[12])\\.(?:weight|bias|running_mean|running_var))$");

    private WeightFiles() {}

    public static StateDict read(Path file) {
        return read(file, ReadProgress.NONE);
    }

    /** Reads the file, telling {@code progress} how many of its bytes have been taken in. */
    public static StateDict read(Path file, ReadProgress progress) {
        byte[] head = new byte[16];
        int length;
        try (InputStream in = Files.newInputStream(file)) {
            length = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new VecnnException("no such file: " + file);
        } catch (IOException e) {
            throw new VecnnException("cannot read " + file + ": " + e.getMessage(), e);
        }
        StateDict raw = SafetensorsStateDicts.looksLike(head, length)
                ? SafetensorsStateDicts.read(file, progress)
                : TorchFiles.read(file, progress);
        return renameOldDenseNetKeys(stripWrapperPrefix(raw));
    }

    /** {@code features.denseblock1.denselayer1.norm.1.weight} becomes {@code ...denselayer1.norm1.weight}. */
    static StateDict renameOldDenseNetKeys(StateDict sd) {
        Map<String, TorchTensor> renamed = new LinkedHashMap<>();
        int count = 0;
        for (Map.Entry<String, TorchTensor> e : sd.tensors().entrySet()) {
            Matcher m = OLD_DENSENET_KEY.matcher(e.getKey());
            boolean old = m.matches();
            renamed.put(old ? m.group(1) + m.group(2) : e.getKey(), e.getValue());
            count += old ? 1 : 0;
        }
        if (count == 0) {
            return sd;
        }
        List<String> notes = new ArrayList<>(sd.notes());
        notes.add("renamed " + count + " keys of torchvision's old DenseNet form ('norm.1' to 'norm1'), as its loader"
                + " does");
        return new StateDict(renamed, notes, sd.format(), sd.wrapper(), sd.prefix());
    }

    static StateDict stripWrapperPrefix(StateDict sd) {
        for (String prefix : WRAPPER_PREFIXES) {
            if (sd.size() > 0
                    && sd.keys().stream().allMatch(k -> k.startsWith(prefix) && k.length() > prefix.length())) {
                Map<String, TorchTensor> stripped = new LinkedHashMap<>();
                sd.tensors().forEach((k, v) -> stripped.put(k.substring(prefix.length()), v));
                List<String> notes = new ArrayList<>(sd.notes());
                notes.add("stripped the key prefix '" + prefix + "' from every key");
                String already = sd.prefix() == null ? "" : sd.prefix();
                return stripWrapperPrefix(new StateDict(stripped, notes, sd.format(), sd.wrapper(), already + prefix));
            }
        }
        return sd;
    }
}
