"""Loads a whole pickled model (torch.save(model)) whose class is not importable here, by standing an empty
nn.Module subclass in for it, and writes model.state_dict() as a manifest (see tensor_manifest.py). Files
pickled by Python 2 have byte strings, which encoding='latin1' reads as torch.load advises.
Arguments: file, output directory, the class's module, the class's name."""
import sys
import types
import warnings

import torch
import torch.nn as nn

import tensor_manifest

file, out_dir, module_name, class_name = sys.argv[1:5]
parts = module_name.split(".")
for i in range(1, len(parts) + 1):
    sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
stand_in = type(class_name, (nn.Module,), {"__module__": module_name})
setattr(sys.modules[module_name], class_name, stand_in)

with warnings.catch_warnings():
    # The pickled source of torch's own classes differs from this torch's; that is expected for an old file.
    warnings.simplefilter("ignore")
    model = torch.load(file, map_location="cpu", encoding="latin1")
tensor_manifest.write(model.state_dict(), out_dir)
