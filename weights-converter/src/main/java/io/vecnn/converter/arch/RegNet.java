package io.vecnn.converter.arch;

import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * torchvision's RegNet X and Y, 400MF to 32GF: a 3x3 stride-2 stem to 32 channels (conv, BN, ReLU), four
 * stages of residual bottleneck blocks ({@code ResBottleneckBlock}: a 1x1, a grouped 3x3 carrying the stage's
 * stride, in RegNet Y a squeeze-and-excitation with ReLU and a sigmoid gate squeezing to a quarter of the
 * block's input width, a 1x1 without activation; the input added back, through a 1x1 conv and BN projection
 * where width or stride change; then ReLU), global average pool and one Linear. The stage widths, depths and
 * group widths come from the design space's parameters ({@code depth}, {@code w_0}, {@code w_a}, {@code w_m},
 * {@code group_width}) exactly as torchvision's {@code BlockParams.from_init_params} computes them. Keys are
 * torchvision's ({@code stem.0}, {@code trunk_output.block1.block1-0.f.a.0}, {@code fc}).
 */
public final class RegNet implements Architecture {
    private static final double BN_EPS = 1e-5;
    private static final int STEM_WIDTH = 32;
    private static final int QUANT = 8;
    private static final double SE_RATIO = 0.25;

    /** The widths, depths and group widths of the four stages (every stage's first block has stride 2). */
    record Stages(int[] widths, int[] depths, int[] groupWidths) {
        @Override
        public String toString() {
            return "depths " + Arrays.toString(depths) + ", widths " + Arrays.toString(widths) + ", group widths "
                    + Arrays.toString(groupWidths);
        }
    }

    private final ArchitectureInfo info;
    private final Stages stages;
    private final boolean squeezeExcitation;

    private RegNet(String name, String title, Stages stages, boolean squeezeExcitation) {
        this.stages = stages;
        this.squeezeExcitation = squeezeExcitation;
        this.info = ArchitectureInfo.imageNet(
                name,
                title + ", bottleneck blocks " + join(stages.depths()) + ", widths " + join(stages.widths())
                        + (squeezeExcitation ? ", squeeze-and-excitation" : ""));
    }

    private static String join(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining("-"));
    }

    public static RegNet y400mf() {
        return y("400mf", 16, 48, 27.89, 2.09, 8);
    }

    public static RegNet y800mf() {
        return y("800mf", 14, 56, 38.84, 2.4, 16);
    }

    public static RegNet y1_6gf() {
        return y("1_6gf", 27, 48, 20.71, 2.65, 24);
    }

    public static RegNet y3_2gf() {
        return y("3_2gf", 21, 80, 42.63, 2.66, 24);
    }

    public static RegNet y8gf() {
        return y("8gf", 17, 192, 76.82, 2.19, 56);
    }

    public static RegNet y16gf() {
        return y("16gf", 18, 200, 106.23, 2.48, 112);
    }

    public static RegNet y32gf() {
        return y("32gf", 20, 232, 115.89, 2.53, 232);
    }

    public static RegNet x400mf() {
        return x("400mf", 22, 24, 24.48, 2.54, 16);
    }

    public static RegNet x800mf() {
        return x("800mf", 16, 56, 35.73, 2.28, 16);
    }

    public static RegNet x1_6gf() {
        return x("1_6gf", 18, 80, 34.01, 2.25, 24);
    }

    public static RegNet x3_2gf() {
        return x("3_2gf", 25, 88, 26.31, 2.25, 48);
    }

    public static RegNet x8gf() {
        return x("8gf", 23, 80, 49.56, 2.88, 120);
    }

    public static RegNet x16gf() {
        return x("16gf", 22, 216, 55.59, 2.1, 128);
    }

    public static RegNet x32gf() {
        return x("32gf", 23, 320, 69.86, 2.0, 168);
    }

    private static RegNet y(String flops, int depth, int w0, double wa, double wm, int groupWidth) {
        return new RegNet(
                "regnet_y_" + flops, "RegNetY-" + title(flops), fromInitParams(depth, w0, wa, wm, groupWidth), true);
    }

    private static RegNet x(String flops, int depth, int w0, double wa, double wm, int groupWidth) {
        return new RegNet(
                "regnet_x_" + flops, "RegNetX-" + title(flops), fromInitParams(depth, w0, wa, wm, groupWidth), false);
    }

    /** {@code 1_6gf} → {@code 1.6GF}. */
    private static String title(String flops) {
        return flops.replace('_', '.').toUpperCase(Locale.ROOT);
    }

    /**
     * torchvision's {@code BlockParams.from_init_params} with a bottleneck multiplier of 1: the block widths
     * {@code w_0 * w_m^round(log((i * w_a + w_0) / w_0) / log(w_m))} quantised to multiples of 8, in float32
     * and rounding half to even as its tensors do; each run of equal widths a stage; then
     * {@code _adjust_widths_groups_compatibilty}.
     */
    static Stages fromInitParams(int depth, int w0, double wa, double wm, int groupWidth) {
        float logWm = (float) Math.log(wm);
        int[] blockWidths = new int[depth];
        for (int i = 0; i < depth; i++) {
            float cont = (float) i * (float) wa + w0;
            float capacity = (float) Math.rint((float) Math.log(cont / w0) / logWm);
            float width = w0 * (float) Math.pow((float) wm, capacity);
            blockWidths[i] = (int) (Math.rint(width / QUANT) * QUANT);
        }
        List<Integer> widths = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            if (i == 0 || blockWidths[i] != blockWidths[i - 1]) {
                widths.add(blockWidths[i]);
                depths.add(0);
            }
            depths.set(depths.size() - 1, depths.get(depths.size() - 1) + 1);
        }
        int n = widths.size();
        int[] stageWidths = new int[n];
        int[] groupWidths = new int[n];
        for (int s = 0; s < n; s++) {
            groupWidths[s] = Math.min(groupWidth, widths.get(s));
            stageWidths[s] = MakeDivisible.of(widths.get(s), groupWidths[s]);
        }
        return new Stages(
                stageWidths, depths.stream().mapToInt(Integer::intValue).toArray(), groupWidths);
    }

    Stages stages() {
        return stages;
    }

    @Override
    public ArchitectureInfo info() {
        return info;
    }

    /**
     * Every stage is as wide as this member's, and its 3x3 convolutions have its group width: RegNets are told
     * apart by their block counts, and this keeps a file of another design from passing as this one.
     */
    @Override
    public boolean hasWidthsOf(StateDict weights) {
        for (int s = 0; s < stages.widths().length; s++) {
            String f = stagePrefix(s) + "-0.f";
            TorchTensor c = weights.get(f + ".c.0.weight");
            TorchTensor b = weights.get(f + ".b.0.weight");
            if (c != null && c.rank() == 4 && c.dim(0) != stages.widths()[s]) {
                return false;
            }
            if (b != null && b.rank() == 4 && b.dim(1) != stages.groupWidths()[s]) {
                return false;
            }
        }
        return true;
    }

    /** {@code trunk_output.block2.block2}: the blocks of stage {@code s} (from 0) are this, {@code -0}, ... */
    private static String stagePrefix(int s) {
        return "trunk_output.block" + (s + 1) + ".block" + (s + 1);
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = Conv2dNormActivation.of(nn, "stem", x, STEM_WIDTH, 3, 2, 1, Activation.RELU, BN_EPS);
        for (int s = 0; s < stages.widths().length; s++) {
            for (int i = 0; i < stages.depths()[s]; i++) {
                x = resBottleneckBlock(
                        nn,
                        stagePrefix(s) + "-" + i,
                        x,
                        stages.widths()[s],
                        i == 0 ? 2 : 1,
                        stages.groupWidths()[s],
                        i == 0);
            }
        }
        x = nn.adaptiveAvgPool2d("avgpool", x, 1, 1);
        x = nn.flatten("flatten", x);
        return nn.linear("fc", x, numClasses, true);
    }

    /**
     * {@code ResBottleneckBlock}: {@code proj(x) + f(x)} where the block changes width or stride (each stage's
     * first block), {@code x + f(x)} elsewhere, then ReLU. {@code f} is the {@code BottleneckTransform}; the
     * 3x3's group count is its width over the group width, which a file's kernel shape gives.
     */
    private Value resBottleneckBlock(
            NetworkBuilder nn, String p, Value x, int out, int stride, int groupWidth, boolean project) {
        int in = x.channels();
        Value y = Conv2dNormActivation.of(nn, p + ".f.a", x, out, 1, 1, 1, Activation.RELU, BN_EPS);
        int fileGroupWidth = nn.convGroupWidth(p + ".f.b.0", groupWidth);
        int groups = Math.max(1, y.channels() / fileGroupWidth);
        y = Conv2dNormActivation.of(nn, p + ".f.b", y, y.channels(), 3, stride, groups, Activation.RELU, BN_EPS);
        if (squeezeExcitation) {
            int squeeze = (int) Math.rint(SE_RATIO * in);
            y = SqueezeExcitation.of(nn, p + ".f.se", y, squeeze, Activation.RELU, Activation.SIGMOID);
        }
        y = Conv2dNormActivation.of(nn, p + ".f.c", y, out, 1, 1, 1, Activation.NONE, BN_EPS);
        Value shortcut = project
                ? Conv2dNormActivation.of(nn, p + ".proj", x, y.channels(), 1, stride, 1, Activation.NONE, BN_EPS)
                : x;
        return nn.relu(p + ".activation", nn.add(p + ".add", shortcut, y));
    }
}
