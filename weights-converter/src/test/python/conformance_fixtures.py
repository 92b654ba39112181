"""Writes the PyTorch conformance fixtures VecNN's tests compare against.

For every built-in architecture (and a few variants a user would bring: a narrower AlexNet, a ResNet-18
fine-tuned to 7 classes, a CIFAR ResNet-20 for 100 classes): a state dict saved with torch.save from
torchvision's own modules (seed 001's LeNet5 as written there; the CIFAR-10 tutorial Net and CIFAR ResNets
as cifar_nets writes them), with seeded weights at the scale of a trained network and non-trivial
BatchNorm statistics; seeded inputs at batch 1 and 2 (and 3 for the first three networks), at the default input size and at one other size;
and the eval-mode output of the module on them. GoogLeNet and Inception v3 run with transform_input on
(torchvision's setting for the published weights) and off. Run as
    python3 conformance_fixtures.py OUT_DIR
It writes OUT_DIR/manifest.json listing every case and run. The tests cache OUT_DIR by the sha256 of
this file and the modules it imports from here, so any change to them regenerates the fixtures (2.2 GB,
half of it VGG16's weights).
"""
import copy
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.vgg import VGG, cfgs, make_layers

from cifar_nets import CIFAR_NETS
from seed001_nets import lenet5
from trained_like import trained_module


def narrow_alexnet():
    """torchvision's AlexNet with half the conv widths, a 1024-wide classifier and 10 classes."""
    model = torchvision.models.alexnet(num_classes=10)
    model.features[0] = nn.Conv2d(3, 32, kernel_size=11, stride=4, padding=2)
    model.features[3] = nn.Conv2d(32, 96, kernel_size=5, padding=2)
    model.features[6] = nn.Conv2d(96, 192, kernel_size=3, padding=1)
    model.features[8] = nn.Conv2d(192, 128, kernel_size=3, padding=1)
    model.features[10] = nn.Conv2d(128, 128, kernel_size=3, padding=1)
    model.classifier[1] = nn.Linear(128 * 6 * 6, 1024)
    model.classifier[4] = nn.Linear(1024, 1024)
    model.classifier[6] = nn.Linear(1024, 10)
    return model


def quarter_vgg(cfg, batch_norm):
    """torchvision's VGG module and make_layers at a quarter of the widths, with a 256-wide classifier.

    The other depths differ from VGG16 (tested at full width) only in their layer lists; at full width
    each would add 0.5 GB of weights and a minute of test time.
    """
    def make():
        layers = [v if v == "M" else v // 4 for v in cfgs[cfg]]
        model = VGG(make_layers(layers, batch_norm=batch_norm), num_classes=100)
        model.classifier[0] = nn.Linear(128 * 7 * 7, 256)
        model.classifier[3] = nn.Linear(256, 256)
        model.classifier[6] = nn.Linear(256, 100)
        return model
    return make


def tv(name, **kwargs):
    return lambda: getattr(torchvision.models, name)(**kwargs)


DEFAULT = (3, 224, 224)
CIFAR = (3, 32, 32)
# name: (VecNN architecture, module factory, other input size, runs at the other size)
CASES = {
    "lenet5": ("lenet5", lenet5, (3, 32, 32), (3, 33, 32)),
    "alexnet": ("alexnet", tv("alexnet"), DEFAULT, (3, 256, 240)),
    "alexnet_narrow": ("alexnet", narrow_alexnet, DEFAULT, (3, 63, 63)),
    "vgg11": ("vgg11", quarter_vgg("A", False), DEFAULT, (3, 32, 32)),
    "vgg11_bn": ("vgg11_bn", quarter_vgg("A", True), DEFAULT, (3, 40, 48)),
    "vgg13": ("vgg13", quarter_vgg("B", False), DEFAULT, (3, 48, 40)),
    "vgg13_bn": ("vgg13_bn", quarter_vgg("B", True), DEFAULT, (3, 64, 56)),
    "vgg16": ("vgg16", tv("vgg16"), DEFAULT, (3, 64, 48)),
    "vgg16_bn": ("vgg16_bn", tv("vgg16_bn"), DEFAULT, (3, 48, 64)),
    "vgg19": ("vgg19", quarter_vgg("E", False), DEFAULT, (3, 56, 64)),
    "vgg19_bn": ("vgg19_bn", quarter_vgg("E", True), DEFAULT, (3, 32, 40)),
    "googlenet": ("googlenet", tv("googlenet", init_weights=False), DEFAULT, (3, 97, 83)),
    "resnet18": ("resnet18", tv("resnet18"), DEFAULT, (3, 160, 128)),
    "resnet18_7class": ("resnet18", tv("resnet18", num_classes=7), DEFAULT, (3, 97, 97)),
    "resnet34": ("resnet34", tv("resnet34"), DEFAULT, (3, 97, 113)),
    "resnet50": ("resnet50", tv("resnet50"), DEFAULT, (3, 128, 96)),
    "resnet101": ("resnet101", tv("resnet101"), DEFAULT, (3, 64, 64)),
    "resnet152": ("resnet152", tv("resnet152"), DEFAULT, (3, 80, 64)),
    "inception_v3": ("inception_v3", tv("inception_v3", init_weights=False), (3, 299, 299), (3, 139, 101)),
    "mobilenet_v2": ("mobilenet_v2", tv("mobilenet_v2"), DEFAULT, (3, 97, 131)),
    "mobilenet_v2_10class": ("mobilenet_v2", tv("mobilenet_v2", num_classes=10), DEFAULT, (3, 32, 32)),
    "mobilenet_v3_large": ("mobilenet_v3_large", tv("mobilenet_v3_large"), DEFAULT, (3, 113, 97)),
    "mobilenet_v3_small": ("mobilenet_v3_small", tv("mobilenet_v3_small", num_classes=10), DEFAULT, (3, 64, 64)),
    "efficientnet_b0": ("efficientnet_b0", tv("efficientnet_b0"), DEFAULT, (3, 129, 111)),
    "efficientnet_b2": ("efficientnet_b2", tv("efficientnet_b2", num_classes=10), (3, 288, 288), (3, 64, 80)),
    "efficientnet_v2_s": ("efficientnet_v2_s", tv("efficientnet_v2_s"), (3, 384, 384), (3, 96, 96)),
    "resnext50_32x4d": ("resnext50_32x4d", tv("resnext50_32x4d"), DEFAULT, (3, 64, 64)),
    "wide_resnet50_2": ("wide_resnet50_2", tv("wide_resnet50_2"), DEFAULT, (3, 64, 80)),
    "squeezenet1_0": ("squeezenet1_0", tv("squeezenet1_0"), DEFAULT, (3, 97, 113)),
    "squeezenet1_1": ("squeezenet1_1", tv("squeezenet1_1"), DEFAULT, (3, 113, 97)),
    "densenet121": ("densenet121", tv("densenet121"), DEFAULT, (3, 64, 64)),
    "densenet169": ("densenet169", tv("densenet169", num_classes=10), DEFAULT, (3, 72, 64)),
    "cifar_net": ("cifar_net", CIFAR_NETS["cifar_net"], CIFAR, (3, 35, 34)),
    "resnet20": ("resnet20", CIFAR_NETS["resnet20"], CIFAR, (3, 40, 40)),
    "resnet20_100class": ("resnet20", lambda: CIFAR_NETS["resnet20"](num_classes=100), CIFAR, (3, 33, 33)),
    "resnet32": ("resnet32", CIFAR_NETS["resnet32"], CIFAR, (3, 24, 24)),
    "resnet44": ("resnet44", CIFAR_NETS["resnet44"], CIFAR, (3, 36, 36)),
    "resnet56": ("resnet56", CIFAR_NETS["resnet56"], CIFAR, (3, 40, 40)),
    "resnet110": ("resnet110", CIFAR_NETS["resnet110"], CIFAR, (3, 29, 29)),
    "resnet1202": ("resnet1202", CIFAR_NETS["resnet1202"], CIFAR, (3, 16, 16)),
    # Appended, so that the earlier cases keep their seeds.
    "regnet_x_400mf": ("regnet_x_400mf", tv("regnet_x_400mf"), DEFAULT, (3, 64, 64)),
    "regnet_y_400mf": ("regnet_y_400mf", tv("regnet_y_400mf"), DEFAULT, (3, 97, 81)),
    "regnet_y_800mf_10class": ("regnet_y_800mf", tv("regnet_y_800mf", num_classes=10), DEFAULT, (3, 64, 64)),
    "mnasnet0_5": ("mnasnet0_5", tv("mnasnet0_5"), DEFAULT, (3, 97, 113)),
    "mnasnet1_0_10class": ("mnasnet1_0", tv("mnasnet1_0", num_classes=10), DEFAULT, (3, 64, 64)),
    "shufflenet_v2_x0_5": ("shufflenet_v2_x0_5", tv("shufflenet_v2_x0_5"), DEFAULT, (3, 97, 113)),
    "shufflenet_v2_x1_0_10class": ("shufflenet_v2_x1_0", tv("shufflenet_v2_x1_0", num_classes=10), DEFAULT,
                                   (3, 64, 64)),
    "convnext_tiny": ("convnext_tiny", tv("convnext_tiny"), DEFAULT, (3, 64, 64)),
    "convnext_small_10class": ("convnext_small", tv("convnext_small", num_classes=10), DEFAULT, (3, 96, 64)),
}
TRANSFORM_INPUT = {"googlenet", "inception_v3"}


# The first end-to-end path (lenet5, resnet18, resnet50) is also held to batch 3 at its default size.
BATCH_3 = {"lenet5", "resnet18", "resnet50"}


def runs(name, default, other):
    """(size, batch, transform_input) of every run: both batches at both sizes; transform_input on at
    the default size (as for the published weights), off and on at the other."""
    if name not in TRANSFORM_INPUT:
        extra = [(default, 3, None)] if name in BATCH_3 else []
        return [(size, batch, None) for size in (default, other) for batch in (1, 2)] + extra
    return [(default, 1, True), (default, 2, True), (other, 1, False), (other, 2, False), (other, 2, True)]


def run_id(name, size, batch, transform):
    suffix = "" if transform is None else (".transform" if transform else ".no_transform")
    return "%s.%s.b%d%s" % (name, "x".join(map(str, size)), batch, suffix)


def check_well_conditioned(what, model, x, y):
    """Float32 rounding must not decide the output: PyTorch's own float64 result agrees within 1e-5, so that
    the 1e-4 the tests allow measures VecNN, not the fixture's sensitivity."""
    double = copy.deepcopy(model).double()
    with torch.no_grad():
        y64 = double(x.double())
    spread = ((y.double() - y64).abs().max() / y64.abs().max()).item()
    assert spread < 1e-5, "%s: float32 and float64 PyTorch differ by %.2g of the output" % (what, spread)


def check_informative(what, x, y):
    """A network whose output ignores its input would make the comparison prove little."""
    if y.shape[0] > 1:
        spread = (y[0] - y[1]).abs().max().item()
        assert spread > 1e-3 * y.abs().max().item(), "%s: output barely depends on the input" % what


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    manifest = []
    for seed, (name, (arch, make, default, other)) in enumerate(CASES.items()):
        model, generator = trained_module(make, 1000 + seed, default)
        weights = name + ".pth"
        torch.save(model.state_dict(), os.path.join(out_dir, weights))
        inputs = {}
        case_runs = []
        outputs = {}
        for size, batch, transform in runs(name, default, other):
            if (size, batch) not in inputs:
                inputs[(size, batch)] = torch.randn((batch,) + size, generator=generator)
            x = inputs[(size, batch)]
            if transform is not None:
                model.transform_input = transform
            with torch.no_grad():
                y = model(x)
            rid = run_id(name, size, batch, transform)
            check_informative(rid, x, y)
            if size == other and batch == 1 and transform is not True:
                check_well_conditioned(rid, model, x, y)
            outputs[(size, batch, transform)] = y
            np.save(os.path.join(out_dir, rid + ".input.npy"), x.numpy().astype(np.float32))
            np.save(os.path.join(out_dir, rid + ".expected.npy"), y.numpy().astype(np.float32))
            case_runs.append({"id": rid, "input_size": list(size), "batch": batch, "transform_input": transform,
                              "input": rid + ".input.npy", "expected": rid + ".expected.npy"})
        if name in TRANSFORM_INPUT:
            on, off = outputs[(other, 2, True)], outputs[(other, 2, False)]
            assert (on - off).abs().max() > 1e-3 * off.abs().max(), name + ": transform_input changes nothing"
        manifest.append({"name": name, "arch": arch, "default_size": list(default), "weights": weights,
                         "runs": case_runs})
        print("fixture", name, "written", flush=True)
        del model
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump({"cases": manifest}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
