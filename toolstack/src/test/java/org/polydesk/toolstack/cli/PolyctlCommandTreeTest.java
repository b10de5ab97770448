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
 * polyctl builds only the command group a call names, and in it only the command (start-up time);
 * what it builds must be the same tree the full command line has, and a line that names no group
 * gets every group, one that names no command of its group the whole group.
 */
class PolyctlCommandTreeTest {

    @Test
    void aCallBuildsOnlyItsGroup() {
        assertEquals(Set.of("vm"), Polyctl.commandLine("--socket", "/run/x.sock", "vm", "list").getSubcommands().keySet());
        assertEquals(Set.of("usb"), Polyctl.commandLine("--json", "usb", "rule", "show").getSubcommands().keySet());
        assertEquals(Set.of("host"), Polyctl.commandLine("--socket=/s", "host", "info").getSubcommands().keySet());
    }

    @Test
    void aCallBuildsOnlyItsCommand() {
        assertEquals(Set.of("list"), Polyctl.commandLine("vm", "list", "--json").getSubcommands().get("vm").getSubcommands().keySet());
        assertEquals(Set.of("rule"), Polyctl.commandLine("--json", "usb", "rule", "show").getSubcommands().get("usb").getSubcommands().keySet());
        assertEquals(Set.of("import"), Polyctl.commandLine("vm", "--json", "import", "x.cfg").getSubcommands().get("vm").getSubcommands().keySet());
    }

    @Test
    void aCommandTheGroupDoesNotHaveGetsTheWholeGroupAndAUsageError() {
        CommandLine typo = Polyctl.commandLine("vm", "lisst");
        assertEquals(VmCommands.COMMANDS.size(), typo.getSubcommands().get("vm").getSubcommands().size());
        StringWriter err = new StringWriter();
        typo.setErr(new PrintWriter(err));
        assertEquals(Polyctl.EXIT_USAGE, typo.execute("vm", "lisst"));
        assertTrue(err.toString().contains("lisst"), err.toString());
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
            for (Map.Entry<String, CommandLine> command : group.getValue().getSubcommands().entrySet()) {
                CommandLine only = Polyctl.commandLine(group.getKey(), command.getKey()).getSubcommands().get(group.getKey())
                        .getSubcommands().get(command.getKey());
                assertEquals(tree(command.getValue()), tree(only), group.getKey() + " " + command.getKey());
            }
        }
    }

    @Test
    void everyGroupAndCommandAnswersHelpWithItsUsage() {
        Map<String, CommandLine> whole = Polyctl.commandLine().getSubcommands();
        for (Map.Entry<String, CommandLine> group : whole.entrySet()) {
            assertHelp(group.getKey());
            for (String command : group.getValue().getSubcommands().keySet()) {
                assertHelp(group.getKey() + " " + command);
            }
        }
        assertHelp("usb rule show");
    }

    /** {@code polyctl LINE --help} and {@code -h} print LINE's usage and succeed. */
    private static void assertHelp(String line) {
        for (String help : new String[] {"--help", "-h"}) {
            String[] args = (line + " " + help).split(" ");
            CommandLine cl = Polyctl.commandLine(args);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            assertEquals(0, cl.execute(args), line + " " + help + ": " + err);
            assertTrue(out.toString().startsWith("Usage: polyctl " + line + " "), line + " " + help + ": " + out);
        }
    }

    private static Map<String, Object> tree(CommandLine cl) {
        Map<String, Object> t = new TreeMap<>();
        t.put("#options", cl.getCommandSpec().optionsMap().keySet().toString());
        cl.getSubcommands().forEach((name, sub) -> t.put(name, tree(sub)));
        return t;
    }
}
