"""Every dtype and view kind a state dict may hold: what the Java readers are checked against in each
container torch.save writes."""
import collections

import torch


def every_dtype_and_view():
    """Each dtype with its edge values (every bit pattern of the 16-bit floats), scalars, an empty tensor, and
    tensors that view their storage transposed, sliced, expanded or shared with another."""
    every_16_bit_pattern = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16)
    base = torch.randn(4, 6)
    shared = torch.randn(20)
    zoo = collections.OrderedDict()
    zoo["f32"] = torch.randn(3, 4)
    zoo["f16.all_patterns"] = every_16_bit_pattern.view(torch.float16)
    zoo["bf16.all_patterns"] = every_16_bit_pattern.clone().view(torch.bfloat16)
    zoo["f64"] = torch.tensor([0.1, -2.5, 1e-40, 1e-50, 3.4028235e38, 1e300, -1e300, float("inf"), float("nan"), -0.0],
                              dtype=torch.float64)
    zoo["i64"] = torch.tensor([0, -5, 7, 2 ** 24 + 1, 2 ** 53 + 1, -(2 ** 62)], dtype=torch.int64)
    zoo["i64.scalar"] = torch.tensor(42)
    zoo["i32"] = torch.tensor([[-2 ** 31, 2 ** 31 - 1], [3, -4]], dtype=torch.int32)
    zoo["i16"] = torch.tensor([-32768, 32767, 5], dtype=torch.int16)
    zoo["i8"] = torch.tensor([-128, 127, -1], dtype=torch.int8)
    zoo["u8"] = torch.tensor([0, 255, 128], dtype=torch.uint8)
    zoo["bool"] = torch.tensor([True, False, True])
    zoo["f32.scalar"] = torch.tensor(-1.5)
    zoo["f32.empty"] = torch.zeros(0, 3)
    zoo["transposed"] = base.t()
    zoo["sliced"] = base[1:, 2:5]
    zoo["expanded"] = torch.randn(3, 1).expand(3, 5)
    zoo["shared.head"] = shared[:8].view(2, 4)
    zoo["shared.tail"] = shared[8:]
    zoo["f16.transposed"] = torch.randn(5, 3).half().t()
    return zoo
