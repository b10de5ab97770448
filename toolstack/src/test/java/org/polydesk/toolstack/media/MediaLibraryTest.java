package org.polydesk.toolstack.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.media.Medium;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.testsupport.TestMedia;

/** The library's listing and names, without a daemon. */
class MediaLibraryTest {
    @TempDir
    Path tmp;

    @Test
    void listsMediaWithWhatIsKnownAndHidesUnfinishedCopies() throws Exception {
        MediaLibrary library = new MediaLibrary(tmp);
        TestMedia.iso(tmp.resolve("a.iso"), "LABEL_A", 0);
        Files.writeString(tmp.resolve("notes.img"), "no ISO 9660 here");
        Files.writeString(tmp.resolve(".b.iso.part"), "half");
        Files.createDirectory(tmp.resolve("folder"));
        Files.createSymbolicLink(tmp.resolve("link.iso"), tmp.resolve("a.iso"));
        List<Medium> media = library.list();
        assertEquals(List.of("a.iso", "notes.img"), media.stream().map(Medium::name).toList(),
                "no hidden files, folders or links");
        assertEquals("LABEL_A", media.get(0).label());
        assertNull(media.get(0).sha256(), "a file put there by hand has no known checksum");
        assertNull(media.get(1).label());
        assertEquals(List.of(), new MediaLibrary(tmp.resolve("absent")).list(), "no library yet: no media");
    }

    @Test
    void namesFromSourcesAreMadeHarmless() {
        assertEquals("debian-12.5.0-amd64-netinst.iso", MediaLibrary.nameFrom("debian-12.5.0-amd64-netinst.iso"));
        assertEquals("etc_passwd", MediaLibrary.nameFrom("../../etc/passwd"));
        assertEquals("Win11_23H2_English_x64.iso", MediaLibrary.nameFrom("Win11 23H2 English x64.iso"));
        assertEquals("hidden.iso", MediaLibrary.nameFrom(".hidden.iso"));
        assertNull(MediaLibrary.nameFrom(""));
        assertNull(MediaLibrary.nameFrom("..."));
        assertTrue(MediaLibrary.nameFrom("x".repeat(300) + ".iso").length() <= 128);
    }

    @Test
    void givenNamesAndChecksumsMustBeValid() throws Exception {
        for (String bad : new String[] {"../x.iso", "a/b.iso", ".x.iso", "", "x..iso", "-rf.iso"}) {
            RpcException e = assertThrows(RpcException.class, () -> MediaLibrary.checkName(bad, "name"), bad);
            assertEquals(ErrorCode.INVALID_PARAMS, e.code());
        }
        assertEquals("ab".repeat(32), MediaLibrary.checkSha256(" " + "AB".repeat(32) + "\n"));
        assertNull(MediaLibrary.checkSha256(""));
        assertThrows(RpcException.class, () -> MediaLibrary.checkSha256("ab".repeat(31)));
        assertThrows(RpcException.class, () -> MediaLibrary.checkSha256("zz".repeat(32)));
    }
}
