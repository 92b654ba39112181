"""Writes, with torch.save, the files the Java reader is checked against (argument: output directory):
dtypes.pt (every dtype and view kind), module.pt (a real module's state_dict, with _metadata),
checkpoint.pt (a training checkpoint holding it), quantized.pt and whole_model.pt (both to be refused)."""
import collections
import os
import sys

import torch

import dtype_zoo

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)

torch.save(dtype_zoo.every_dtype_and_view(), os.path.join(out, "dtypes.pt"))

model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Flatten(),
                            torch.nn.Linear(4, 2))
model(torch.randn(2, 3, 3, 3))  # one forward pass in training mode updates the BatchNorm statistics
torch.save(model.state_dict(), os.path.join(out, "module.pt"))

optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model(torch.randn(2, 3, 3, 3)).sum().backward()
optimizer.step()
torch.save({"epoch": 3, "state_dict": model.state_dict(), "optimizer": optimizer.state_dict(), "best": 0.5},
           os.path.join(out, "checkpoint.pt"))

quantized = collections.OrderedDict()
quantized["fc.bias"] = torch.randn(4)
quantized["fc.weight"] = torch.quantize_per_tensor(torch.randn(4, 4), 0.1, 0, torch.qint8)
quantized["conv.weight"] = torch.quantize_per_channel(torch.randn(2, 4), torch.tensor([0.1, 0.2]),
                                                      torch.tensor([0, 0]), 0, torch.qint8)
torch.save(quantized, os.path.join(out, "quantized.pt"))

torch.save(torch.nn.Linear(2, 2), os.path.join(out, "whole_model.pt"))
