package org.polydesk.toolstack.cli;

import org.polydesk.protocol.rpc.RpcMethod;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.protocol.toolstack.ToolstackApi;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * polyctl: the command line of the toolstack. It only talks to polydeskd. A person waits for each
 * call, so only the command group a call names is built (picocli reads every command's
 * annotations when it builds one; the whole tree cost most of a call): {@link #commandLine(String...)}.
 */
@Command(name = "polyctl", mixinStandardHelpOptions = true, version = "polyctl 0.1",
        description = "Manage Polydesk VMs through polydeskd.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                " 0:done",
                " 1:the request was refused (the message says why)",
                " 2:the command line is wrong",
                " 3:polydeskd cannot be reached",
                " 4:no such VM"})
public final class Polyctl {
    public static final int EXIT_REFUSED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_UNREACHABLE = 3;
    public static final int EXIT_NOT_FOUND = 4;

    @Option(names = "--socket", scope = ScopeType.INHERIT, description = "polydeskd's socket (default: ${DEFAULT-VALUE}).")
    Path socket = Paths.DAEMON_SOCKET;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print the answer as JSON, for scripts.")
    boolean json;

    @Spec
    CommandSpec spec;

    /** A command group and its commands ({@code COMMANDS} of each group's class); none for a lone command. */
    record Group(Class<?> type, List<Class<?>> commands) {
        String name() {
            return type.getAnnotation(Command.class).name();
        }

        /** The command named {@code name}, or null. */
        Class<?> command(String name) {
            return commands.stream().filter(c -> c.getAnnotation(Command.class).name().equals(name)).findFirst().orElse(null);
        }
    }

    /** The command groups, in the order help lists them. */
    static final List<Group> GROUPS = List.of(new Group(VmCommands.class, VmCommands.COMMANDS),
            new Group(HostCommands.class, HostCommands.COMMANDS), new Group(GpuCommands.class, GpuCommands.COMMANDS),
            new Group(FocusCommand.class, List.of()), new Group(InputCommands.class, InputCommands.COMMANDS),
            new Group(EventsCommand.class, List.of()), new Group(InstallCommand.class, List.of()),
            new Group(MediaCommands.class, MediaCommands.COMMANDS), new Group(NetworkCommands.class, NetworkCommands.COMMANDS),
            new Group(AudioCommands.class, AudioCommands.COMMANDS), new Group(UsbCommands.class, UsbCommands.COMMANDS),
            new Group(AutoComplete.GenerateCompletion.class, List.of()));

    public static void main(String[] args) {
        // Not a lambda: the JDK readies lambdas at their first use, which is then the main thread's.
        Thread warmUp = new Thread("warm-up") {
            @Override
            public void run() {
                warmUp();
            }
        };
        warmUp.setDaemon(true);
        warmUp.start();
        System.exit(commandLine(args).execute(args));
    }

    /**
     * Readies, beside picocli building the command, what a call to polydeskd needs next: Jackson's
     * mapper with the API's methods and the reading of VM statuses (what most calls answer), the
     * longer of the two, first; then the JDK's socket channels. Neither waits for the other: a
     * second core does the one while the first does the other (on one core it costs nothing but a
     * thread).
     */
    private static void warmUp() {
        ToolstackApi.VM_LIST.prepareResult();
        try {
            SocketChannel.open(StandardProtocolFamily.UNIX).close();
        } catch (IOException | UnsupportedOperationException e) {
            // the call itself says what is wrong
        }
    }

    /** The whole command line, every group built (help, completion); tests run it in-process. */
    public static CommandLine commandLine() {
        return build(GROUPS, null);
    }

    /**
     * The command line for {@code args}: only the group they name and in it only the command they
     * name (the group whole when they name none of its commands), or everything when they name no
     * group or ask for completion, whose script covers every command.
     */
    public static CommandLine commandLine(String... args) {
        Group named = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--socket")) {
                i++;
            } else if (a.startsWith("-")) {
                continue;
            } else if (named == null) {
                named = GROUPS.stream().filter(g -> g.name().equals(a)).findFirst().orElse(null);
                if (named == null || named.type() == AutoComplete.GenerateCompletion.class) {
                    return build(GROUPS, null);
                }
            } else {
                return build(List.of(named), named.command(a));
            }
        }
        return named == null ? build(GROUPS, null) : build(List.of(named), null);
    }

    /** The root with {@code groups}, each with all its commands, or with only {@code command} where that is not null. */
    private static CommandLine build(List<Group> groups, Class<?> command) {
        CommandLine cl = new CommandLine(new Polyctl());
        for (Group group : groups) {
            CommandLine g = new CommandLine(group.type());
            // Added to the root first, so that the commands added next inherit --socket and --json.
            cl.addSubcommand(g);
            for (Class<?> c : command == null ? group.commands() : List.of(command)) {
                g.addSubcommand(c);
            }
            withHelp(g);
        }
        CommandLine completion = cl.getSubcommands().get("generate-completion");
        if (completion != null) {
            completion.getCommandSpec().usageMessage().hidden(false);
        }
        cl.setExecutionExceptionHandler(Polyctl::failed);
        return cl;
    }

    /**
     * -h/--help on a group or command and on the commands under it, where they have none, as on
     * the root: a person asks a command how it is used.
     */
    private static void withHelp(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        if (spec.findOption("--help") == null) {
            spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        }
        cl.getSubcommands().values().forEach(Polyctl::withHelp);
    }

    private static int failed(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof RpcClient.CallException call) {
            err.println("polyctl: " + call.getMessage());
            err.flush();
            return call.errorCode() == ErrorCode.NOT_FOUND ? EXIT_NOT_FOUND : EXIT_REFUSED;
        }
        if (e instanceof Refused) {
            err.println("polyctl: " + e.getMessage());
            err.flush();
            return EXIT_REFUSED;
        }
        if (e instanceof Unreachable) {
            err.println("polyctl: " + e.getMessage());
            err.flush();
            return EXIT_UNREACHABLE;
        }
        if (e instanceof CommandLine.ParameterException || e instanceof IllegalArgumentException) {
            err.println("polyctl: " + e.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        err.println("polyctl: " + e);
        err.flush();
        return EXIT_REFUSED;
    }

    /** polyctl itself refuses to go on (as polydeskd would), saying why. */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /** polydeskd is not there to ask. */
    static final class Unreachable extends IOException {
        Unreachable(String message) {
            super(message);
        }
    }

    RpcClient connect() throws IOException {
        try {
            return RpcClient.connect(socket);
        } catch (IOException e) {
            throw new Unreachable("cannot reach polydeskd at " + socket + " (" + e.getMessage()
                    + "); is it running? (systemctl status polydeskd)");
        }
    }

    <P, R> R call(RpcMethod<P, R> method, P params) throws IOException {
        try (RpcClient c = connect()) {
            return c.call(method, params);
        }
    }

    /** Writes a value in words for a person. */
    interface Text<T> {
        void write(T value, PrintWriter out) throws IOException;
    }

    /** Prints {@code value}: as JSON with --json, else in words by {@code text}; 0, the exit of a command that did. */
    <T> int print(T value, Text<T> text) throws IOException {
        if (json) {
            printJson(value);
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        text.write(value, out);
        out.flush();
        return 0;
    }

    void printJson(Object value) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
        out.flush();
    }
}
