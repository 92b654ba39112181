"""The two CIFAR-10 networks most often found in the wild, rewritten here from their published descriptions:
the Net of PyTorch's "Training a classifier" tutorial, and the CIFAR ResNets of He et al. (section 4.2) under
the module names of akamaster/pytorch_resnet_cifar10 (conv1, bn1, layerS.B.conv1, ..., linear), whose
state dicts are the ones users bring."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class TutorialNet(nn.Module):
    """Two 5x5 convolutions, each through ReLU and one shared 2x2 max pool, then three Linear layers."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class SubsampleAndPad(nn.Module):
    """Option A of the paper: a shortcut without parameters that keeps every second pixel in both directions
    and puts `pad` zero channels before and after the input's."""

    def __init__(self, pad):
        super().__init__()
        self.pad = pad

    def forward(self, x):
        return F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad), "constant", 0)


class Block(nn.Module):
    """Two 3x3 conv + BatchNorm pairs around a residual connection; the first conv strides."""

    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        if stride != 1 or in_planes != planes:
            self.shortcut = SubsampleAndPad(planes // 4)
        else:
            self.shortcut = nn.Sequential()

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class CifarResNet(nn.Module):
    """Depth 6n + 2: a 16-channel 3x3 stem, n blocks at each of 16, 32 and 64 channels, the last two stages
    starting with a stride of 2, average pooling over a window as wide as the final map, and `linear`."""

    def __init__(self, depth, num_classes=10):
        super().__init__()
        assert (depth - 2) % 6 == 0, depth
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        in_planes = 16
        for stage, planes in enumerate((16, 32, 64)):
            blocks = []
            for i in range(n):
                blocks.append(Block(in_planes, planes, 2 if stage > 0 and i == 0 else 1))
                in_planes = planes
            setattr(self, "layer%d" % (stage + 1), nn.Sequential(*blocks))
        self.linear = nn.Linear(64, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = F.avg_pool2d(x, x.size()[3])
        return self.linear(x.view(x.size(0), -1))


def cifar_resnet(depth):
    return lambda num_classes=10: CifarResNet(depth, num_classes)


# VecNN architecture name: module factory taking num_classes.
CIFAR_NETS = {"cifar_net": TutorialNet}
CIFAR_NETS.update({"resnet%d" % d: cifar_resnet(d) for d in (20, 32, 44, 56, 110, 1202)})
