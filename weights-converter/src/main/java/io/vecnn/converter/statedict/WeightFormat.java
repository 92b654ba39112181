package io.vecnn.converter.statedict;

/** The file formats weights arrive in, as {@code inspect} names them. */
public enum WeightFormat {
    /** torch.save since PyTorch 1.6: a zip with data.pkl and one record per storage. */
    ZIP("zip"),
    /** torch.save before 1.6 (or {@code _use_new_zipfile_serialization=False}): pickles, then raw storages. */
    LEGACY("legacy"),
    /** torch.save of the first PyTorch releases: a tar of sys_info, pickle, tensors and storages. */
    TAR("tar"),
    /** {@code torch.save(model)}: a pickled nn.Module tree, whatever the container. */
    FULL_MODEL("full-model"),
    /** {@code torch.jit.save}: a TorchScript archive. */
    TORCHSCRIPT("TorchScript"),
    SAFETENSORS("safetensors"),
    /** Made in memory (synthetic weights, tests). */
    IN_MEMORY("in-memory");

    private final String label;

    WeightFormat(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
