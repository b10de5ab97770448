package org.polydesk.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.input.focus.FocusAuthority;
import org.polydesk.input.focus.FocusBusServer;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.hotkey.SettingsStore;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcApi;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.rpc.RpcNotification;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.testsupport.PolydeskdProcess;

/**
 * Nothing calls what does not exist: every typed call that the UI, polyctl and the services make
 * is a declaration of an API in protocol/, and each declared method is answered by exactly one
 * real server — polydeskd or input-server's focus bus, each started here — never with "no such
 * method", while the other server does not know it. No method name is a string literal outside
 * protocol/, and only protocol/ declares methods.
 */
class ApiRegistryTest {
    private static final List<RpcApi> APIS = List.of(ToolstackApi.API, FocusBus.API);
    private static JavaClasses mainClasses;

    @TempDir
    Path tmp;
    private PolydeskdProcess polydeskd;
    private FocusBusServer focusBus;

    @BeforeAll
    static void importClasses() {
        // not the modules' test jars either (test doubles, the display server's guest helpers)
        mainClasses = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.matches(java.util.regex.Pattern.compile(".*-tests\\.jar.*")))
                .importPackages("org.polydesk");
    }

    @AfterEach
    void stop() throws Exception {
        if (focusBus != null) {
            focusBus.close();
        }
        if (polydeskd != null) {
            polydeskd.close();
        }
    }

    /** Every RpcMethod constant each class outside protocol/ reads: the typed calls (and handlers) it has. */
    private static Map<String, Set<String>> typedUses(String packagePrefix) {
        Map<String, Set<String>> uses = new TreeMap<>();
        mainClasses.stream().filter(c -> c.getPackageName().startsWith(packagePrefix)).forEach(c -> {
            for (JavaFieldAccess a : c.getFieldAccessesFromSelf()) {
                if (a.getTarget().getRawType().isAssignableTo(RpcMethod.class)) {
                    uses.computeIfAbsent(a.getTarget().getOwner().getSimpleName() + "." + a.getTarget().getName(),
                            k -> new TreeSet<>()).add(c.getSimpleName());
                }
            }
        });
        return uses;
    }

    private static RpcMethod<?, ?> declared(String constant) throws ReflectiveOperationException {
        String[] ownerAndField = constant.split("\\.");
        Class<?> owner = Stream.of(ToolstackApi.class, FocusBus.class)
                .filter(c -> c.getSimpleName().equals(ownerAndField[0])).findFirst().orElseThrow(
                        () -> new AssertionError(constant + " is not a constant of a declared API"));
        return (RpcMethod<?, ?>) owner.getField(ownerAndField[1]).get(null);
    }

    @Test
    void everyCallOfTheUiAndPolyctlIsADeclaredMethodThatItsServerAnswers() throws Exception {
        Map<String, Set<String>> ui = typedUses("org.polydesk.ui");
        Map<String, Set<String>> polyctl = typedUses("org.polydesk.toolstack.cli");
        assertTrue(ui.keySet().containsAll(List.of("ToolstackApi.VM_CREATE", "ToolstackApi.VM_EDIT", "ToolstackApi.VM_START",
                "ToolstackApi.EVENTS_SUBSCRIBE", "ToolstackApi.INSTALL_START")), "the UI's calls were found: " + ui);
        assertTrue(polyctl.keySet().containsAll(List.of("ToolstackApi.VM_LIST", "ToolstackApi.FOCUS_SET")),
                "polyctl's calls were found: " + polyctl);

        start();
        List<String> problems = new ArrayList<>();
        for (Map<String, Set<String>> client : List.of(ui, polyctl)) {
            for (String constant : client.keySet()) {
                RpcMethod<?, ?> m = declared(constant);
                RpcApi api = APIS.stream().filter(a -> a.methods().contains(m)).findFirst().orElseThrow();
                if (!answers(socketOf(api), m)) {
                    problems.add(constant + " (called by " + client.get(constant) + ") is not answered by " + api.server());
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void eachDeclaredMethodHasExactlyOneServer() throws Exception {
        start();
        List<String> problems = new ArrayList<>();
        for (RpcApi api : APIS) {
            for (RpcMethod<?, ?> m : api.methods()) {
                for (RpcApi other : APIS) {
                    boolean declaredThere = other.method(m.name()) != null;
                    boolean answered = answers(socketOf(other), other.method(m.name()) != null ? other.method(m.name()) : m);
                    if (declaredThere != answered) {
                        problems.add(m.name() + (answered ? " is answered by " : " is not answered by ") + other.server()
                                + (declaredThere ? ", which declares it" : ", which does not declare it"));
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
        try (RpcClient c = RpcClient.connect(polydeskd.socket())) {
            RpcClient.CallException e = org.junit.jupiter.api.Assertions.assertThrows(RpcClient.CallException.class,
                    () -> c.callRaw("host.selfdestruct", null));
            assertEquals(ErrorCode.METHOD_NOT_FOUND, e.errorCode(), "a method nobody declared has no server");
        }
    }

    @Test
    void onlyProtocolDeclaresMethodsAndNoProductCallIsUntyped() {
        List<String> outside = new ArrayList<>();
        mainClasses.stream().filter(c -> !c.getPackageName().startsWith("org.polydesk.protocol")).forEach(c ->
                c.getMethodCallsFromSelf().forEach(call -> {
                    String target = call.getTarget().getOwner().getName() + "." + call.getTarget().getName();
                    if (target.equals(RpcMethod.class.getName() + ".of") || target.equals(RpcMethod.class.getName() + ".listOf")
                            || target.equals(RpcNotification.class.getName() + ".of")
                            || target.equals(RpcClient.class.getName() + ".callRaw")) {
                        outside.add(c.getSimpleName() + " calls " + call.getTarget().getName());
                    }
                }));
        assertEquals(List.of(), outside);
    }

    @Test
    void noMethodNameOrParamsKeyIsAStringLiteralOutsideProtocol() throws IOException {
        Set<String> names = new TreeSet<>();
        for (RpcApi api : APIS) {
            api.methods().forEach(m -> names.add(m.name()));
            api.notifications().forEach(n -> names.add(n.name()));
        }
        Path repo = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();
        List<String> found = new ArrayList<>();
        // Each module's main sources only: build trees (iso/work's chroot, with its own /proc) are not read.
        List<Path> sources = new ArrayList<>();
        for (Path parent : List.of(repo, repo.resolve("tests"))) {
            try (Stream<Path> modules = Files.list(parent)) {
                modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory)
                        .filter(m -> !repo.relativize(m).startsWith("protocol")).forEach(sources::add);
            }
        }
        List<Path> javaFiles = new ArrayList<>();
        for (Path src : sources) {
            try (Stream<Path> files = Files.walk(src)) {
                files.filter(p -> p.toString().endsWith(".java")).forEach(javaFiles::add);
            }
        }
        for (Path f : javaFiles) {
            String text = Files.readString(f);
            // A problem's field is a params key: it comes from the declarations' constants, never a literal.
            java.util.regex.Matcher key = java.util.regex.Pattern
                    .compile("(invalidParam|new Problem)\\(\\s*\"[^\"]*\"").matcher(text);
            while (key.find()) {
                found.add(repo.relativize(f) + ": " + key.group());
            }
            for (String n : names) {
                // "event" alone is also QMP's and evdev's word; every other name is namespaced.
                if (n.contains(".") && text.contains("\"" + n + "\"")) {
                    found.add(repo.relativize(f) + ": \"" + n + "\"");
                }
            }
        }
        assertFalse(names.isEmpty());
        assertEquals(List.of(), found);
    }

    private void start() throws Exception {
        polydeskd = PolydeskdProcess.start(tmp.resolve("polydeskd"), "--sysfs", tmp.resolve("no-sys").toString());
        focusBus = new FocusBusServer(tmp.resolve("input.sock"), new FocusAuthority(null),
                new SettingsStore(tmp.resolve("input.json"), InputConfig.defaults(), c -> { }));
    }

    private Path socketOf(RpcApi api) {
        return api == ToolstackApi.API ? polydeskd.socket() : tmp.resolve("input.sock");
    }

    /** The codes any method may answer: the transport's own. */
    private static final Set<ErrorCode> TRANSPORT = Set.of(ErrorCode.PARSE_ERROR, ErrorCode.INVALID_REQUEST,
            ErrorCode.INVALID_PARAMS, ErrorCode.LINE_TOO_LONG);

    /**
     * Whether the server on {@code socket} has {@code method}: asked with empty params, it answers a
     * result or any error but "no such method" — and, where it has it, only a code the declaration
     * names or the transport's. (Empty params change nothing: every method that changes something
     * refuses them.)
     */
    private static boolean answers(Path socket, RpcMethod<?, ?> method) throws IOException {
        try (RpcClient c = RpcClient.connect(socket)) {
            c.callRaw(method.name(), null);
            return true;
        } catch (RpcClient.CallException e) {
            if (e.errorCode() == ErrorCode.METHOD_NOT_FOUND) {
                return false;
            }
            assertTrue(TRANSPORT.contains(e.errorCode()) || method.errors().contains(e.errorCode()),
                    method.name() + " answered " + e.errorCode() + ", which its declaration does not name: " + e.getMessage());
            return true;
        }
    }
}
