"""Writes the PyTorch conformance fixtures VecNN's tests compare against.

For each case: a state dict saved with torch.save, seeded inputs at batch 1 and batch 3, and the
eval-mode output of PyTorch's own modules on them. Run as
    python3 conformance_fixtures.py OUT_DIR
The tests cache OUT_DIR by the sha256 of this file, so any change here regenerates the fixtures.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision


class LeNet5(nn.Module):
    """Seed 001's LeNet5, as written there (3x32x32 input, no activation between the conv stages)."""

    def __init__(self):
        super(LeNet5, self).__init__()
        self.conv_layer = nn.Sequential(
            nn.Conv2d(in_channels=3, out_channels=6, kernel_size=5, stride=1, padding=0),
            nn.MaxPool2d(kernel_size=2, stride=2, padding=0),
            nn.Conv2d(in_channels=6, out_channels=16, kernel_size=5, stride=1, padding=0),
            nn.MaxPool2d(kernel_size=2, stride=2, padding=0)
        )
        self.fullconn_layer = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, 10),
        )

    def forward(self, x):
        output = self.conv_layer(x)
        output = output.view(x.size(0), -1)
        output = self.fullconn_layer(output)
        return output


CASES = {
    "lenet5": (LeNet5, (3, 32, 32)),
    "resnet18": (lambda: torchvision.models.resnet18(), (3, 224, 224)),
    "resnet50": (lambda: torchvision.models.resnet50(), (3, 224, 224)),
}


def randomize_batchnorm(model, generator):
    """Fresh BatchNorms are the identity; real ones are not, and folding must get them right."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.weight.data = 1 + 0.2 * torch.randn(c, generator=generator)
            m.bias.data = 0.2 * torch.randn(c, generator=generator)
            m.running_mean = 0.2 * torch.randn(c, generator=generator)
            m.running_var = 0.5 + torch.rand(c, generator=generator)
            m.num_batches_tracked = torch.tensor(1000)


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    for seed, (name, (make, shape)) in enumerate(CASES.items()):
        torch.manual_seed(1000 + seed)
        generator = torch.Generator().manual_seed(2000 + seed)
        model = make()
        randomize_batchnorm(model, generator)
        model.eval()
        torch.save(model.state_dict(), os.path.join(out_dir, name + ".pth"))
        for batch in (1, 3):
            x = torch.randn((batch,) + shape, generator=generator)
            with torch.no_grad():
                y = model(x)
            np.save(os.path.join(out_dir, "%s.input%d.npy" % (name, batch)), x.numpy().astype(np.float32))
            np.save(os.path.join(out_dir, "%s.expected%d.npy" % (name, batch)), y.numpy().astype(np.float32))
        print("fixture", name, "written", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
