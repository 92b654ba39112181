"""Reads the tensors of a TorchScript archive in the PyTorch 1.0 format (model.json and tensors/N), which
this torch no longer loads, straight from the zip with Python's json and zipfile, and writes the state dict
(each module's parameters, then its buffers, then its submodules) as a manifest (see tensor_manifest.py).
Arguments: file, output directory."""
import collections
import json
import sys
import zipfile

import torch

import tensor_manifest

DTYPES = {"FLOAT": torch.float32, "DOUBLE": torch.float64, "FLOAT16": torch.float16, "INT64": torch.int64,
          "INT32": torch.int32, "INT16": torch.int16, "INT8": torch.int8, "UINT8": torch.uint8, "BOOL": torch.bool}

with zipfile.ZipFile(sys.argv[1]) as archive:
    folder = [n for n in archive.namelist() if n.endswith("model.json")][0][:-len("model.json")]
    model = json.loads(archive.read(folder + "model.json"))
    table = []
    for t in model["tensors"]:
        dtype = DTYPES[t["dataType"]]
        storage = torch.frombuffer(bytearray(archive.read(folder + t["data"]["key"])), dtype=dtype)
        table.append(storage.as_strided([int(d) for d in t.get("dims", [])],
                                        [int(s) for s in t.get("strides", [])], int(t.get("offset", "0"))))

state = collections.OrderedDict()


def collect(module, prefix):
    for buffers in (False, True):
        for p in module.get("parameters", []):
            if p.get("isBuffer", False) == buffers:
                state[prefix + p["name"]] = table[int(p["tensorId"])]
    for sub in module.get("submodules", []):
        collect(sub, prefix + sub["name"] + ".")


collect(model["mainModule"], "")
tensor_manifest.write(state, sys.argv[2])
