package io.vecnn.converter.torchfile;

/**
 * A class or function a pickle names with GLOBAL that is neither on the allow-list nor refused: a model's
 * own classes ({@code __main__.Net}, {@code torch.nn.modules.conv.Conv2d}, {@code __torch__.Net}). It is
 * never looked up, loaded or called; it only labels the plain objects built from it.
 *
 * @param module the module path as written in the pickle
 * @param name   the name inside that module
 */
public record GlobalRef(String module, String name) {

    public String qualifiedName() {
        return module + "." + name;
    }

    /**
     * Whether the name follows Python's convention for classes (CapWords, possibly after underscores).
     * A REDUCE of a class builds an object, which is harmless to describe; a REDUCE of anything else is a
     * function call, which a model file has no reason to make.
     */
    boolean looksLikeClass() {
        int i = 0;
        while (i < name.length() && name.charAt(i) == '_') {
            i++;
        }
        return i < name.length() && name.charAt(i) >= 'A' && name.charAt(i) <= 'Z';
    }
}
