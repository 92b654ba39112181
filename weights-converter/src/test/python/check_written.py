"""Checks that torch.load reads a file VecNN wrote as an OrderedDict of tensors equal to a manifest.
Arguments: file, manifest directory[, the module versions expected in _metadata as JSON {prefix: version}].
Prints "ok N" or the first difference, exiting 1."""
import collections
import json
import sys

import numpy
import torch

import tensor_manifest

EXPECTED_FILE_DTYPE = {"FLOAT32": torch.float32, "FLOAT64": torch.float32, "FLOAT16": torch.float32,
                       "BFLOAT16": torch.float32, "INT64": torch.int64, "INT32": torch.int32,
                       "INT16": torch.int16, "INT8": torch.int8, "UINT8": torch.uint8, "BOOL": torch.bool}

loaded = torch.load(sys.argv[1])
expected = tensor_manifest.read(sys.argv[2])


def same_values(a, b):
    """Bit-identical float32 values, except that any NaN equals any NaN (conversions may quiet a NaN)."""
    x = numpy.frombuffer(a, dtype="<f4")
    y = numpy.frombuffer(b, dtype="<f4")
    return x.shape == y.shape and bool(numpy.all((x.view("<u4") == y.view("<u4")) | (numpy.isnan(x) & numpy.isnan(y))))


def fail(message):
    print(message)
    sys.exit(1)


if not isinstance(loaded, collections.OrderedDict):
    fail("loaded a %s, not an OrderedDict" % type(loaded).__name__)
if list(loaded.keys()) != [e[0] for e in expected]:
    fail("keys %s, expected %s" % (list(loaded.keys()), [e[0] for e in expected]))
for key, dtype, shape, raw in expected:
    t = loaded[key]
    if not isinstance(t, torch.Tensor):
        fail("%s is a %s" % (key, type(t).__name__))
    if t.dtype != EXPECTED_FILE_DTYPE[dtype]:
        fail("%s has dtype %s, expected %s" % (key, t.dtype, EXPECTED_FILE_DTYPE[dtype]))
    if tuple(t.shape) != shape:
        fail("%s has shape %s, expected %s" % (key, tuple(t.shape), shape))
    if not same_values(tensor_manifest.float32_bytes(t), raw):
        fail("%s has different values" % key)
if len(sys.argv) > 3:
    metadata = getattr(loaded, "_metadata", None)
    versions = None if metadata is None else {prefix: m.get("version") for prefix, m in metadata.items()}
    if versions != json.loads(sys.argv[3]):
        fail("_metadata versions %s, expected %s" % (versions, sys.argv[3]))
print("ok %d" % len(expected))
