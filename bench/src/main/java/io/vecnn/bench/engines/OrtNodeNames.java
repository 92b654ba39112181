package io.vecnn.bench.engines;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Traces ONNX Runtime's node names back to the VecNN nodes they came from. The exporter names each ONNX
 * node after its VecNN node ({@code <node>/<what>} for helper nodes); ORT's graph optimizations then
 * rename what they rewrite: {@code fused <node>} after fusing an activation or bias, {@code <node>_nchwc}
 * after moving a convolution or pool to its blocked layout, {@code _token_<n>} to keep names unique.
 */
final class OrtNodeNames {
    private static final Pattern TOKEN = Pattern.compile("_token_\\d+$");
    private static final String FUSED = "fused ";
    private static final String NCHWC = "_nchwc";

    private OrtNodeNames() {}

    /** The VecNN node {@code ortName} computes, or {@code ortName} itself for a node ORT added on its own. */
    static String vecnnNode(String ortName, Set<String> vecnnNodes) {
        String name = TOKEN.matcher(ortName).replaceFirst("");
        if (name.startsWith(FUSED)) {
            name = name.substring(FUSED.length());
        }
        if (name.endsWith(NCHWC)) {
            name = name.substring(0, name.length() - NCHWC.length());
        }
        int helper = name.lastIndexOf('/');
        if (!vecnnNodes.contains(name) && helper > 0) {
            name = name.substring(0, helper);
        }
        return vecnnNodes.contains(name) ? name : ortName;
    }
}
