package org.polydesk.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.rpc.ApiDoc;
import org.polydesk.protocol.toolstack.ToolstackApi;

/**
 * The map in the repository stays true: the contract tables of {@code docs/architecture.md} are the
 * ones protocol's declarations write ({@link ApiDoc}). After changing a declaration, write them anew
 * with {@code mvn -pl tests/desktop test -Dtest=ArchitectureMapTest -Dpolydesk.writeMap=true}.
 */
class ArchitectureMapTest {
    private static final String BEGIN = "<!-- generated from protocol/'s declarations: begin -->";
    private static final String END = "<!-- generated from protocol/'s declarations: end -->";
    private static final Path REPO = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();

    static String generated() {
        return BEGIN + "\n\n" + ApiDoc.markdown(ToolstackApi.API) + "\n" + ApiDoc.markdown(FocusBus.API)
                + "\nError codes (every method may answer the transport's: PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND,"
                + " INVALID_PARAMS, INTERNAL_ERROR, LINE_TOO_LONG):\n\n" + ApiDoc.errorCodes() + "\n" + END;
    }

    @Test
    void theContractTablesAreTheDeclarations() throws IOException {
        Path map = REPO.resolve("docs/architecture.md");
        String text = Files.readString(map);
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        assertTrue(b >= 0 && e > b, map + " keeps the generated tables between its two markers");
        String now = text.substring(b, e + END.length());
        if (Boolean.getBoolean("polydesk.writeMap")) {
            Files.writeString(map, text.substring(0, b) + generated() + text.substring(e + END.length()));
            return;
        }
        assertEquals(generated(), now, "docs/architecture.md is behind protocol/'s declarations; write it anew (see this test's comment)");
    }

    /** Not build outputs, not the ISO's and the Xen build's work folders, not git's own. */
    private static boolean tracked(Path relative) {
        String r = relative.toString();
        return !r.startsWith(".git") && !r.startsWith("iso/work") && !r.startsWith("hypervisor-patches/work")
                && !r.contains("/target/") && !r.startsWith("target/") && !r.contains("/cache/");
    }

    @Test
    void theReadmeLinksTheMapAndNothingPointsOutsideTheRepository() throws IOException {
        assertTrue(Files.readString(REPO.resolve("README.md")).contains("(docs/architecture.md)"), "README links the map");
        List<String> outside = new ArrayList<>();
        // Judged by the path inside the repository: the checkout itself may sit under a folder named work.
        // Build trees are not entered at all (an ISO build's chroot has /proc mounted).
        Files.walkFileTree(REPO, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(REPO) || tracked(REPO.relativize(dir).resolve("x")) ? FileVisitResult.CONTINUE
                        : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && f.toString().matches(".*\\.(md|java|sh|xml|py|txt|cfg|conf)$")
                        && (Files.readString(f).contains("../shared/") || Files.readString(f).contains("shared/DESIGN.md"))) {
                    outside.add(REPO.relativize(f).toString());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        outside.remove("tests/desktop/src/test/java/org/polydesk/api/ArchitectureMapTest.java");
        assertEquals(List.of(), outside, "files that send readers outside the repository");
    }
}
