package io.vecnn.converter.torchfile;

import java.nio.charset.StandardCharsets;

/** The container formats torch.save has used, told apart by their first bytes. */
enum TorchFormat {
    /** PyTorch ≥ 1.6: a zip with data.pkl and one record per storage (TorchScript archives are zips too). */
    ZIP,
    /** PyTorch 0.1.10 to 1.5: pickles back to back, the storages' raw bytes after them. */
    LEGACY_PICKLE,
    /** The first PyTorch releases (0.1.x): a tar of sys_info, pickle, tensors and storages. */
    TAR,
    UNKNOWN;

    /** How many leading bytes {@link #sniff} needs to see every signature (tar's is at 257). */
    static final int HEAD_BYTES = 512;

    private static final int TAR_MAGIC_OFFSET = 257;

    static TorchFormat sniff(byte[] head, int length) {
        if (length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return ZIP;
        }
        // A pickle starts with PROTO and its protocol; the legacy format pickles a magic number first.
        if (length >= 2 && (head[0] & 0xff) == PickleOpcodes.PROTO && head[1] >= 2 && head[1] <= 5) {
            return LEGACY_PICKLE;
        }
        if (length >= TAR_MAGIC_OFFSET + 5
                && new String(head, TAR_MAGIC_OFFSET, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            return TAR;
        }
        return UNKNOWN;
    }
}
