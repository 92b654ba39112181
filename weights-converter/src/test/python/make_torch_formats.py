"""Writes, with real PyTorch, one file per torch.save format and container the Java readers must read, and
beside each FILE a directory FILE.expected with the tensors torch itself loads from it (tensor_manifest.py).
Files that are not torch.save's own output (a zip with another folder name, storage views of the legacy
format, the tar format of PyTorch 0.1) are written here by hand and proven by torch.load reading them.
Argument: output directory."""
import collections
import copyreg
import io
import os
import pickle
import struct
import sys
import tarfile
import zipfile

import torch
import torch.nn as nn

import dtype_zoo
import tensor_manifest

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)


def path(name):
    return os.path.join(out, name)


def expect(name, tensors):
    tensor_manifest.write(tensors, path(name + ".expected"))


class Net(nn.Module):
    """A user class, pickled as __main__.Net: nested and tied modules, a parameter and a buffer left unset,
    a buffer state_dict() leaves out, and an attribute of a class with a lower-case name (torch.device)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.ReLU())
        self.head = nn.ModuleDict({"fc": nn.Linear(12, 4), "out": nn.Linear(4, 4)})
        self.tied = nn.Linear(4, 4, bias=False)
        self.tied.weight = self.head["out"].weight
        self.scale = nn.Parameter(torch.tensor(0.5))
        self.register_parameter("unset", None)
        self.register_buffer("steps", torch.tensor(7))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)
        self.register_buffer("nothing", None)
        self.device = torch.device("cpu")

    def forward(self, x):
        x = self.features(x).flatten(1)[:, :12]
        return self.tied(self.head["out"](self.head["fc"](x))) * self.scale


class SmallCnn(nn.Module):
    """For TorchScript: a parameter left unset (bias=False), a ModuleList, a buffer, and a plain tensor
    attribute that is neither parameter nor buffer and so not part of the state dict."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, bias=False)
        self.bn = nn.BatchNorm2d(2)
        self.fc = nn.Linear(8, 3)
        self.blocks = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 3)])
        self.register_buffer("shift", torch.ones(2))
        self.plain = torch.full((3,), 0.5)

    def forward(self, x):
        y = self.bn(self.conv(x)) + self.shift.view(1, 2, 1, 1)
        y = self.fc(torch.flatten(y, 1)[:, :8])
        for block in self.blocks:
            y = block(y)
        return y * self.plain


def trained(model):
    model(torch.randn(2, 1, 5, 5))  # one training-mode pass updates the BatchNorm statistics
    return model.eval()


# torch.save's zip with Parameters (_rebuild_parameter), then the same records under another folder name.
params = collections.OrderedDict(w=nn.Parameter(torch.randn(2, 3)), frozen=nn.Parameter(torch.randn(3), False))
torch.save(params, path("zip_parameters.pt"))
expect("zip_parameters.pt", torch.load(path("zip_parameters.pt")))
with zipfile.ZipFile(path("zip_parameters.pt")) as original, \
        zipfile.ZipFile(path("zip_folder.pt"), "w", zipfile.ZIP_STORED) as renamed:
    for info in original.infolist():
        renamed.writestr("my_weights_v2/" + info.filename.split("/", 1)[1], original.read(info))
expect("zip_folder.pt", torch.load(path("zip_folder.pt")))

# Legacy format, every dtype and view.
torch.save(dtype_zoo.every_dtype_and_view(), path("legacy_dtypes.pt"), _use_new_zipfile_serialization=False)
expect("legacy_dtypes.pt", torch.load(path("legacy_dtypes.pt")))

# Whole models, in the zip and legacy containers and inside a checkpoint.
net = trained(Net())
torch.save(net, path("full_zip.pt"))
torch.save(net, path("full_legacy.pt"), _use_new_zipfile_serialization=False)
torch.save({"epoch": 3, "model": net}, path("full_checkpoint.pt"))
for name in ["full_zip.pt", "full_legacy.pt"]:
    expect(name, torch.load(path(name)).state_dict())
expect("full_checkpoint.pt", torch.load(path("full_checkpoint.pt"))["model"].state_dict())

# TorchScript, scripted and traced.
cnn = trained(SmallCnn())
torch.jit.script(cnn).save(path("scripted.pt"))
torch.jit.trace(cnn, torch.randn(1, 1, 5, 5)).save(path("traced.pt"))
for name in ["scripted.pt", "traced.pt"]:
    expect(name, torch.jit.load(path(name)).state_dict())

# Storages tagged with another device, as a GPU machine writes them, and with the meta device (no data).
real_location_tag = torch.serialization.location_tag
torch.serialization.location_tag = lambda storage: "cuda:0"
torch.save(collections.OrderedDict(w=torch.randn(2, 2)), path("cuda.pt"))
torch.serialization.location_tag = lambda storage: "meta"
torch.save(collections.OrderedDict(w=torch.randn(2, 2)), path("meta.pt"))
torch.serialization.location_tag = real_location_tag
expect("cuda.pt", torch.load(path("cuda.pt"), map_location="cpu"))


# The legacy format with storage views, which PyTorch before 1.0 wrote for tensors viewing part of a storage.
class Storage:
    def __init__(self, key, storage_type, numel, view=None):
        self.key, self.storage_type, self.numel, self.view = key, storage_type, numel, view


class RebuiltTensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, collections.OrderedDict())

    def __reduce__(self):
        return torch._utils._rebuild_tensor_v2, self.args


class StoragePickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return "storage", obj.storage_type, obj.key, "cpu", obj.numel, obj.view
        return None


def pickled(obj, pickler=pickle.Pickler):
    buffer = io.BytesIO()
    pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue()


floats = torch.arange(10, dtype=torch.float32)
longs = torch.tensor([5, -6, 7], dtype=torch.int64)
views = collections.OrderedDict()
views["whole"] = RebuiltTensor(Storage("100", torch.FloatStorage, 10), 0, (2, 5), (5, 1))
views["view"] = RebuiltTensor(Storage("100", torch.FloatStorage, 10, ("101", 4, 6)), 1, (2, 2), (1, 2))
views["view.again"] = RebuiltTensor(Storage("100", torch.FloatStorage, 10, ("101", 4, 6)), 0, (6,), (1,))
views["longs"] = RebuiltTensor(Storage("200", torch.LongStorage, 3), 0, (3,), (1,))
with open(path("legacy_views.pt"), "wb") as f:
    f.write(pickled(0x1950a86a20f9469cfc6c) + pickled(1001))
    f.write(pickled({"protocol_version": 1001, "little_endian": True,
                     "type_sizes": {"short": 2, "int": 4, "long": 8}}))
    f.write(pickled(views, StoragePickler) + pickled(["100", "200"]))
    for t in [floats, longs]:
        f.write(struct.pack("<q", t.numel()) + t.numpy().tobytes())
expect("legacy_views.pt", torch.load(path("legacy_views.pt")))


# The tar format of PyTorch 0.1, as torch 1.13's reader (serialization.legacy_load) expects it.
class TensorTypePlaceholder:
    """Stands for torch.FloatTensor, a class pickle cannot name; its GLOBAL is rewritten below."""


class TensorKey:
    def __init__(self, key):
        self.key = key


class OldParameter:
    """A Parameter as PyTorch 0.1 pickled it: NEWOBJ of the class, then BUILD with (data, grad, hooks,
    requires_grad, volatile)."""

    def __init__(self, key):
        self.key = key

    @property
    def __class__(self):
        # pickle writes NEWOBJ only for the object's own class.
        return nn.Parameter

    def __reduce__(self):
        return copyreg.__newobj__, (nn.Parameter,), (TensorKey(self.key), None, None, True, False)


class TensorKeyPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return str(obj.key) if isinstance(obj, TensorKey) else None


def tensor_header(key, storage_key):
    raw = pickled((key, storage_key, TensorTypePlaceholder))
    return raw.replace(b"c__main__\nTensorTypePlaceholder\n", b"ctorch\nFloatTensor\n")


doubles = torch.tensor([1.5, -2.25, 3.0], dtype=torch.float64)
storages = pickled(2)
for key, t, storage_type in [(11, floats, torch.FloatStorage), (12, doubles, torch.DoubleStorage)]:
    storages += pickled((key, "cpu", storage_type)) + struct.pack("<q", t.numel()) + t.numpy().tobytes()
storages += pickled([(13, 11, 2, 6)])
tensor_records = [(21, 11, (2, 3), (3, 1), 0), (22, 13, (3, 2), (1, 3), 0), (23, 12, (3,), (1,), 0),
                  (24, 11, (4,), (2,), 1), (25, 11, (), (), 9)]
tensors = pickled(len(tensor_records))
for key, storage_key, size, stride, offset in tensor_records:
    tensors += tensor_header(key, storage_key) + struct.pack("<ii", len(size), 0)
    tensors += struct.pack("<%dq" % len(size), *size) + struct.pack("<%dq" % len(stride), *stride)
    tensors += struct.pack("<q", offset)
state = collections.OrderedDict()
state["conv.weight"] = OldParameter(21)
state["view.transposed"] = TensorKey(22)
state["doubles"] = TensorKey(23)
state["strided"] = TensorKey(24)
state["scalar"] = TensorKey(25)
members = [("sys_info", pickled({"protocol_version": 1000, "little_endian": True,
                                 "type_sizes": {"short": 2, "int": 4, "long": 4}})),
           ("pickle", pickled(state, TensorKeyPickler)), ("tensors", tensors), ("storages", storages)]
with tarfile.open(path("tar_format.pt"), "w", format=tarfile.PAX_FORMAT) as tar:
    for name, data in members:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
expect("tar_format.pt", torch.load(path("tar_format.pt")))
