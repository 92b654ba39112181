"""Modules with weights and BatchNorm statistics at the scale training leaves them, drawn from a seed: what
the fixture scripts compare VecNN with PyTorch on."""
import torch
import torch.nn as nn
from torchvision.models.regnet import ResBottleneckBlock


def trained_module(make, seed, input_size):
    """`make()` in eval mode with weights and BatchNorm statistics drawn from `seed`, and the generator the
    fixture's inputs are then drawn from. `input_size` (C, H, W) is what the BatchNorms are measured at."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed + 1000)
    model = make()
    init_like_trained(model, generator)
    randomize_batchnorm(model, generator, input_size)
    randomize_layernorm(model, generator)
    calm_residual_branches(model)
    scale_layers_like_trained(model, generator)
    model.eval()
    return model, generator


def init_like_trained(model, generator):
    """Weights at the scale training leaves them (He: std sqrt(2 / fan_in)), so that activations neither
    vanish nor explode and the output depends on the input. PyTorch's default init shrinks activations about
    threefold per layer: in the deep nets without BatchNorm the output would be mostly the last biases."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel()
            m.weight.data = torch.randn(m.weight.shape, generator=generator) * (2.0 / fan_in) ** 0.5
            if m.bias is not None:
                m.bias.data = 0.1 * torch.randn(m.bias.shape, generator=generator)


def randomize_batchnorm(model, generator, size):
    """BatchNorm statistics as training leaves them: measured in train mode on a random batch, so that
    activations stay of order one however deep the network (ResNet-152's outputs would reach 1e11
    otherwise), then perturbed, because real BatchNorms are not exactly normalising and folding must get
    every term right. num_batches_tracked as a trained file has it."""
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if not norms:
        return
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a plain average over the calibration batch
    model.train()
    with torch.no_grad():
        model(torch.randn((4,) + size, generator=generator))
    for m in norms:
        c = m.num_features
        m.weight.data = 1 + 0.2 * torch.randn(c, generator=generator)
        m.bias.data = 0.2 * torch.randn(c, generator=generator)
        m.running_mean += 0.2 * torch.randn(c, generator=generator) * m.running_var.sqrt()
        m.running_var *= 0.5 + torch.rand(c, generator=generator)
        m.num_batches_tracked = torch.tensor(1000)
        m.momentum = 0.1


def calm_residual_branches(model, factor=0.3):
    """Scales the last BatchNorm of every inverted-residual branch (MobileNet, EfficientNet blocks that add
    their input back; MNASNet's, which say apply_residual; RegNet's bottleneck blocks without a projection,
    whose input is added back as is) by `factor`, as training leaves such branches small next to the
    identity. At full He scale a deep stack of them is chaotic: EfficientNet V2-S's output in float32 and in
    float64 PyTorch then differ by 50 %, so no float32 engine could be held to 1e-4 of it; RegNetY-400MF's
    grows to 3e4 and its float32 output differs from float64's by 8e-5 of it."""
    for block in model.modules():
        identity_added = getattr(block, "use_res_connect", False) or getattr(block, "apply_residual", False)
        if isinstance(block, ResBottleneckBlock) and block.proj is None:
            identity_added = True
        if identity_added:
            norms = [m for m in block.modules() if isinstance(m, nn.BatchNorm2d)]
            if norms:
                norms[-1].weight.data *= factor
                norms[-1].bias.data *= factor


def randomize_layernorm(model, generator):
    """LayerNorm weights and biases away from PyTorch's 1 and 0, as training leaves them, so that a converter
    that dropped or transposed them would show."""
    for m in model.modules():
        if isinstance(m, nn.LayerNorm) and m.elementwise_affine:
            m.weight.data = 1 + 0.2 * torch.randn(m.weight.shape, generator=generator)
            m.bias.data = 0.2 * torch.randn(m.bias.shape, generator=generator)


def scale_layers_like_trained(model, generator):
    """ConvNeXt's per-channel layer_scale: torchvision initialises it to 1e-6, at which every block is the identity
    to float32 precision and the fixture would test only the stem and the head; trained ConvNeXts end with
    branches scaled by about 0.1 to 0.5."""
    for m in model.modules():
        scale = getattr(m, "layer_scale", None)
        if isinstance(scale, nn.Parameter):
            scale.data = 0.1 + 0.4 * torch.rand(scale.shape, generator=generator)
