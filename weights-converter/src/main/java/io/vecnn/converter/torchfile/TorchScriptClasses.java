package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the class definitions under {@code code/} of a TorchScript archive say about each class: whether
 * it is a module, and which of its attributes are parameters and which buffers. The pickle alone cannot
 * tell a parameter from any other tensor attribute; TorchScript writes {@code __parameters__} and
 * {@code __buffers__} lists into each module class for this. The code is only scanned for those lines,
 * never interpreted.
 */
final class TorchScriptClasses {
    /** Generated code for a class is small; a huge file is not worth scanning. */
    private static final long MAX_CODE_BYTES = 64L << 20;

    private static final Pattern CLASS_LINE = Pattern.compile("class ([A-Za-z_][A-Za-z0-9_]*)\\(([^)]*)\\):");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    /** @param parameters and buffers in declaration order */
    record Declaration(boolean module, List<String> parameters, List<String> buffers) {}

    private final TorchZipArchive archive;
    private final Map<String, Map<String, Declaration>> byFile = new HashMap<>();

    TorchScriptClasses(TorchZipArchive archive) {
        this.archive = archive;
    }

    /** The declaration of a class, or null when the archive defines no such class (TorchScript's built-in classes). */
    Declaration of(GlobalRef type) {
        String file = archive.prefix() + "code/" + type.module().replace('.', '/') + ".py";
        Map<String, Declaration> classes = byFile.get(file);
        if (classes == null) {
            classes = archive.has(file) ? parse(file) : Map.of();
            byFile.put(file, classes);
        }
        return classes.get(type.name());
    }

    private Map<String, Declaration> parse(String file) {
        String code = new String(archive.record(file, MAX_CODE_BYTES), StandardCharsets.UTF_8);
        Map<String, Declaration> classes = new HashMap<>();
        String[] lines = code.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = CLASS_LINE.matcher(lines[i]);
            if (!m.matches()) {
                continue;
            }
            List<String> parameters = new ArrayList<>();
            List<String> buffers = new ArrayList<>();
            // The class body is every following indented line.
            for (int j = i + 1; j < lines.length && (lines[j].isEmpty() || lines[j].charAt(0) == ' '); j++) {
                String line = lines[j].trim();
                if (line.startsWith("__parameters__ = [")) {
                    names(lines, j, parameters, file);
                } else if (line.startsWith("__buffers__ = [")) {
                    names(lines, j, buffers, file);
                }
            }
            classes.put(m.group(1), new Declaration(m.group(2).trim().equals("Module"), parameters, buffers));
        }
        return classes;
    }

    /** The quoted names of a list that starts on line {@code from} and may run over several lines. */
    private static void names(String[] lines, int from, List<String> into, String file) {
        StringBuilder list = new StringBuilder();
        for (int j = from; j < lines.length; j++) {
            list.append(lines[j]).append('\n');
            if (lines[j].contains("]")) {
                Matcher q = QUOTED.matcher(list.substring(list.indexOf("[") + 1, list.indexOf("]")));
                while (q.find()) {
                    into.add(q.group(1));
                }
                return;
            }
        }
        throw new VecnnException("record '" + file + "' has a list at line " + (from + 1) + " that never ends");
    }
}
