package org.polydesk.toolstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * polyctl builds only the command group a call names (start-up time); the group it builds must be
 * the same tree the full command line has, and a line that names no group gets every group.
 */
class PolyctlCommandTreeTest {

    @Test
    void aCallBuildsOnlyItsGroup() {
        assertEquals(Set.of("vm"), Polyctl.commandLine("--socket", "/run/x.sock", "vm", "list").getSubcommands().keySet());
        assertEquals(Set.of("usb"), Polyctl.commandLine("--json", "usb", "rule", "show").getSubcommands().keySet());
        assertEquals(Set.of("host"), Polyctl.commandLine("--socket=/s", "host", "info").getSubcommands().keySet());
    }

    @Test
    void noGroupOrAnUnknownOneGetsTheWholeTree() {
        int all = Polyctl.GROUPS.size();
        assertEquals(all, Polyctl.commandLine("--help").getSubcommands().size());
        assertEquals(all, Polyctl.commandLine().getSubcommands().size());
        assertEquals(all, Polyctl.commandLine("generate-completion").getSubcommands().size());
        CommandLine unknown = Polyctl.commandLine("vmm", "list");
        assertEquals(all, unknown.getSubcommands().size());
        StringWriter err = new StringWriter();
        unknown.setErr(new PrintWriter(err));
        assertEquals(Polyctl.EXIT_USAGE, unknown.execute("vmm", "list"));
        assertTrue(err.toString().contains("vmm"), err.toString());
    }

    @Test
    void eachGroupBuiltAloneIsTheGroupOfTheWholeTree() {
        Map<String, CommandLine> whole = Polyctl.commandLine().getSubcommands();
        for (Map.Entry<String, CommandLine> group : whole.entrySet()) {
            CommandLine alone = Polyctl.commandLine(group.getKey()).getSubcommands().get(group.getKey());
            assertEquals(tree(group.getValue()), tree(alone), group.getKey());
        }
    }

    private static Map<String, Object> tree(CommandLine cl) {
        Map<String, Object> t = new TreeMap<>();
        t.put("#options", cl.getCommandSpec().optionsMap().keySet().toString());
        cl.getSubcommands().forEach((name, sub) -> t.put(name, tree(sub)));
        return t;
    }
}
