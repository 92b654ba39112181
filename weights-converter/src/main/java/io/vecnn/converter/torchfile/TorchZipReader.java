package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.ReadProgress;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.WeightFormat;

import java.nio.file.Path;

/**
 * Reads the zips PyTorch writes: torch.save since 1.6 (a state dict, a checkpoint or a whole model) and,
 * through their own readers, TorchScript archives of both generations.
 */
public final class TorchZipReader {

    private TorchZipReader() {}

    public static StateDict read(Path file) {
        return read(file, ReadProgress.NONE);
    }

    static StateDict read(Path file, ReadProgress progress) {
        try (TorchZipArchive archive = TorchZipArchive.open(file, progress)) {
            try {
                return switch (archive.kind()) {
                    case TORCH_SAVE -> readTorchSave(archive);
                    case TORCHSCRIPT -> TorchScriptReader.read(archive);
                    case TORCHSCRIPT_V1 -> TorchScriptV1Reader.read(archive);
                };
            } catch (VecnnException e) {
                throw new VecnnException(file + ": " + e.getMessage(), e);
            }
        }
    }

    private static StateDict readTorchSave(TorchZipArchive archive) {
        ZipDataPickle data = new ZipDataPickle(archive, "");
        return StateDictExtractor.extract(data.root()).read(WeightFormat.ZIP, data.notes(), data.storages());
    }
}
