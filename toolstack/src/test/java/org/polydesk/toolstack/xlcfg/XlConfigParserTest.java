package org.polydesk.toolstack.xlcfg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XlConfigParserTest {

    private static XlSetting only(String text, String key) throws XlConfigException {
        return XlConfigParser.parse(text).get(key).orElseThrow();
    }

    private static List<String> texts(XlSetting setting) throws XlConfigException {
        return setting.strings().stream().map(XlValue.Atom::text).toList();
    }

    @Test
    void readsStringsInEitherQuoteAndNumbersAsWritten() throws XlConfigException {
        XlConfig config = XlConfigParser.parse("name = \"win 10\"\nkernel = '/boot/vmlinuz'\nmemory = 0x400\n");
        assertEquals(List.of("name", "kernel", "memory"), List.copyOf(config.keys()));
        assertEquals("win 10", config.get("name").orElseThrow().string());
        assertEquals("/boot/vmlinuz", config.get("kernel").orElseThrow().string());
        assertEquals("0x400", config.get("memory").orElseThrow().string());
        assertEquals(3, config.get("memory").orElseThrow().line());
        assertEquals(1, config.get("memory").orElseThrow().column());
    }

    @Test
    void decodesTheEscapesXlKnows() throws XlConfigException {
        assertEquals("say \"hi\"", only("a = \"say \\\"hi\\\"\"", "a").string());
        assertEquals("it's", only("a = 'it\\'s'", "a").string());
        assertEquals("C:\\win", only("a = \"C:\\\\win\"", "a").string());
        assertEquals("tab\there\nnew", only("a = \"tab\\there\\nnew\"", "a").string());
        assertEquals("'single' inside", only("a = \"'single' inside\"", "a").string());
        assertEquals("\"double\" inside", only("a = '\"double\" inside'", "a").string());
    }

    @Test
    void readsNumbersAsXlDoes() throws XlConfigException {
        assertEquals(1024, only("memory = 0x400", "memory").number());
        assertEquals(8, only("memory = 010", "memory").number());
        assertEquals(2048, only("memory = 2048", "memory").number());
        assertEquals(512, only("memory = \"512\"", "memory").number());
        assertTrue(only("acpi = 1", "acpi").flag());
        XlConfigException e = assertThrows(XlConfigException.class, () -> only("\nmemory = 'lots'", "memory").number());
        assertEquals("line 2: memory must be a number, not 'lots'", e.getMessage());
    }

    @Test
    void listsSpanLinesWithCommentsAndATrailingComma() throws XlConfigException {
        String text = """
                disk = [   # the disks
                    'phy:/dev/vg0/a,xvda,w',   # root

                    "file:/srv/b.img,xvdb,r"
                    ,
                ]
                vif = []
                """;
        XlConfig config = XlConfigParser.parse(text);
        XlSetting disk = config.get("disk").orElseThrow();
        assertEquals(List.of("phy:/dev/vg0/a,xvda,w", "file:/srv/b.img,xvdb,r"), texts(disk));
        assertEquals(2, disk.strings().get(0).line());
        assertEquals(4, disk.strings().get(1).line());
        assertEquals(List.of(), texts(config.get("vif").orElseThrow()));
    }

    @Test
    void hashInsideAStringIsNotAComment() throws XlConfigException {
        assertEquals("a#b", only("extra = \"a#b\" # comment", "extra").string());
    }

    @Test
    void semicolonsSeparateSettingsAndTheLastLineNeedsNoNewline() throws XlConfigException {
        XlConfig config = XlConfigParser.parse("acpi = 1; apic = 0;\n;\nname = \"x\"");
        assertEquals(List.of("acpi", "apic", "name"), List.copyOf(config.keys()));
        assertEquals("x", config.get("name").orElseThrow().string());
    }

    @Test
    void aCommentOnTheLastLineNeedsNoNewline() throws XlConfigException {
        assertEquals(List.of("vcpus"), List.copyOf(XlConfigParser.parse("vcpus = 2\n# end").keys()));
    }

    @Test
    void theLastSettingOfAKeyCounts() throws XlConfigException {
        XlConfig config = XlConfigParser.parse("memory = 1024\nmemory = 2048\n");
        assertEquals(2048, config.get("memory").orElseThrow().number());
        assertEquals(2, config.settings().size());
    }

    @Test
    void appendJoinsStringsAndLists() throws XlConfigException {
        XlConfig config = XlConfigParser.parse("extra = \"quiet\"\nextra += \" splash\"\n"
                + "disk = [ 'a' ]\ndisk += [ 'b', 'c' ]\n");
        assertEquals("quiet splash", config.get("extra").orElseThrow().string());
        assertEquals(List.of("a", "b", "c"), texts(config.get("disk").orElseThrow()));
        XlConfigException e = assertThrows(XlConfigException.class,
                () -> XlConfigParser.parse("memory = 1024\nmemory += 1\n").get("memory").orElseThrow().number());
        assertEquals("line 2: memory is a number; xl does not allow += with numbers", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            name = "x"\\nmemory 1024                |2|8 |expected '=' or '+=' after the key memory, found the number 1024
            type = hvm                             |1|8 |expected a value for type: a "string", a number or a [list], found the name 'hvm'
            name = "unclosed\\nvcpus = 1           |1|8 |the string is not closed: expected " before the end of the line
            disk = [ 'a'\\n  'b' ]                  |2|3 |expected ',' or ']' in the list of disk opened on line 1, found a string
            disk = [ 'a',\\n                        |2|1 |expected a value for disk: a "string", a number or a [list], found the end of the file
            Memory = 1024                          |1|1 |unexpected character 'M': keys are lower case
            memory = 1024 * 2                      |1|15|unexpected character '*'
            memory = (1024)                        |1|10|unexpected character '(': xl.cfg is not Python; values are "strings", numbers and [lists] only
            name = "a" "b"                         |1|12|expected the end of the line or ';' after the value of name, found a string
            = 5                                    |1|1 |expected a setting (a lower-case key followed by '='), found '='
            name = "x\\qy"                         |1|10|unknown escape \\q; expected one of \\" \\' \\\\ \\a \\b \\f \\n \\r \\t \\v
            name = "\\x41"                         |1|9 |numeric escape \\x...: xl does not decode these; write the character itself
            extra = "a"\\nextra += [ "b" ]         |2|7 |'+=' cannot add a list to a string or a string to a list (extra is set on line 1)
            """)
    void syntaxErrorsNameLineColumnAndWhatWasExpected(String text, int line, int column, String message) {
        XlSyntaxException e = assertThrows(XlSyntaxException.class,
                () -> XlConfigParser.parse(text.strip().replace("\\n", "\n")));
        assertEquals(line, e.line());
        assertEquals(column, e.column());
        assertEquals("line " + line + ", column " + column + ": " + message, e.getMessage());
    }

    @Test
    void windowsLineEndsAreRefusedWithTheReason() {
        XlSyntaxException e = assertThrows(XlSyntaxException.class,
                () -> XlConfigParser.parse("name = \"x\"\r\nvcpus = 1\r\n"));
        assertEquals("line 1, column 11: carriage return (Windows line end): xl reads only Unix line ends",
                e.getMessage());
    }
}
