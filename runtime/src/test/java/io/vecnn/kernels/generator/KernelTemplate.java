package io.vecnn.kernels.generator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The microkernel templates' small language, in the spirit of XNNPACK's {@code xngen}: a line
 * {@code $for X in N} repeats the lines up to its {@code $end} with {@code X} = 0 .. N-1 (N a variable),
 * {@code ${NAME}} is replaced by a variable's value, and {@code $//} lines are the template's own comments.
 * An unknown variable or an unbalanced loop is an error, so a typo cannot generate quietly wrong code.
 */
final class KernelTemplate {
    private static final Pattern FOR = Pattern.compile("\\s*\\$for (\\w+) in (\\w+)\\s*");
    private static final Pattern END = Pattern.compile("\\s*\\$end\\s*");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}");

    private final List<String> lines;

    KernelTemplate(String text) {
        this.lines = List.of(text.split("\n", -1));
    }

    String expand(Map<String, String> variables) {
        List<String> out = new ArrayList<>();
        int end = expand(0, new HashMap<>(variables), out);
        if (end != lines.size()) {
            throw new IllegalArgumentException("template line " + (end + 1) + ": $end without $for");
        }
        return String.join("\n", out);
    }

    /** Expands from line {@code from} until an unmatched {@code $end} or the end; returns where it stopped. */
    private int expand(int from, Map<String, String> variables, List<String> out) {
        int i = from;
        while (i < lines.size()) {
            String line = lines.get(i);
            Matcher loop = FOR.matcher(line);
            if (loop.matches()) {
                int count = Integer.parseInt(value(loop.group(2), variables, i));
                int bodyEnd = skip(i + 1);
                for (int x = 0; x < count; x++) {
                    variables.put(loop.group(1), Integer.toString(x));
                    expand(i + 1, variables, out);
                }
                variables.remove(loop.group(1));
                i = bodyEnd + 1;
            } else if (END.matcher(line).matches()) {
                return i;
            } else {
                if (!line.trim().startsWith("$//")) {
                    out.add(substitute(line, variables, i));
                }
                i++;
            }
        }
        return i;
    }

    /** The index of the {@code $end} closing the loop whose body starts at {@code from}. */
    private int skip(int from) {
        int depth = 0;
        for (int i = from; i < lines.size(); i++) {
            if (FOR.matcher(lines.get(i)).matches()) {
                depth++;
            } else if (END.matcher(lines.get(i)).matches()) {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        throw new IllegalArgumentException("template line " + from + ": $for without $end");
    }

    private static String substitute(String line, Map<String, String> variables, int index) {
        Matcher m = VARIABLE.matcher(line);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(value(m.group(1), variables, index)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String value(String name, Map<String, String> variables, int index) {
        String v = variables.get(name);
        if (v == null) {
            throw new IllegalArgumentException("template line " + (index + 1) + ": unknown variable " + name);
        }
        return v;
    }
}
