package io.vecnn.converter.torchfile;

/**
 * Turns a pickle persistent id (what BINPERSID pops) into a value. Each torch file format names its
 * storages differently, so the format reader supplies this and the pickle machine stays generic.
 */
@FunctionalInterface
public interface PersistentLoader {

    /**
     * @param pid the persistent id as read from the pickle
     * @param at  the byte offset of the BINPERSID opcode, for error messages
     */
    Object load(Object pid, int at);
}
