package io.vecnn.tools;

import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.arch.LeNet5;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.converter.testing.PythonTorch;
import io.vecnn.converter.torchfile.TorchZipWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vecnn export}: what it writes holds exactly torch's values, and reads back through the front door. */
class ExportTest {
    @TempDir
    Path dir;

    @Test
    void exportedSynthesisedWeightsEqualTorchLoadValues() {
        PythonTorch.require();
        Path pth = dir.resolve("lenet.pth");
        TorchZipWriter.write(SyntheticWeights.generate(new LeNet5(), 5, 10), pth);
        Path out = dir.resolve("lenet.safetensors");
        assertEquals(0, VecnnCli.run("export", "--weights", pth.toString(), "--out", out.toString()));
        assertEquals("ok 10", PythonTorch.script("check_safetensors.py", pth, out));
    }

    @Test
    void exportedTorchSavedModuleAndCheckpointEqualTorchLoadValues() {
        PythonTorch.require();
        PythonTorch.script("make_state_dicts.py", dir);
        Path module = dir.resolve("module.safetensors");
        assertEquals(
                0,
                VecnnCli.run("export", "--weights", dir.resolve("module.pt").toString(), "--out", module.toString()));
        assertTrue(PythonTorch.script("check_safetensors.py", dir.resolve("module.pt"), module)
                .startsWith("ok "));
        Path checkpoint = dir.resolve("checkpoint.safetensors");
        assertEquals(
                0,
                VecnnCli.run(
                        "export",
                        "--weights",
                        dir.resolve("checkpoint.pt").toString(),
                        "--out",
                        checkpoint.toString()));
        assertTrue(PythonTorch.script("check_safetensors.py", dir.resolve("checkpoint.pt"), checkpoint, "state_dict")
                .startsWith("ok "));
    }

    @Test
    void dataParallelPrefixIsStrippedAndReported() {
        PythonTorch.require();
        StateDict plain = SyntheticWeights.generate(new LeNet5(), 2, 10);
        Map<String, TorchTensor> prefixed = new LinkedHashMap<>();
        plain.tensors().forEach((k, v) -> prefixed.put("module." + k, v));
        Path pth = dir.resolve("dp.pth");
        TorchZipWriter.write(new StateDict(prefixed), pth);

        StateDict read = WeightFiles.read(pth);
        assertEquals("module.", read.prefix());
        assertEquals(plain.keys(), read.keys());

        Path out = dir.resolve("dp.safetensors");
        assertEquals(0, VecnnCli.run("export", "--weights", pth.toString(), "--out", out.toString()));
        assertEquals("ok 10", PythonTorch.script("check_safetensors.py", pth, out, "", "module."));
    }
}
