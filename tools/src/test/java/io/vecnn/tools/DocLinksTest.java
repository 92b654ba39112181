package io.vecnn.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link in the project's Markdown (README, CONTRIBUTING, docs/, module READMEs) reaches a file or
 * folder of the repository, and every {@code #anchor} into a Markdown page names one of its headings as GitHub
 * spells it. Pages move between folders as the project grows; a link left behind is found here, not by a reader.
 */
class DocLinksTest {
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)(?:\\s+#+)?\\s*$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~).*");

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        Path root = projectRoot();
        List<Path> pages = pages(root);
        assertTrue(
                pages.contains(root.resolve("README.md")) && pages.contains(root.resolve("CONTRIBUTING.md")),
                "pages found: " + pages);
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            broken.addAll(brokenLinks(page, root));
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void missingFilesHeadingsAndLinksOutOfTheRepositoryAreCaught(@TempDir Path dir) throws IOException {
        Path repo = Files.createDirectories(dir.resolve("repo/docs")).getParent();
        Files.writeString(repo.resolve("README.md"), "# Readme\n");
        Files.writeString(repo.resolve("docs/other.md"), "# Other\n");
        Files.writeString(dir.resolve("beside.md"), "# Beside the repository\n");
        Path page = repo.resolve("docs/page.md");
        Files.writeString(
                page,
                String.join(
                        "\n",
                        "# A heading: `with code`",
                        "## Twice",
                        "## Twice",
                        "### Closed ###",
                        "[ok](#a-heading-with-code) [dup](#twice-1) [closed](#closed) [file](other.md)",
                        "[up](../README.md) [from root](/docs/other.md#other) [folder](.) [web](https://example.com/x)",
                        "[gone](missing.md) [anchor](#no-such-heading) [third](#twice-2) [there](other.md#nope)",
                        "[outside](../../beside.md) `[in code](not-checked.md)`",
                        "```",
                        "[in a fence](not-checked.md)",
                        "```",
                        ""));

        assertEquals(
                List.of(
                        page + ": missing.md",
                        page + ": #no-such-heading",
                        page + ": #twice-2",
                        page + ": other.md#nope",
                        page + ": ../../beside.md"),
                brokenLinks(page, repo));
    }

    /** The folder holding the parent pom (the one listing the modules), found from the working directory up. */
    private static Path projectRoot() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.readString(pom).contains("<modules>")) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no pom.xml with <modules> above " + Path.of("").toAbsolutePath());
    }

    /** The Markdown at the top, in docs/, and each module's README. */
    private static List<Path> pages(Path root) throws IOException {
        List<Path> pages = new ArrayList<>(markdownIn(root));
        if (Files.isDirectory(root.resolve("docs"))) {
            pages.addAll(markdownIn(root.resolve("docs")));
        }
        try (Stream<Path> modules = Files.list(root)) {
            modules.map(m -> m.resolve("README.md"))
                    .filter(Files::isRegularFile)
                    .forEach(pages::add);
        }
        return pages.stream().sorted().toList();
    }

    private static List<Path> markdownIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".md")).toList();
        }
    }

    /** The links of {@code page} whose target or heading does not exist in {@code root}, as "page: link". */
    static List<String> brokenLinks(Path page, Path root) throws IOException {
        List<String> broken = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(page)) {
            if (FENCE.matcher(line).matches()) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
            while (m.find()) {
                String link = m.group(1);
                if (!link.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !resolves(page, root, link)) {
                    broken.add(page + ": " + link);
                }
            }
        }
        return broken;
    }

    /** A path is taken relative to the page, or to the repository when it starts with "/", as GitHub does. */
    private static boolean resolves(Path page, Path root, String link) throws IOException {
        int hash = link.indexOf('#');
        String file = hash < 0 ? link : link.substring(0, hash);
        Path target = file.isEmpty()
                ? page
                : (file.startsWith("/")
                                ? root.resolve(file.substring(1))
                                : page.getParent().resolve(file))
                        .normalize();
        if (!target.startsWith(root) || !Files.exists(target)) {
            return false;
        }
        return hash < 0 || !target.toString().endsWith(".md") || anchors(target).contains(link.substring(hash + 1));
    }

    /**
     * GitHub's anchors for a page's headings: the text lower-cased, every character but letters, digits, spaces,
     * hyphens and underscores dropped, spaces made hyphens; the second heading of one name gets "-1", the third
     * "-2".
     */
    private static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(page)) {
            if (FENCE.matcher(line).matches()) {
                fenced = !fenced;
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (fenced || !heading.matches()) {
                continue;
            }
            String text = heading.group(1).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
            String slug = text.toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{M}\\p{N} _-]", "")
                    .replace(' ', '-');
            int earlier = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(earlier == 0 ? slug : slug + "-" + earlier);
        }
        return anchors;
    }
}
