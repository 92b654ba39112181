package io.vecnn.converter.torchfile;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.statedict.WeightFormat;

import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the TorchScript archives of PyTorch 1.0 to 1.2: {@code model.json} describes the module tree in
 * protobuf's JSON form (64-bit numbers as strings, fields at their default left out), each module listing
 * its parameters and buffers by index into a table of tensors, whose bytes are the records
 * {@code tensors/N}. The code in the archive is never run.
 */
final class TorchScriptV1Reader {
    private static final long MAX_JSON_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Frame(String path, JsonNode module, int depth) {}

    private TorchScriptV1Reader() {}

    static StateDict read(TorchZipArchive archive) {
        String jsonName = archive.prefix() + "model.json";
        JsonNode model;
        try {
            model = JSON.readTree(archive.record(jsonName, MAX_JSON_BYTES));
        } catch (JacksonException e) {
            throw new VecnnException(
                    "TorchScript 1.0 archive: record '" + jsonName + "' is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new VecnnException(
                    "TorchScript 1.0 archive: cannot read record '" + jsonName + "': " + e.getMessage(), e);
        }
        StorageLocations locations = new StorageLocations();
        Map<String, TensorRef> views;
        try {
            List<TensorRef> table = tensorTable(archive, model.path("tensors"), locations);
            views = moduleTensors(model.path("mainModule"), table);
        } catch (VecnnException e) {
            throw new VecnnException("TorchScript 1.0 archive (model.json): " + e.getMessage(), e);
        }
        List<String> notes = new ArrayList<>();
        notes.add("the file is a TorchScript archive in the PyTorch 1.0 format (model.json); its parameters and"
                + " buffers were taken from the module tree by path, without running its code");
        notes.addAll(locations.notes());
        Map<String, TorchTensor> tensors = StorageAssembly.materialize(
                views, new ZipStorages(archive, archive.prefix(), ByteOrder.LITTLE_ENDIAN), notes);
        return new StateDict(tensors, notes, WeightFormat.TORCHSCRIPT, null, null);
    }

    private static List<TensorRef> tensorTable(TorchZipArchive archive, JsonNode tensors, StorageLocations locations) {
        if (!tensors.isArray()) {
            throw new VecnnException("model.json has no 'tensors' table");
        }
        List<TensorRef> table = new ArrayList<>();
        for (JsonNode t : tensors) {
            String what = "tensors[" + table.size() + "]";
            DType dtype = dtype(t.path("dataType").asText(""), what);
            String key = t.path("data").path("key").asText("");
            long size = archive.declaredSize(archive.prefix() + key);
            if (key.isEmpty() || size < 0) {
                throw new VecnnException(what + " keeps its data in '" + PickleGlobals.printable(key)
                        + "', which is not a record of the archive");
            }
            String device = t.path("device").asText("cpu");
            locations.check(device.isEmpty() ? "cpu" : device, what);
            StorageRef storage = new StorageRef(key, dtype, device, size / dtype.bytes());
            long[] dims = longs(t.path("dims"), what + ".dims");
            long[] strides = longs(t.path("strides"), what + ".strides");
            if (dims.length != strides.length) {
                throw new VecnnException(what + " has " + dims.length + " dims but " + strides.length + " strides");
            }
            int[] shape = new int[dims.length];
            for (int d = 0; d < dims.length; d++) {
                if (dims[d] > Integer.MAX_VALUE) {
                    throw new VecnnException(
                            what + ".dims[" + d + "] = " + dims[d] + " is larger than a dimension can be");
                }
                shape[d] = (int) dims[d];
            }
            long offset = number(t.path("offset"), what + ".offset");
            table.add(new TensorRef(storage, offset, shape, strides));
        }
        return table;
    }

    /** The state dict of the module tree: each module's parameters, then its buffers, then its submodules. */
    private static Map<String, TensorRef> moduleTensors(JsonNode main, List<TensorRef> table) {
        Map<String, TensorRef> views = new LinkedHashMap<>();
        Deque<Frame> todo = new ArrayDeque<>();
        todo.push(new Frame("", main, 0));
        int visited = 0;
        while (!todo.isEmpty()) {
            Frame f = todo.pop();
            if (++visited > ModuleTree.MAX_MODULES) {
                throw new VecnnException("the module tree has more than " + ModuleTree.MAX_MODULES + " modules");
            }
            for (boolean buffers : new boolean[] {false, true}) {
                for (JsonNode p : f.module().path("parameters")) {
                    if (p.path("isBuffer").asBoolean(false) == buffers) {
                        String key = join(f.path(), p.path("name").asText(""));
                        long id = number(p.path("tensorId"), "parameter '" + key + "'.tensorId");
                        if (id >= table.size()) {
                            throw new VecnnException(
                                    "parameter '" + key + "' refers to tensor " + id + " of " + table.size());
                        }
                        views.put(key, table.get((int) id));
                    }
                }
            }
            List<Frame> children = new ArrayList<>();
            for (JsonNode sub : f.module().path("submodules")) {
                if (f.depth() + 1 > ModuleTree.MAX_DEPTH) {
                    throw new VecnnException("modules are nested more than " + ModuleTree.MAX_DEPTH + " deep");
                }
                children.add(new Frame(join(f.path(), sub.path("name").asText("")), sub, f.depth() + 1));
            }
            for (int i = children.size() - 1; i >= 0; i--) {
                todo.push(children.get(i));
            }
        }
        return views;
    }

    private static String join(String path, String name) {
        if (name.isEmpty() || (long) path.length() + name.length() + 1 > ModuleTree.MAX_KEY_CHARS) {
            throw new VecnnException("a module or parameter under '" + PickleGlobals.printable(path)
                    + "' has no name or a name too long");
        }
        return path.isEmpty() ? name : path + "." + name;
    }

    /** The element types of the caffe2 TensorProto enum that PyTorch 1.0 wrote. */
    private static DType dtype(String name, String what) {
        return switch (name) {
            case "FLOAT" -> DType.FLOAT32;
            case "DOUBLE" -> DType.FLOAT64;
            case "FLOAT16" -> DType.FLOAT16;
            case "INT64" -> DType.INT64;
            case "INT32" -> DType.INT32;
            case "INT16" -> DType.INT16;
            case "INT8" -> DType.INT8;
            case "UINT8", "BYTE" -> DType.UINT8;
            case "BOOL" -> DType.BOOL;
            default ->
                throw new VecnnException(
                        what + " has the data type '" + PickleGlobals.printable(name) + "', which VecNN does not read");
        };
    }

    private static long[] longs(JsonNode array, String what) {
        if (array.isMissingNode()) {
            return new long[0];
        }
        if (!array.isArray() || array.size() > TensorRebuild.MAX_RANK) {
            throw new VecnnException(what + " is not a list of at most " + TensorRebuild.MAX_RANK + " numbers");
        }
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = number(array.get(i), what + "[" + i + "]");
        }
        return values;
    }

    /** A non-negative 64-bit number, written as a string (protobuf JSON) or a number; absent means 0. */
    private static long number(JsonNode node, String what) {
        if (node.isMissingNode()) {
            return 0;
        }
        try {
            long v = node.isTextual()
                    ? Long.parseLong(node.asText())
                    : node.isIntegralNumber() && node.canConvertToLong() ? node.asLong() : -1;
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // Reported below with the field's name.
        }
        String found =
                node.isValueNode() ? "'" + PickleGlobals.printable(node.asText()) + "'" : "an " + node.getNodeType();
        throw new VecnnException(what + " is " + found + ", not a non-negative integer");
    }
}
