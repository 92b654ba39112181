"""Seed 001's networks share one form: a Sequential of features, flattened, then a Sequential classifier,
under the names the seed gave them. Its LeNet5 is one of them (layers as written there)."""
import torch.nn as nn


class FeaturesThenClassifier(nn.Module):
    """`features`, the map flattened per image as the seed does (`output.view(x.size(0), -1)`), `classifier`;
    `names` are the two modules' names in the state dict."""

    def __init__(self, features, classifier, names=("conv_layer", "fullconn_layer")):
        super().__init__()
        self.names = names
        self.add_module(names[0], features)
        self.add_module(names[1], classifier)

    def forward(self, x):
        features, classifier = (getattr(self, name) for name in self.names)
        output = features(x)
        output = output.view(x.size(0), -1)
        return classifier(output)


def lenet5():
    """Seed 001's LeNet5: 3x32x32 input, no activation between the conv stages, 10 classes."""
    return FeaturesThenClassifier(
        nn.Sequential(
            nn.Conv2d(in_channels=3, out_channels=6, kernel_size=5, stride=1, padding=0),
            nn.MaxPool2d(kernel_size=2, stride=2, padding=0),
            nn.Conv2d(in_channels=6, out_channels=16, kernel_size=5, stride=1, padding=0),
            nn.MaxPool2d(kernel_size=2, stride=2, padding=0)
        ),
        nn.Sequential(
            nn.Linear(16 * 5 * 5, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, 10),
        ))
