"""Loads a state dict into PyTorch's own module with load_state_dict(strict=True) and runs it.

    python3 run_state_dict.py ARCH WEIGHTS.pth INPUT.npy OUTPUT.npy
Shows that a file VecNN wrote is a real torch.save file of that architecture, and gives PyTorch's
output on it for the comparison with VecNN's.
"""
import sys

import numpy as np
import torch
import torchvision

from conformance_fixtures import LeNet5


def build(arch, state):
    if arch == "lenet5":
        model = LeNet5()
        # Seed 001 hard-codes 10 classes; a fine-tuned copy replaces the last layer, as users do.
        model.fullconn_layer[4] = torch.nn.Linear(84, state["fullconn_layer.4.weight"].shape[0])
        return model
    num_classes = state["fc.weight"].shape[0]
    return getattr(torchvision.models, arch)(num_classes=num_classes)


def main(arch, weights, input_path, output_path):
    state = torch.load(weights)
    model = build(arch, state)
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        y = model(torch.from_numpy(np.load(input_path)))
    np.save(output_path, y.numpy().astype(np.float32))


if __name__ == "__main__":
    main(*sys.argv[1:5])
