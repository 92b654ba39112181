package io.vecnn.converter.torchfile;

/**
 * Stands in for a construct PyTorch writes but VecNN does not read (quantized, sparse or complex
 * tensors). The pickle carries on so that the state-dict reader can refuse with the key that holds it,
 * which tells the user far more than the byte offset of a global.
 *
 * @param global the pickle global that introduced it, e.g. {@code torch._utils._rebuild_qtensor}
 * @param kind   what it is, e.g. "a quantized tensor"
 * @param advice what is not supported and what to do instead
 */
public record UnsupportedValue(String global, String kind, String advice) {

    /** "is a quantized tensor (torch._utils._rebuild_qtensor): quantized models are not supported; ..." */
    public String explain() {
        return "is " + kind + " (" + global + "): " + advice;
    }
}
