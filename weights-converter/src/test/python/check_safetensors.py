"""Checks that a safetensors file VecNN exported holds exactly the tensors torch.load gives for its source.

    python3 check_safetensors.py SOURCE EXPORTED [WRAPPER [PREFIX]]
The safetensors file is parsed here by hand (8-byte header length, JSON header, raw data), not by the
reader under test. Floating tensors must equal the source's values as float32, integer buffers exactly.
Prints "ok N" for N tensors compared.
"""
import json
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": np.float32, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    start = 8 + n
    out = {}
    for key, entry in header.items():
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[start + begin:start + end], dtype=DTYPES[entry["dtype"]])
        out[key] = torch.from_numpy(array.copy()).reshape(entry["shape"])
    return out


def main(source, exported, wrapper="", prefix=""):
    expected = torch.load(source)
    if wrapper:
        expected = expected[wrapper]
    expected = {k[len(prefix):]: v for k, v in expected.items()}
    actual = read_safetensors(exported)
    assert list(actual) == list(expected), (list(actual)[:5], list(expected)[:5])
    for key, want in expected.items():
        got = actual[key]
        assert got.shape == want.shape, (key, got.shape, want.shape)
        if want.is_floating_point():
            assert torch.equal(got.isnan(), want.float().isnan()), key
            assert torch.equal(got.nan_to_num(0.0), want.float().nan_to_num(0.0)), key
        else:
            assert got.dtype == torch.int64 and torch.equal(got, want.long()), key
    print("ok", len(expected))


if __name__ == "__main__":
    main(*sys.argv[1:])
