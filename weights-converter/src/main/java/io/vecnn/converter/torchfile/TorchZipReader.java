package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.ReadProgress;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.statedict.WeightFormat;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        ByteOrder order = archive.byteOrder();
        ZipStorageIds storageIds = new ZipStorageIds();
        String pickleName = archive.prefix() + "data.pkl";
        Object root;
        try {
            root = PickleVm.load(archive.record(pickleName, TorchZipArchive.MAX_PICKLE_BYTES), storageIds);
        } catch (VecnnException e) {
            throw new VecnnException(e.getMessage() + " (in record '" + pickleName + "')", e);
        }
        ExtractedTensors extracted = StateDictExtractor.extract(root);

        List<String> notes = new ArrayList<>(extracted.notes());
        notes.addAll(FullModels.notes(extracted, "zip"));
        if (order == ByteOrder.BIG_ENDIAN) {
            notes.add("the file was written on a big-endian machine; its bytes were swapped");
        }
        notes.addAll(storageIds.notes());
        Map<String, TorchTensor> tensors = StorageAssembly.materialize(
                extracted.tensors(), new ZipStorages(archive, archive.prefix() + "data/", order), notes);
        return new StateDict(tensors, notes, FullModels.format(extracted, WeightFormat.ZIP), extracted.wrapper(), null);
    }
}
