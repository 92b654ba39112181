"""Single-op cases for every op of VecNN's graph, computed by torch.nn.functional.

    python3 op_fixtures.py OUT_DIR
Each case NAME writes NAME.json (the node in VecNN's graph JSON, weights named 'w' and 'b' in PyTorch
layout), NAME.x0.npy [NAME.x1.npy ...] (NCHW inputs), NAME.w.npy, NAME.b.npy and NAME.expected.npy.
Shapes are odd on purpose: tails, channels that are no multiple of a vector width, ceil-mode edges.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

OUT = None
gen = torch.Generator().manual_seed(12345)


def randn(*shape):
    return torch.randn(shape, generator=gen)


def save(name, node, inputs, expected, w=None, b=None):
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(node, f)
    for i, x in enumerate(inputs):
        np.save(os.path.join(OUT, "%s.x%d.npy" % (name, i)), x.numpy().astype(np.float32))
    if w is not None:
        np.save(os.path.join(OUT, name + ".w.npy"), w.numpy().astype(np.float32))
    if b is not None:
        np.save(os.path.join(OUT, name + ".b.npy"), b.numpy().astype(np.float32))
    np.save(os.path.join(OUT, name + ".expected.npy"), expected.numpy().astype(np.float32))


def node(op, inputs=1, **params):
    n = {"name": "n", "op": op, "inputs": ["x%d" % i for i in range(inputs)], "output": "y"}
    n.update(params)
    return n


def conv(name, n, cin, h, w, cout, k, stride=(1, 1), pad=(0, 0), dil=(1, 1), groups=1, bias=True):
    x = randn(n, cin, h, w)
    wt = randn(cout, cin // groups, k[0], k[1]) * 0.2
    b = randn(cout) if bias else None
    y = F.conv2d(x, wt, b, stride=stride, padding=pad, dilation=dil, groups=groups)
    save(name, node("conv2d", out_channels=cout, kernel=list(k), stride=list(stride), padding=list(pad),
                    dilation=list(dil), groups=groups, weight="w", bias="b" if bias else None), [x], y, wt, b)


def max_pool(name, n, c, h, w, k, s, p, ceil):
    x = randn(n, c, h, w)
    y = F.max_pool2d(x, k, s, p, ceil_mode=ceil)
    save(name, node("max_pool2d", kernel=[k, k], stride=[s, s], padding=[p, p], ceil_mode=ceil), [x], y)


def avg_pool(name, n, c, h, w, k, s, p, ceil, include):
    x = randn(n, c, h, w)
    y = F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=include)
    save(name, node("avg_pool2d", kernel=[k, k], stride=[s, s], padding=[p, p], ceil_mode=ceil,
                    count_include_pad=include), [x], y)


def main():
    conv("conv_3x3_s1_p1", 2, 5, 9, 7, 11, (3, 3), pad=(1, 1))
    conv("conv_3x3_s2_p1_nobias", 1, 17, 10, 13, 19, (3, 3), stride=(2, 2), pad=(1, 1), bias=False)
    conv("conv_7x7_s2_p3", 1, 3, 23, 21, 8, (7, 7), stride=(2, 2), pad=(3, 3))
    conv("conv_11x11_s4_p2", 1, 3, 35, 39, 6, (11, 11), stride=(4, 4), pad=(2, 2))
    conv("conv_1x7_p03", 2, 6, 9, 12, 5, (1, 7), pad=(0, 3))
    conv("conv_7x1_p30", 1, 6, 12, 9, 5, (7, 1), pad=(3, 0))
    conv("conv_1x1", 3, 33, 5, 6, 17, (1, 1))
    conv("conv_groups_dilation", 1, 8, 11, 11, 12, (3, 3), pad=(2, 2), dil=(2, 2), groups=4)
    conv("conv_depthwise_5x5", 1, 7, 9, 10, 7, (5, 5), stride=(2, 1), pad=(2, 2), groups=7)
    max_pool("maxpool_3_2_p1", 2, 5, 13, 12, 3, 2, 1, False)
    max_pool("maxpool_3_2_ceil", 1, 4, 14, 13, 3, 2, 0, True)
    max_pool("maxpool_2_2_ceil_odd", 1, 3, 7, 9, 2, 2, 0, True)
    max_pool("maxpool_3_1_p1_ceil", 1, 6, 5, 6, 3, 1, 1, True)
    avg_pool("avgpool_3_1_p1_include", 2, 5, 8, 7, 3, 1, 1, False, True)
    avg_pool("avgpool_3_1_p1_exclude", 1, 5, 8, 7, 3, 1, 1, False, False)
    avg_pool("avgpool_3_2_p1_ceil_include", 1, 3, 10, 9, 3, 2, 1, True, True)
    avg_pool("avgpool_3_2_p1_ceil_exclude", 1, 3, 10, 9, 3, 2, 1, True, False)
    avg_pool("avgpool_5_3", 1, 4, 14, 14, 5, 3, 0, False, True)
    for name, (h, w, oh, ow) in {"adaptive_13x11_to_6x6": (13, 11, 6, 6), "adaptive_7x7_to_3x5": (7, 7, 3, 5),
                                 "adaptive_5x5_to_7x7": (5, 5, 7, 7), "adaptive_9x8_to_1x1": (9, 8, 1, 1)}.items():
        x = randn(2, 5, h, w)
        save(name, node("adaptive_avg_pool2d", output_size=[oh, ow]), [x], F.adaptive_avg_pool2d(x, (oh, ow)))
    x = randn(3, 37)
    wt = randn(13, 37) * 0.3
    b = randn(13)
    save("linear", node("linear", out_features=13, weight="w", bias="b"), [x[:, :, None, None]],
         F.linear(x, wt, b)[:, :, None, None], wt, b)
    save("linear_nobias", node("linear", out_features=13, weight="w", bias=None), [x[:, :, None, None]],
         F.linear(x, wt)[:, :, None, None], wt)
    x = randn(2, 7, 3, 5)
    mean, var, gamma, beta = randn(7), torch.rand(7, generator=gen) + 0.5, randn(7), randn(7)
    scale = gamma / torch.sqrt(var + 1e-3)
    save("channel_affine", node("channel_affine", scale="w", shift="b"), [x],
         F.batch_norm(x, mean, var, gamma, beta, False, 0.0, 1e-3), scale, beta - mean * scale)
    save("relu", node("relu"), [x], F.relu(x))
    # Wide enough to reach every piece: ReLU6's and hardswish's clamps at -3, 0, 3 and 6, tanh's saturation.
    wide = randn(2, 7, 3, 5) * 4
    for op, f in {"relu6": F.relu6, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "silu": F.silu,
                  "hardswish": F.hardswish, "hardsigmoid": F.hardsigmoid, "gelu": F.gelu}.items():
        save(op, node(op), [wide], f(wide))
    y = randn(2, 7, 3, 5)
    save("add", node("add", inputs=2), [x, y], x + y)
    gate = torch.sigmoid(randn(2, 7, 1, 1))
    save("scale_channels", node("scale_channels", inputs=2), [x, gate], x * gate)
    z = randn(2, 4, 3, 5)
    save("concat", node("concat", inputs=3), [x, z, y], torch.cat([x, z, y], 1))
    logits = randn(3, 11) * 5
    save("softmax", node("softmax"), [logits[:, :, None, None]], F.softmax(logits, 1)[:, :, None, None])
    save("log_softmax", node("log_softmax"), [logits[:, :, None, None]], F.log_softmax(logits, 1)[:, :, None, None])
    # ShuffleNet v2's ops, through torchvision's own channel_shuffle and chunk.
    from torchvision.models.shufflenetv2 import channel_shuffle
    x = randn(2, 12, 3, 5)
    save("channel_shuffle", node("channel_shuffle", groups=3), [x], channel_shuffle(x, 3))
    first, second = randn(2, 13, 3, 5).chunk(2, dim=1)
    whole = torch.cat([first, second], 1)
    save("channel_slice_first", node("channel_slice", start=0, end=7), [whole], first)
    save("channel_slice_second", node("channel_slice", start=7, end=13), [whole], second)
    # ConvNeXt's LayerNorm2d on a map whose mean is far from zero.
    x = randn(2, 37, 3, 5) * 2 + 10
    wt, b = 1 + 0.3 * randn(37), randn(37)
    save("layer_norm", node("layer_norm", eps=1e-6, weight="w", bias="b"), [x],
         F.layer_norm(x.permute(0, 2, 3, 1), (37,), wt, b, 1e-6).permute(0, 3, 1, 2), wt, b)
    x = randn(2, 5, 3, 4)
    save("flatten", node("flatten"), [x], torch.flatten(x.permute(0, 2, 3, 1), 1)[:, :, None, None])


if __name__ == "__main__":
    OUT = sys.argv[1]
    os.makedirs(OUT, exist_ok=True)
    main()
