"""Writes, with torch.save, the files the Java reader is checked against (argument: output directory):
dtypes.pt (every dtype and view kind), module.pt (a real module's state_dict, with _metadata),
checkpoint.pt (a training checkpoint holding it), quantized.pt and whole_model.pt (both to be refused)."""
import collections
import os
import sys

import torch

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)

every_16_bit_pattern = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16)
base = torch.randn(4, 6)
shared = torch.randn(20)
dtypes = collections.OrderedDict()
dtypes["f32"] = torch.randn(3, 4)
dtypes["f16.all_patterns"] = every_16_bit_pattern.view(torch.float16)
dtypes["bf16.all_patterns"] = every_16_bit_pattern.clone().view(torch.bfloat16)
dtypes["f64"] = torch.tensor([0.1, -2.5, 1e-40, 1e-50, 3.4028235e38, 1e300, -1e300, float("inf"), float("nan"), -0.0],
                             dtype=torch.float64)
dtypes["i64"] = torch.tensor([0, -5, 7, 2 ** 24 + 1, 2 ** 53 + 1, -(2 ** 62)], dtype=torch.int64)
dtypes["i64.scalar"] = torch.tensor(42)
dtypes["i32"] = torch.tensor([[-2 ** 31, 2 ** 31 - 1], [3, -4]], dtype=torch.int32)
dtypes["i16"] = torch.tensor([-32768, 32767, 5], dtype=torch.int16)
dtypes["i8"] = torch.tensor([-128, 127, -1], dtype=torch.int8)
dtypes["u8"] = torch.tensor([0, 255, 128], dtype=torch.uint8)
dtypes["bool"] = torch.tensor([True, False, True])
dtypes["f32.scalar"] = torch.tensor(-1.5)
dtypes["f32.empty"] = torch.zeros(0, 3)
dtypes["transposed"] = base.t()
dtypes["sliced"] = base[1:, 2:5]
dtypes["expanded"] = torch.randn(3, 1).expand(3, 5)
dtypes["shared.head"] = shared[:8].view(2, 4)
dtypes["shared.tail"] = shared[8:]
dtypes["f16.transposed"] = torch.randn(5, 3).half().t()
torch.save(dtypes, os.path.join(out, "dtypes.pt"))

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
