package io.vecnn.bench.engines;

import io.vecnn.converter.arch.Architectures;

import java.util.Set;
import java.util.TreeSet;

/**
 * The built-ins the peer tests (ONNX export against ONNX Runtime, libtorch) run: all but the largest members of
 * families whose smaller members use the same ops. Their weights alone (0.2–0.8 GB) take minutes to synthesise,
 * export and load in each peer, for no op not already covered; every built-in, these included, is still
 * compared with PyTorch itself by the converter's conformance suite. ConvNeXt-Base also crashes libtorch 2.7.1
 * (a SIGABRT inside oneDNN's brgemm 1x1 convolution blocking, {@code brg_blocking_t::est_eff_1x1}), taking the
 * test JVM with it; ConvNeXt tiny and small run.
 */
final class PeerTestedArchitectures {
    private static final Set<String> LARGEST_SIBLINGS = Set.of(
            "resnext101_32x8d",
            "wide_resnet101_2",
            "densenet161",
            "densenet201",
            "efficientnet_b6",
            "efficientnet_b7",
            "efficientnet_v2_m",
            "efficientnet_v2_l",
            "regnet_y_16gf",
            "regnet_y_32gf",
            "regnet_x_16gf",
            "regnet_x_32gf",
            "convnext_base",
            "convnext_large",
            "resnet1202");

    private PeerTestedArchitectures() {}

    static Set<String> names() {
        Set<String> names = new TreeSet<>(Architectures.names());
        names.removeAll(LARGEST_SIBLINGS);
        return names;
    }
}
