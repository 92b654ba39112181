package io.vecnn.converter.arch;

import io.vecnn.VecnnException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The built-in architectures by name. */
public final class Architectures {
    private static final Map<String, Supplier<Architecture>> BUILT_IN = new LinkedHashMap<>();

    static {
        BUILT_IN.put("lenet5", LeNet5::new);
        BUILT_IN.put("alexnet", AlexNet::new);
        BUILT_IN.put("vgg11", () -> VGG.vgg11(false));
        BUILT_IN.put("vgg11_bn", () -> VGG.vgg11(true));
        BUILT_IN.put("vgg13", () -> VGG.vgg13(false));
        BUILT_IN.put("vgg13_bn", () -> VGG.vgg13(true));
        BUILT_IN.put("vgg16", () -> VGG.vgg16(false));
        BUILT_IN.put("vgg16_bn", () -> VGG.vgg16(true));
        BUILT_IN.put("vgg19", () -> VGG.vgg19(false));
        BUILT_IN.put("vgg19_bn", () -> VGG.vgg19(true));
        // transform_input on, as torchvision sets it for the published weights.
        BUILT_IN.put("googlenet", () -> new GoogLeNet(true));
        BUILT_IN.put("resnet18", ResNet::resnet18);
        BUILT_IN.put("resnet34", ResNet::resnet34);
        BUILT_IN.put("resnet50", ResNet::resnet50);
        BUILT_IN.put("resnet101", ResNet::resnet101);
        BUILT_IN.put("resnet152", ResNet::resnet152);
        // ResNeXt and Wide ResNet have ResNet's keys: recognition tells them apart by their widths.
        BUILT_IN.put("resnext50_32x4d", ResNet::resnext50_32x4d);
        BUILT_IN.put("resnext101_32x8d", ResNet::resnext101_32x8d);
        BUILT_IN.put("resnext101_64x4d", ResNet::resnext101_64x4d);
        BUILT_IN.put("wide_resnet50_2", ResNet::wide_resnet50_2);
        BUILT_IN.put("wide_resnet101_2", ResNet::wide_resnet101_2);
        BUILT_IN.put("squeezenet1_0", SqueezeNet::v1_0);
        BUILT_IN.put("squeezenet1_1", SqueezeNet::v1_1);
        BUILT_IN.put("densenet121", DenseNet::densenet121);
        BUILT_IN.put("densenet161", DenseNet::densenet161);
        BUILT_IN.put("densenet169", DenseNet::densenet169);
        BUILT_IN.put("densenet201", DenseNet::densenet201);
        BUILT_IN.put("inception_v3", () -> new InceptionV3(true));
        BUILT_IN.put("mobilenet_v2", MobileNetV2::new);
        BUILT_IN.put("mobilenet_v3_large", MobileNetV3::large);
        BUILT_IN.put("mobilenet_v3_small", MobileNetV3::small);
        for (int b = 0; b <= 7; b++) {
            int n = b;
            BUILT_IN.put("efficientnet_b" + n, () -> EfficientNet.b(n));
        }
        for (String size : new String[] {"s", "m", "l"}) {
            BUILT_IN.put("efficientnet_v2_" + size, () -> EfficientNet.v2(size));
        }
        BUILT_IN.put("regnet_y_400mf", RegNet::y400mf);
        BUILT_IN.put("regnet_y_800mf", RegNet::y800mf);
        BUILT_IN.put("regnet_y_1_6gf", RegNet::y1_6gf);
        BUILT_IN.put("regnet_y_3_2gf", RegNet::y3_2gf);
        BUILT_IN.put("regnet_y_8gf", RegNet::y8gf);
        BUILT_IN.put("regnet_y_16gf", RegNet::y16gf);
        BUILT_IN.put("regnet_y_32gf", RegNet::y32gf);
        BUILT_IN.put("regnet_x_400mf", RegNet::x400mf);
        BUILT_IN.put("regnet_x_800mf", RegNet::x800mf);
        BUILT_IN.put("regnet_x_1_6gf", RegNet::x1_6gf);
        BUILT_IN.put("regnet_x_3_2gf", RegNet::x3_2gf);
        BUILT_IN.put("regnet_x_8gf", RegNet::x8gf);
        BUILT_IN.put("regnet_x_16gf", RegNet::x16gf);
        BUILT_IN.put("regnet_x_32gf", RegNet::x32gf);
        BUILT_IN.put("mnasnet0_5", MNASNet::mnasnet0_5);
        BUILT_IN.put("mnasnet0_75", MNASNet::mnasnet0_75);
        BUILT_IN.put("mnasnet1_0", MNASNet::mnasnet1_0);
        BUILT_IN.put("mnasnet1_3", MNASNet::mnasnet1_3);
        BUILT_IN.put("shufflenet_v2_x0_5", ShuffleNetV2::x0_5);
        BUILT_IN.put("shufflenet_v2_x1_0", ShuffleNetV2::x1_0);
        BUILT_IN.put("shufflenet_v2_x1_5", ShuffleNetV2::x1_5);
        BUILT_IN.put("shufflenet_v2_x2_0", ShuffleNetV2::x2_0);
        BUILT_IN.put("convnext_tiny", ConvNeXt::tiny);
        BUILT_IN.put("convnext_small", ConvNeXt::small);
        BUILT_IN.put("convnext_base", ConvNeXt::base);
        BUILT_IN.put("convnext_large", ConvNeXt::large);
        BUILT_IN.put("cifar_net", CifarNet::new);
        // CIFAR-10 ResNets (option-A shortcuts), told apart from torchvision's by their keys.
        for (int depth : new int[] {20, 32, 44, 56, 110, 1202}) {
            BUILT_IN.put("resnet" + depth, () -> CifarResNet.of(depth));
        }
    }

    private Architectures() {}

    public static Set<String> names() {
        return BUILT_IN.keySet();
    }

    public static Architecture get(String name) {
        Supplier<Architecture> arch = BUILT_IN.get(name);
        if (arch == null) {
            throw new VecnnException("unknown architecture '" + name + "'; known: " + String.join(", ", names()));
        }
        return arch.get();
    }
}
