package io.vecnn.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The instructions of deploy/Dockerfile the tests compare with the manifests, continuation lines joined. */
final class DockerfileText {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> instructions = new ArrayList<>();

    DockerfileText(Path file) throws IOException {
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            current.append(line.strip());
            if (line.endsWith("\\")) {
                current.setLength(current.length() - 1);
            } else {
                instructions.add(current.toString());
                current.setLength(0);
            }
        }
    }

    /** The last instruction {@code keyword} (the one that counts), without the keyword. */
    String last(String keyword) {
        String found = null;
        for (String instruction : instructions) {
            if (instruction.startsWith(keyword + " ")) {
                found = instruction.substring(keyword.length() + 1).strip();
            }
        }
        if (found == null) {
            throw new AssertionError("the Dockerfile has no " + keyword);
        }
        return found;
    }

    /** An exec-form instruction's array ({@code CMD ["serve", ...]}). */
    List<String> execForm(String keyword) throws IOException {
        return JSON.readValue(last(keyword), new TypeReference<List<String>>() {});
    }

    /** The value of {@code option} where a RUN instruction gives it ({@code --out /opt/vecnn}). */
    String runOption(String option) {
        Pattern value = Pattern.compile(Pattern.quote(option) + "\\s+(\\S+)");
        for (String instruction : instructions) {
            Matcher m = value.matcher(instruction);
            if (instruction.startsWith("RUN ") && m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError("no RUN instruction gives " + option);
    }
}
