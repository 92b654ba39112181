package io.vecnn.converter.arch;

import io.vecnn.Shape;
import io.vecnn.converter.statedict.StateDict;

import java.util.Map;

/** A network family known by name: how its modules are wired, as in its PyTorch {@code forward}. */
public interface Architecture {

    /** Its name, summary, default input size and classifier width. */
    ArchitectureInfo info();

    /** The name used on the command line and in model files, e.g. {@code resnet18}. */
    default String name() {
        return info().name();
    }

    default String description() {
        return info().description();
    }

    /** The input size the published weights expect. */
    default Shape defaultInput() {
        return info().defaultInput();
    }

    /** The width of the classifier when nothing else says otherwise (synthetic weights). */
    default int defaultNumClasses() {
        return info().defaultNumClasses();
    }

    /**
     * Builds the network on {@code x}. Channel counts given here are defaults: when converting a file,
     * output widths come from its weight shapes.
     */
    Value forward(NetworkBuilder nn, Value x, int numClasses);

    /**
     * Whether a file whose keys this architecture asks for also has its widths: for members of a family whose
     * keys are the same (EfficientNet-B1 and B2 differ only in width), {@code --arch auto} asks this of each.
     */
    default boolean hasWidthsOf(StateDict weights) {
        return true;
    }

    /**
     * The versions PyTorch keeps in a state dict's {@code _metadata} for modules that check them when loading,
     * by module prefix ({@code ""} for the network itself): a file VecNN writes carries them so that PyTorch
     * loads it. Empty for modules whose loading ignores the version.
     */
    default Map<String, Integer> moduleVersions() {
        return Map.of();
    }

    /** Builds the whole network from a weight source, at the given input size. */
    default NetworkBuilder.Built build(WeightSource source, Shape input, int numClasses) {
        NetworkBuilder nn = new NetworkBuilder(source);
        return nn.build(forward(nn, nn.input(input), numClasses));
    }
}
