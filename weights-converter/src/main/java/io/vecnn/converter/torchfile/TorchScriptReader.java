package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.statedict.WeightFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the parameters and buffers of a TorchScript archive (torch.jit.save since PyTorch 1.3): data.pkl
 * pickles the module tree as objects of the classes defined under code/, with tensors stored like
 * torch.save's. Only data.pkl is read: constants.pkl holds the constants of the code, which are not part
 * of the state dict, and the code itself is never run.
 */
final class TorchScriptReader {

    private TorchScriptReader() {}

    static StateDict read(TorchZipArchive archive) {
        ZipDataPickle data = new ZipDataPickle(archive, "TorchScript archive: ");
        Object root = data.root();
        ScriptModules layout = new ScriptModules(new TorchScriptClasses(archive));
        if (!layout.isModule(root)) {
            throw new VecnnException(
                    "TorchScript archive whose data.pkl holds " + PickleValues.describe(root) + ", not a module");
        }
        String rootClass = ((PickleObject) root).type().qualifiedName();
        Map<String, TensorRef> views;
        try {
            views = ModuleTree.tensors((PickleObject) root, layout);
        } catch (VecnnException e) {
            throw new VecnnException("TorchScript archive (torch.jit.save) of " + rootClass + ": " + e.getMessage(), e);
        }
        List<String> notes = new ArrayList<>();
        notes.add("the file is a TorchScript archive (torch.jit.save) of " + rootClass + "; its parameters and"
                + " buffers were taken from the module tree by path, without running its code");
        notes.addAll(data.notes());
        Map<String, TorchTensor> tensors = StorageAssembly.materialize(views, data.storages(), notes);
        return new StateDict(tensors, notes, WeightFormat.TORCHSCRIPT, null, null);
    }
}
