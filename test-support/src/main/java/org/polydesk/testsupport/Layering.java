package org.polydesk.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The layering rules of issue 17 that every module's {@code LayeringTest} checks on its own main
 * classes (ArchUnit, {@code @AnalyzeClasses(packages = ROOT, importOptions = DoNotIncludeTests)}):
 * its packages form no cycle, JNA is used in one native package only, and libc is bound once.
 */
public final class Layering {
    /** The root packages of our modules, which the wire contracts (protocol) must not know. */
    public static final List<String> MODULE_ROOTS = List.of("org.polydesk.toolstack", "org.polydesk.display",
            "org.polydesk.input", "org.polydesk.ui", "org.polydesk.viewer", "org.polydesk.testsupport");

    /**
     * Functions of the C library. A JNA interface that declares one of them binds libc, and a
     * module has one such interface.
     */
    static final Set<String> LIBC_FUNCTIONS = Set.of("open", "close", "read", "write", "ioctl", "poll", "mmap",
            "munmap", "strerror", "free", "malloc", "inotify_init1", "inotify_add_watch", "kill", "getpid", "setsid",
            "prctl", "fcntl", "pipe", "dup2", "errno");

    private static final String JNA = "com.sun.jna..";

    private Layering() {
    }

    /** The sub-packages of {@code root} ({@code root.(*)..}) depend on each other without a cycle. */
    public static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(*)..").namingSlices("package " + root + ".$1")
                .should().beFreeOfCycles()
                .allowEmptyShould(true)
                .because("a package cycle makes the packages one (issue 17, point 7); move the class whose "
                        + "name is untrue instead of adding an interface");
    }

    /**
     * Only classes in {@code nativePackages} (not their sub-packages) use JNA: one package per
     * native library a module binds (toolstack's libxl, and libc in its linux package).
     */
    public static ArchRule jnaOnlyIn(String root, String... nativePackages) {
        return noClasses().that().resideInAPackage(root + "..").and().resideOutsideOfPackages(nativePackages)
                .should().dependOnClassesThat().resideInAPackage(JNA)
                .because(String.join(" and ", nativePackages) + " hold the native calls of " + root
                        + "; the rest of the module sees Java types only");
    }

    /** No class under {@code root} uses JNA. */
    public static ArchRule noJna(String root) {
        return noClasses().that().resideInAPackage(root + "..").should().dependOnClassesThat().resideInAPackage(JNA)
                .because(root + " has no native code");
    }

    /** At most one JNA interface under {@code root} binds functions of the C library. */
    public static ArchRule oneLibcBinding(String root) {
        return classes().that().resideInAPackage(root + "..").and().areInterfaces()
                .and().areAssignableTo("com.sun.jna.Library")
                .should(new AtMostOneLibcBinding())
                .allowEmptyShould(true)
                .because("one libc binding per module: two would declare the same functions twice, differently");
    }

    /** No class of the wire contracts depends on one of our modules. */
    public static ArchRule protocolDependsOnNoModule() {
        return noClasses().that().resideInAPackage("org.polydesk.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        MODULE_ROOTS.stream().map(r -> r + "..").toArray(String[]::new))
                .because("protocol holds the wire contracts every module shares and depends on none of them");
    }

    private static final class AtMostOneLibcBinding extends ArchCondition<JavaClass> {
        private final List<String> bindings = new ArrayList<>();

        AtMostOneLibcBinding() {
            super("be the only JNA interface of the module that binds libc");
        }

        @Override
        public void init(java.util.Collection<JavaClass> allObjectsToTest) {
            bindings.clear();
        }

        @Override
        public void check(JavaClass item, ConditionEvents events) {
            Set<String> libc = new TreeSet<>();
            for (JavaMethod m : item.getMethods()) {
                if (LIBC_FUNCTIONS.contains(m.getName())) {
                    libc.add(m.getName());
                }
            }
            if (!libc.isEmpty()) {
                bindings.add(item.getName() + " " + libc);
            }
        }

        @Override
        public void finish(ConditionEvents events) {
            boolean one = bindings.size() <= 1;
            events.add(new SimpleConditionEvent(bindings, one, one ? "one libc binding: " + bindings
                    : bindings.size() + " JNA interfaces bind libc, merge them into one: " + bindings));
        }
    }
}
