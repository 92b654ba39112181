package io.vecnn.converter.torchfile;

/** Recognises the forms a tensor takes in what a pickle built. */
final class TensorValues {
    private static final String PARAMETER = "torch.nn.parameter.Parameter";

    private TensorValues() {}

    /**
     * The tensor a value stands for, or null: a tensor itself, or a Parameter as the first PyTorch releases
     * pickled it, an object whose state tuple starts with its data.
     */
    static TensorRef asTensor(Object v) {
        if (v instanceof TensorRef) {
            return (TensorRef) v;
        }
        if (v instanceof PickleObject
                && ((PickleObject) v).type().qualifiedName().equals(PARAMETER)) {
            Object state = ((PickleObject) v).state();
            if (state instanceof PickleTuple
                    && ((PickleTuple) state).size() > 0
                    && ((PickleTuple) state).get(0) instanceof TensorRef) {
                return (TensorRef) ((PickleTuple) state).get(0);
            }
        }
        return null;
    }
}
