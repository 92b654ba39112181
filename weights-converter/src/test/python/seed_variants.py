"""Writes fixtures for the seeds' own network variants, which the specs in weights-converter/specs describe,
and for two small networks whose activations only a spec can name (LeCun's tanh LeNet-5, an activation zoo).

Each network is built as the seed wrote it: its classes copied verbatim, the seed's comments dropped (each
seed's classes live inside one function because seed 001 defines two different `AlexNet`s, `GoogLeNet`s and
`Inception`s). What the seeds write alike is written once: the Inception block of seeds 001 and 004
(SeedInception), the form of seed 001's networks (seed001_nets.py), and its VGG-16 layers, which are
torchvision's. For each: weights and BatchNorm statistics as
training leaves them (trained_like.py), eval mode, the state dict saved with torch.save, an input batch and
PyTorch's output on it. Run as
    python3 seed_variants.py OUT_DIR
The tests cache OUT_DIR by the sha256 of this file and the modules it imports from here, so any change to
them regenerates the fixtures.
"""
import functools
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.ops import SqueezeExcitation

from seed001_nets import FeaturesThenClassifier
from trained_like import trained_module


class SeedInception(nn.Module):
    """The Inception block seeds 001 and 004 write alike but for the conv block each passes in: 1x1; 1x1 then
    3x3; 1x1 then 5x5; 3x3 max pool then 1x1; concatenated (the seeds' own copies differ in names only)."""
    def __init__(self, conv_block, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = conv_block(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(
            conv_block(in_channels, ch3x3red, kernel_size=1),
            conv_block(ch3x3red, ch3x3, kernel_size=3, padding=1)
        )
        self.branch3 = nn.Sequential(
            conv_block(in_channels, ch5x5red, kernel_size=1),
            conv_block(ch5x5red, ch5x5, kernel_size=5, padding=2)
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1),
            conv_block(in_channels, pool_proj, kernel_size=1)
        )
    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


def seed001_cifar_alexnet():
    return FeaturesThenClassifier(
        nn.Sequential(
            nn.Conv2d(in_channels=3,out_channels=48,kernel_size=3,stride=1,padding=1),
            nn.MaxPool2d(kernel_size=2, stride=2, padding=0),
            nn.ReLU(),
            nn.BatchNorm2d(48),
            nn.Conv2d(in_channels=48,out_channels=128,kernel_size=3,stride=1,padding=1),
            nn.MaxPool2d(kernel_size=2, stride=2, padding=0),
            nn.ReLU(),
            nn.BatchNorm2d(128),
            nn.Conv2d(in_channels=128,out_channels=192,kernel_size=3,stride=1,padding=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=192,out_channels=192,kernel_size=3,stride=1,padding=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=192,out_channels=128,kernel_size=3,stride=1,padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2, padding=0),
        ),
        nn.Sequential(
            nn.Linear(128*4*4,2048),
            nn.ReLU(),
            nn.Dropout(p=0.5),
            nn.Linear(2048,2048),
            nn.ReLU(),
            nn.Dropout(p=0.5),
            nn.Linear(2048,10),
        ))


def seed001_cifar_vgg16():
    """torchvision's VGG-16 layers (its `features` are the seed's `conv_layer`), the first Linear taking the
    512 features of a 32x32 input as the seed's does; no average pool."""
    vgg = torchvision.models.vgg16(num_classes=10)
    vgg.classifier[0] = nn.Linear(512, 4096)
    return FeaturesThenClassifier(vgg.features, vgg.classifier)


def seed001_se_vgg():
    """SE_VGG: torchvision's VGG-16 layers under other names and without the average pool, so 224x224 only."""
    vgg = torchvision.models.vgg16(num_classes=1000)
    return FeaturesThenClassifier(vgg.features, vgg.classifier, names=("extract_feature", "classifier"))


def seed001_cifar_googlenet():
    class Conv_ReLU(nn.Module):
        def __init__(self, in_channels, out_channels, **kwargs):
            super(Conv_ReLU,self).__init__()
            self.model = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, **kwargs),
                nn.ReLU()
            )
        def forward(self, x):
            output = self.model(x)
            return output
    Inception = functools.partial(SeedInception, Conv_ReLU)
    class GoogLeNet(nn.Module):
        def __init__(self, ):
            super(GoogLeNet, self).__init__()
            self.conv_layer = nn.Sequential(
                Conv_ReLU(3, 64, kernel_size=7, stride=2, padding=3),
                nn.MaxPool2d(kernel_size=3, stride=2, padding=0),
                Conv_ReLU(64, 64, kernel_size=1),
                Conv_ReLU(64, 192, kernel_size=3, stride=1, padding=1),
                nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
                Inception(192, 64, 96, 128, 16, 32, 32),
                Inception(256, 128, 128, 192, 32, 96, 64),
                nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
                Inception(480, 192, 96, 208, 16, 48, 64),
                Inception(512, 160, 112, 224, 24, 64, 64),
                Inception(512, 128, 128, 256, 24, 64, 64),
                Inception(512, 112, 144, 288, 32, 64, 64),
                Inception(528, 256, 160, 320, 32, 128, 128),
                nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
                Inception(832, 256, 160, 320, 32, 128, 128),
                Inception(832, 384, 182, 384, 48, 128, 128),
                nn.AdaptiveAvgPool2d((1,1)),
            )
            self.fullconn_layer = nn.Sequential(
                nn.Dropout2d(p=0.4),
                nn.Linear(1024, 10)
            )
        def forward(self,x):
            output = self.conv_layer(x)
            output = output.view(x.size(0), -1)
            output = self.fullconn_layer(output)
            return output
    return GoogLeNet()


def seed001_googlenet_aux():
    class GoogLeNet(nn.Module):
        def __init__(self, num_classes=1000, aux_logits=True, init_weights=False):
            super(GoogLeNet, self).__init__()
            self.aux_logits = aux_logits
            self.conv1 = BasicConv2d(3, 64, kernel_size=7, stride=2, padding=3)
            self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
            self.conv2 = BasicConv2d(64, 64, kernel_size=1)
            self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
            self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
            self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32)
            self.inception3b = Inception(256, 128, 128, 192, 32, 96, 64)
            self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
            self.inception4a = Inception(480, 192, 96, 208, 16, 48, 64)
            self.inception4b = Inception(512, 160, 112, 224, 24, 64, 64)
            self.inception4c = Inception(512, 128, 128, 256, 24, 64, 64)
            self.inception4d = Inception(512, 112, 144, 288, 32, 64, 64)
            self.inception4e = Inception(528, 256, 160, 320, 32, 128, 128)
            self.maxpool4 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
            self.inception5a = Inception(832, 256, 160, 320, 32, 128, 128)
            self.inception5b = Inception(832, 384, 192, 384, 48, 128, 128)
            if self.aux_logits:
                self.aux1 = InceptionAux(512, num_classes)
                self.aux2 = InceptionAux(528, num_classes)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.dropout = nn.Dropout(0.4)
            self.fc = nn.Linear(1024, num_classes)
            if init_weights:
                self._initialize_weights()
        def forward(self, x):
            x = self.conv1(x)
            x = self.maxpool1(x)
            x = self.conv2(x)
            x = self.conv3(x)
            x = self.maxpool2(x)
            x = self.inception3a(x)
            x = self.inception3b(x)
            x = self.maxpool3(x)
            x = self.inception4a(x)
            if self.training and self.aux_logits:
                aux1 = self.aux1(x)
            x = self.inception4b(x)
            x = self.inception4c(x)
            x = self.inception4d(x)
            if self.training and self.aux_logits:
                aux2 = self.aux2(x)
            x = self.inception4e(x)
            x = self.maxpool4(x)
            x = self.inception5a(x)
            x = self.inception5b(x)
            x = self.avgpool(x)
            x = torch.flatten(x, 1)
            x = self.dropout(x)
            x = self.fc(x)
            if self.training and self.aux_logits:
                return x, aux2, aux1
            return x
        def _initialize_weights(self):
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)
    class InceptionAux(nn.Module):
        def __init__(self, in_channels, num_classes):
            super(InceptionAux, self).__init__()
            self.averagePool = nn.AvgPool2d(kernel_size=5, stride=3)
            self.conv = BasicConv2d(in_channels, 128, kernel_size=1)
            self.fc1 = nn.Linear(2048, 1024)
            self.fc2 = nn.Linear(1024, num_classes)
        def forward(self, x):
            x = self.averagePool(x)
            x = self.conv(x)
            x = torch.flatten(x, 1)
            x = F.dropout(x, 0.5, training=self.training)
            x = F.relu(self.fc1(x), inplace=True)
            x = F.dropout(x, 0.5, training=self.training)
            x = self.fc2(x)
            return x
    class BasicConv2d(nn.Module):
        def __init__(self, in_channels, out_channels, **kwargs):
            super(BasicConv2d, self).__init__()
            self.conv = nn.Conv2d(in_channels, out_channels, **kwargs)
            self.relu = nn.ReLU(inplace=True)
        def forward(self, x):
            x = self.conv(x)
            x = self.relu(x)
            return x
    Inception = functools.partial(SeedInception, BasicConv2d)
    return GoogLeNet()


def seed002_googlenet96():
    # The seed is a notebook whose dump lost the code's indentation; it is restored here, nothing else changed.
    def Conv_ReLU(in_channel, out_channel, kernel, stride=1, padding=0):
        layer = nn.Sequential(
            nn.Conv2d(in_channel, out_channel, kernel, stride, padding),
            nn.BatchNorm2d(out_channel, eps=1e-3),
            nn.ReLU(True)
        )
        return layer
    class Inception(nn.Module):
        def __init__(self, in_channel, out1_1, out2_1, out2_3, out3_1, out3_5, out4_1):
            super(Inception, self).__init__()
            self.branch1x1 = Conv_ReLU(in_channel, out1_1, 1)
            self.branch3x3 = nn.Sequential(
                Conv_ReLU(in_channel, out2_1, 1),
                Conv_ReLU(out2_1, out2_3, 3, padding=1)
            )
            self.branch5x5 = nn.Sequential(
                Conv_ReLU(in_channel, out3_1, 1),
                Conv_ReLU(out3_1, out3_5, 5, padding=2)
            )
            self.branch_pool = nn.Sequential(
                nn.MaxPool2d(3, stride=1, padding=1),
                Conv_ReLU(in_channel, out4_1, 1)
            )
        def forward(self, x):
            f1 = self.branch1x1(x)
            f2 = self.branch3x3(x)
            f3 = self.branch5x5(x)
            f4 = self.branch_pool(x)
            output = torch.cat((f1, f2, f3, f4), dim=1)
            return output
    class GoogLeNet(nn.Module):
        def __init__(self, in_channel, num_classes, verbose=False):
            super(GoogLeNet, self).__init__()
            self.verbose = verbose
            self.block1 = nn.Sequential(
                Conv_ReLU(in_channel, out_channel=64, kernel=7, stride=2, padding=3),
                nn.MaxPool2d(kernel_size=3, stride=2)
            )
            self.block2 = nn.Sequential(
                Conv_ReLU(64, 64, kernel=1),
                Conv_ReLU(64, 192, kernel=3, padding=1),
                nn.MaxPool2d(kernel_size=3, stride=2)
            )
            self.block3 = nn.Sequential(
                Inception(192, 64, 96, 128, 16, 32, 32),
                Inception(256, 128, 128, 192, 32, 96, 64),
                nn.MaxPool2d(kernel_size=3, stride=2)
            )
            self.block4 = nn.Sequential(
                Inception(480, 192, 96, 208, 16, 48, 64),
                Inception(512, 160, 112, 224, 24, 64, 64),
                Inception(512, 128, 128, 256, 24, 64, 64),
                Inception(512, 112, 144, 288, 32, 64, 64),
                Inception(528, 256, 160, 320, 32, 128, 128),
                nn.MaxPool2d(kernel_size=3, stride=2)
            )
            self.block5 = nn.Sequential(
                Inception(832, 256, 160, 320, 32, 128, 128),
                Inception(832, 384, 182, 384, 48, 128, 128),
                nn.AvgPool2d(kernel_size=2)
            )
            self.classifier = nn.Linear(1024, num_classes)
        def forward(self, x):
            x = self.block1(x)
            if self.verbose:
                print('block 1 output: {}'.format(x.shape))
            x = self.block2(x)
            if self.verbose:
                print('block 2 output: {}'.format(x.shape))
            x = self.block3(x)
            if self.verbose:
                print('block 3 output: {}'.format(x.shape))
            x = self.block4(x)
            if self.verbose:
                print('block 4 output: {}'.format(x.shape))
            x = self.block5(x)
            if self.verbose:
                print('block 5 output: {}'.format(x.shape))
            x = x.view(x.shape[0], -1)
            x = self.classifier(x)
            return x
    return GoogLeNet(3, 10)


def seed004_inception_v1():
    # The seed's text lost all indentation; it is restored here, nothing else changed.
    class conv_block(nn.Module):
        def __init__(self, in_channels, out_channels, **kwargs):
            super().__init__()
            self.conv = nn.Conv2d(in_channels, out_channels, bias = False, **kwargs)
            self.batchnorm = nn.BatchNorm2d(out_channels)
            self.relu = nn.ReLU()
        def forward(self, x):
            x = self.conv(x)
            x = self.batchnorm(x)
            x = self.relu(x)
            return x
    Inception_block = functools.partial(SeedInception, conv_block)
    class Inception_Aux(nn.Module):
        def __init__(self, in_channels, num_classes):
            super().__init__()
            self.avgpool = nn.AvgPool2d(kernel_size = 5, stride = 3)
            self.conv = conv_block(in_channels, 128, kernel_size = 1)
            self.fc1 = nn.Linear(128 * 4 * 4, 1024)
            self.relu = nn.ReLU()
            self.dropout = nn.Dropout2d(p = 0.7)
            self.fc2 = nn.Linear(1024, num_classes)
        def forward(self, x):
            x = self.avgpool(x)
            x = self.conv(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = self.relu(x)
            x = self.dropout(x)
            x = self.fc2(x)
            return x
    class Inception_V1(nn.Module):
        def __init__(self, num_classes = 1000, use_aux = True):
            super().__init__()
            in_channels = 3
            self.conv1 = conv_block(in_channels, 64, kernel_size = 7, stride = 2, padding = 3)
            self.maxpool1 = nn.MaxPool2d(3, stride = 2, padding = 1)
            self.conv2a = conv_block(64, 64, kernel_size = 1)
            self.conv2b = conv_block(64, 192, kernel_size = 3, stride = 1, padding = 1)
            self.maxpool2 = nn.MaxPool2d(3, stride = 2, padding = 1)
            self.inception_3a = Inception_block(192, 64, 96, 128, 16, 32, 32)
            self.inception_3b = Inception_block(256, 128, 128, 192, 32, 96, 64)
            self.maxpool3 = nn.MaxPool2d(kernel_size = 3, stride = 2, padding = 1)
            self.inception_4a = Inception_block(480, 192, 96, 208, 16, 48, 64)
            self.inception_4b = Inception_block(512, 160, 112, 224, 24, 64, 64)
            self.inception_4c = Inception_block(512, 128, 128, 256, 24, 64, 64)
            self.inception_4d = Inception_block(512, 112, 144, 288, 32, 64, 64)
            self.inception_4e = Inception_block(528, 256, 160, 320, 32, 128, 128)
            self.maxpool4 = nn.MaxPool2d(kernel_size = 3, stride = 2, padding = 1)
            self.inception_5a = Inception_block(832, 256, 160, 320, 32, 128, 128)
            self.inception_5b = Inception_block(832, 384, 192, 384, 48, 128, 128)
            if use_aux:
                self.aux1 = Inception_Aux(512, num_classes)
                self.aux2 = Inception_Aux(528, num_classes)
            else:
                self.aux1 = None
                self.aux2 = None
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.dropout = nn.Dropout(p = 0.4)
            self.linear= nn.Linear(1024, num_classes)
        def forward(self, x):
            x = self.conv1(x)
            x = self.maxpool1(x)
            x = self.conv2a(x)
            x = self.conv2b(x)
            x = self.maxpool2(x)
            x = self.inception_3a(x)
            x = self.inception_3b(x)
            x = self.maxpool3(x)
            x = self.inception_4a(x)
            if self.aux1 is not None and self.training:
                aux1 = self.aux1(x)
            else:
                aux1 = None
            x = self.inception_4b(x)
            x = self.inception_4c(x)
            x = self.inception_4d(x)
            if self.aux2 is not None and self.training:
                aux2 = self.aux2(x)
            else:
                aux2 = None
            x = self.inception_4e(x)
            x = self.maxpool4(x)
            x = self.inception_5a(x)
            x = self.inception_5b(x)
            x = self.avgpool(x)
            x = torch.flatten(x, 1)
            x = self.dropout(x)
            x = self.linear(x)
            return x, aux2, aux1
    return Inception_V1()


def lecun_lenet5_tanh():
    """LeNet-5 as LeCun et al. (1998) drew it, in the form PyTorch users write it: tanh after every layer
    but the last, average pools for the subsampling layers, C5 a 5x5 convolution over the 5x5 map."""
    class LeNet5Tanh(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(1, 6, 5)
            self.s2 = nn.AvgPool2d(2)
            self.c3 = nn.Conv2d(6, 16, 5)
            self.s4 = nn.AvgPool2d(2)
            self.c5 = nn.Conv2d(16, 120, 5)
            self.f6 = nn.Linear(120, 84)
            self.output = nn.Linear(84, 10)

        def forward(self, x):
            x = self.s2(torch.tanh(self.c1(x)))
            x = self.s4(torch.tanh(self.c3(x)))
            x = torch.flatten(torch.tanh(self.c5(x)), 1)
            return self.output(torch.tanh(self.f6(x)))
    return LeNet5Tanh()


def activation_zoo():
    """A small CIFAR network with every activation a spec can name, each where a real network puts it, and a
    squeeze-and-excitation block."""
    class ActivationZoo(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU6(),
                nn.Conv2d(12, 12, 3, padding=1, groups=12), nn.BatchNorm2d(12), nn.SiLU(),
                nn.Conv2d(12, 20, 1), nn.Hardswish(),
                nn.MaxPool2d(2),
                nn.Conv2d(20, 20, 5, stride=2, padding=2, groups=20), nn.GELU(),
                SqueezeExcitation(20, 8, activation=nn.SiLU, scale_activation=nn.Hardsigmoid),
                nn.Conv2d(20, 24, 1), nn.Sigmoid(),
                nn.AdaptiveAvgPool2d(2))
            self.classifier = nn.Sequential(nn.Linear(96, 32), nn.Hardsigmoid(), nn.Linear(32, 10), nn.Tanh())

        def forward(self, x):
            return self.classifier(torch.flatten(self.features(x), 1))
    return ActivationZoo()


# name: (constructor, input size, batch). The names are the spec files' names without ".json". SE_VGG runs at
# batch 1: at 224x224 it is 15.5 GMACs an image, the bulk of the tests' time on the reference executor,
# and the other variants already cover batches.
CASES = {
    "seed001-cifar-alexnet": (seed001_cifar_alexnet, (3, 32, 32), 2),
    "seed001-cifar-vgg16": (seed001_cifar_vgg16, (3, 32, 32), 2),
    "seed001-cifar-googlenet": (seed001_cifar_googlenet, (3, 32, 32), 2),
    "seed001-googlenet-aux": (seed001_googlenet_aux, (3, 224, 224), 2),
    "seed001-se-vgg": (seed001_se_vgg, (3, 224, 224), 1),
    "seed002-googlenet96": (seed002_googlenet96, (3, 96, 96), 2),
    "seed004-inception-v1": (seed004_inception_v1, (3, 224, 224), 2),
    "lecun-lenet5-tanh": (lecun_lenet5_tanh, (1, 32, 32), 3),
    "activation-zoo": (activation_zoo, (3, 32, 32), 2),
}


def main(out_dir):
    # Seed 001's CIFAR GoogLeNet applies Dropout2d to the flattened features; at inference that is the
    # identity, which is all the fixtures need, so torch's deprecation warning about it is noise here.
    warnings.filterwarnings("ignore", message="dropout2d: Received a 2-D input")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    for seed, (name, (make, shape, batch)) in enumerate(CASES.items()):
        model, generator = trained_module(make, 3000 + seed, shape)
        torch.save(model.state_dict(), os.path.join(out_dir, name + ".pth"))
        x = torch.randn((batch,) + shape, generator=generator)
        with torch.no_grad():
            y = model(x)
        if isinstance(y, tuple):
            y = y[0]  # Inception_V1 returns (logits, aux2, aux1) even in eval mode, the aux outputs being None
        np.save(os.path.join(out_dir, name + ".input.npy"), x.numpy().astype(np.float32))
        np.save(os.path.join(out_dir, name + ".expected.npy"), y.numpy().astype(np.float32))
        print("fixture", name, "written", tuple(y.shape), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
