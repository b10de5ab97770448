package org.polydesk.toolstack.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.polydesk.protocol.focus.InputSettings;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.toolstack.ToolstackApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "input", description = "The input server's settings (through polydeskd; input-server must be running).")
final class InputCommands {
    /** Its commands, in the order help lists them; polyctl builds only the one a call names. */
    static final List<Class<?>> COMMANDS = List.of(Config.class);

    @ParentCommand
    Polyctl root;

    @Command(name = "config", description = "The switching chords and the pointer mode.",
            subcommands = {InputCommands.Get.class, InputCommands.Set.class})
    static final class Config {
        @ParentCommand
        InputCommands input;
    }

    static void print(PrintWriter out, InputSettings s) {
        out.printf("pointer: %s%n", s.pointer());
        for (InputSettings.Hotkey h : s.hotkeys()) {
            out.printf("%-20s %s%n", h.chord(), h.action());
        }
        out.flush();
    }

    @Command(name = "get", description = "Prints the pointer mode and every chord with its action.")
    static final class Get implements Callable<Integer> {
        @ParentCommand
        Config config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Polyctl root = config.input.root;
            InputSettings s = root.call(ToolstackApi.INPUT_CONFIG_GET, null);
            if (root.json) {
                root.printJson(s);
            } else {
                print(spec.commandLine().getOut(), s);
            }
            return 0;
        }
    }

    @Command(name = "set", description = {"Changes chords or the pointer mode; the rest stays as it is.",
            "Stored by input-server and used from the next key press. Example:",
            "  polyctl input config set --hotkey 'meta+1=slot 1' --remove ctrl+alt+f1 --pointer absolute"})
    static final class Set implements Callable<Integer> {
        @ParentCommand
        Config config;

        @Spec
        CommandSpec spec;

        @Option(names = "--hotkey", paramLabel = "CHORD=ACTION", description = "Adds a chord, or gives it a new action"
                + " (slot N, next, previous); repeatable.")
        List<String> hotkeys = new ArrayList<>();

        @Option(names = "--remove", paramLabel = "CHORD", description = "Removes a chord; repeatable.")
        List<String> remove = new ArrayList<>();

        @Option(names = "--pointer", paramLabel = "MODE", description = "relative or absolute.")
        String pointer;

        @Override
        public Integer call() throws Exception {
            Polyctl root = config.input.root;
            if (hotkeys.isEmpty() && remove.isEmpty() && pointer == null) {
                throw new IllegalArgumentException("say what to change: --hotkey, --remove or --pointer");
            }
            try (RpcClient c = root.connect()) {
                InputSettings now = c.call(ToolstackApi.INPUT_CONFIG_GET, null);
                List<InputSettings.Hotkey> list = new ArrayList<>(now.hotkeys());
                for (String r : remove) {
                    if (!list.removeIf(h -> same(h.chord(), r))) {
                        throw new Polyctl.Refused("there is no chord '" + r + "' to remove (polyctl input config get"
                                + " lists them)");
                    }
                }
                for (String h : hotkeys) {
                    int eq = h.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException("--hotkey takes CHORD=ACTION, like 'meta+1=slot 1', not '" + h + "'");
                    }
                    String chord = h.substring(0, eq).strip();
                    InputSettings.Hotkey next = new InputSettings.Hotkey(chord, h.substring(eq + 1).strip());
                    int at = indexOf(list, chord);
                    if (at >= 0) {
                        list.set(at, next);
                    } else {
                        list.add(next);
                    }
                }
                InputSettings stored;
                try {
                    stored = c.call(ToolstackApi.INPUT_CONFIG_SET,
                            new InputSettings(list, pointer != null ? pointer : now.pointer()));
                } catch (RpcClient.CallException e) {
                    throw new Polyctl.Refused(describe(e, list));
                }
                if (root.json) {
                    root.printJson(stored);
                } else {
                    print(spec.commandLine().getOut(), stored);
                }
            }
            return 0;
        }

        private static int indexOf(List<InputSettings.Hotkey> list, String chord) {
            for (int i = 0; i < list.size(); i++) {
                if (same(list.get(i).chord(), chord)) {
                    return i;
                }
            }
            return -1;
        }

        /** The server writes chords one way (ctrl+alt+f1); a person may type them with spaces or capitals. */
        private static boolean same(String a, String b) {
            return a.replace(" ", "").toLowerCase(Locale.ROOT).equals(b.replace(" ", "").toLowerCase(Locale.ROOT));
        }

        /** The refusal with each problem, a hotkey's named by its chord rather than its place in the list. */
        private static String describe(RpcClient.CallException e, List<InputSettings.Hotkey> sent) {
            if (e.problems().isEmpty()) {
                return e.getMessage();
            }
            StringBuilder s = new StringBuilder("the settings were not changed:");
            for (Problem p : e.problems()) {
                String field = p.field();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^" + InputSettings.HOTKEYS + "\\[(\\d+)\\]")
                        .matcher(field);
                if (m.find() && Integer.parseInt(m.group(1)) < sent.size()) {
                    field = "'" + sent.get(Integer.parseInt(m.group(1))).chord() + "'";
                }
                s.append("\n  ").append(field).append(": ").append(p.problem());
            }
            return s.toString();
        }
    }
}
