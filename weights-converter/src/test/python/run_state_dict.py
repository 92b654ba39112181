"""Loads a state dict into PyTorch's own module with load_state_dict(strict=True) and runs it.

    python3 run_state_dict.py ARCH WEIGHTS.pth INPUT.npy OUTPUT.npy TRANSFORM_INPUT(0|1)
Shows that a file VecNN wrote is a real torch.save file of that architecture, and gives PyTorch's
output on it for the comparison with VecNN's. The classifier width comes from the file (fc, or the last
Linear of VGG's, MobileNet v3's, ConvNeXt's or the others' classifier); GoogLeNet and
Inception v3 get their aux heads when the file has them, and the given transform_input.
"""
import sys

import numpy as np
import torch
import torchvision

from cifar_nets import CIFAR_NETS
from seed001_nets import lenet5

AUX = {"googlenet": "aux1.", "inception_v3": "AuxLogits."}


def build(arch, state, transform_input):
    if arch == "lenet5":
        model = lenet5()
        # Seed 001 hard-codes 10 classes; a fine-tuned copy replaces the last layer, as users do.
        model.fullconn_layer[4] = torch.nn.Linear(84, state["fullconn_layer.4.weight"].shape[0])
        return model
    if arch in CIFAR_NETS:
        classifier = "linear.weight" if "linear.weight" in state else "fc3.weight"
        return CIFAR_NETS[arch](num_classes=state[classifier].shape[0])
    classifier = next(k for k in ("fc.weight", "classifier.6.weight", "classifier.3.weight", "classifier.2.weight",
                                  "classifier.1.weight", "classifier.weight") if k in state)
    kwargs = {"num_classes": state[classifier].shape[0]}
    if arch in AUX:
        kwargs.update(init_weights=False, transform_input=transform_input,
                      aux_logits=any(k.startswith(AUX[arch]) for k in state))
    return getattr(torchvision.models, arch)(**kwargs)


def main(arch, weights, input_path, output_path, transform_input):
    state = torch.load(weights)
    model = build(arch, state, transform_input == "1")
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        y = model(torch.from_numpy(np.load(input_path)))
    np.save(output_path, y.numpy().astype(np.float32))


if __name__ == "__main__":
    main(*sys.argv[1:6])
