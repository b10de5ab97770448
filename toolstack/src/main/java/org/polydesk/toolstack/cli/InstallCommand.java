package org.polydesk.toolstack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.polydesk.toolstack.host.HardwareCheck;
import org.polydesk.toolstack.install.BlockDevices;
import org.polydesk.toolstack.install.BootConfig;
import org.polydesk.toolstack.install.CommandRunner;
import org.polydesk.toolstack.install.InstallException;
import org.polydesk.toolstack.install.Installer;
import org.polydesk.toolstack.install.Keyboard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** polyctl install: the running live system onto a disk. Local, as root; polydeskd is not involved. */
@Command(name = "install", mixinStandardHelpOptions = true, description = {
        "Install Polydesk from the running live system onto a disk: GPT with BIOS boot, EFI system,",
        "root and VM storage partitions; a copy of the live system; GRUB for BIOS and UEFI with Xen",
        "as the default entry. Refuses the disk Polydesk runs from, a mounted disk, and a disk that",
        "has partitions or data unless --force. Creates the installed system's administrator",
        "(--admin, in the groups polydesk and sudo) with the password from --password-file or,",
        "without it, asked twice on the terminal. --encrypt puts the VM store (definitions, disk",
        "images, media, settings) on LUKS2, unlocked by a passphrase at each boot. Runs as root."})
final class InstallCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--disk", required = true, paramLabel = "DEVICE", description = "The whole disk, e.g. /dev/sda or /dev/nvme0n1.")
    String disk;

    @Option(names = "--force", description = "Erase a disk that has partitions or data.")
    boolean force;

    @Option(names = "--dry-run", description = "Check the disk and print what would be done; write nothing.")
    boolean dryRun;

    @Option(names = "--admin", paramLabel = "NAME", description = "The installed system's administrator, who logs in"
            + " and manages VMs (default: ${DEFAULT-VALUE}).")
    String admin = "admin";

    @Option(names = "--password-file", paramLabel = "FILE", description = "The administrator's password: the first"
            + " line of FILE ('-' for standard input). Without it the password is asked on the terminal.")
    Path passwordFile;

    @Option(names = "--encrypt", description = "Encrypt the VM store (LUKS2); its passphrase is asked at each boot.")
    boolean encrypt;

    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "With --encrypt: the passphrase, the"
            + " first line of FILE. Without it the passphrase is asked twice on the terminal.")
    Path passphraseFile;

    @Option(names = "--time-zone", paramLabel = "ZONE", description = "The installed system's time zone, a name"
            + " under /usr/share/zoneinfo like Europe/Berlin (default: UTC).")
    String timeZone;

    @Option(names = "--keyboard", paramLabel = "LAYOUT", description = "The keyboard layout of the installed"
            + " system's consoles and control UI, an XKB name like de, fr or gb (default: us).")
    String keyboard;

    @Option(names = "--keyboard-variant", paramLabel = "VARIANT", description = "A variant of that layout, like"
            + " nodeadkeys (default: the layout's own).")
    String keyboardVariant;

    @Option(names = "--source", paramLabel = "DIR", description = "The system to copy (default: the live root, ${DEFAULT-VALUE}).")
    Path source = Installer.LIVE_ROOT;

    @Option(names = "--xen-cmdline", paramLabel = "ARGS", description = "Xen's command line in the installed GRUB menu (default: ${DEFAULT-VALUE}).")
    String xenCmdline = BootConfig.DEFAULT_XEN_CMDLINE;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!dryRun && !isRoot()) {
            throw new Polyctl.Refused("install must run as root (sudo polyctl install --disk " + disk + ")");
        }
        long[] t0 = {System.nanoTime()};
        Installer.Progress progress = new Installer.Progress() {
            @Override
            public void step(int n, int total, String what) {
                out.printf("[%d/%d %4ds] %s%n", n, total, (System.nanoTime() - t0[0]) / 1_000_000_000L, what);
                out.flush();
            }

            @Override
            public void detail(String text) {
                out.println("        " + text.replace("\n", "\n        "));
                out.flush();
            }
        };
        Installer installer = new Installer(CommandRunner.system(), BlockDevices.system(), progress,
                () -> HardwareCheck.system().check());
        Installer.Options o = Installer.Options.of(disk).withForce(force).withSource(source).withDryRun(dryRun)
                .withXenCmdline(xenCmdline);
        if (timeZone != null) {
            try {
                o = o.withTimeZone(Installer.TimeZone.of(timeZone, Installer.TimeZone.ZONEINFO));
            } catch (InstallException e) {
                throw new Polyctl.Refused(e.getMessage());
            }
        }
        if (keyboard != null || keyboardVariant != null) {
            try {
                o = o.withKeyboard(Keyboard.of(keyboard, keyboardVariant, Keyboard.RULES));
            } catch (InstallException e) {
                throw new Polyctl.Refused(e.getMessage());
            }
        }
        if (!dryRun) {
            // A disk it will not write to is refused before anyone types a password for it.
            try {
                installer.plan(o);
            } catch (InstallException e) {
                throw new Polyctl.Refused(e.getMessage());
            }
        }
        if (passphraseFile != null && passwordFile != null && passphraseFile.toString().equals("-")
                && passwordFile.toString().equals("-")) {
            throw new Polyctl.Refused("standard input can give the password or the passphrase, not both: put one in a file");
        }
        if (passphraseFile != null && !encrypt) {
            throw new Polyctl.Refused("--passphrase-file is the encryption's passphrase: give --encrypt too");
        }
        Installer.Admin administrator = dryRun && passwordFile == null ? null : administrator();
        Installer.Encryption encryption = !encrypt ? null
                : dryRun && passphraseFile == null ? new Installer.Encryption("(dry run)") : encryption();
        t0[0] = System.nanoTime();
        o = o.withAdmin(administrator).withEncryption(encryption);
        try {
            installer.install(o);
        } catch (InstallException e) {
            throw new Polyctl.Refused(e.getMessage());
        }
        if (dryRun) {
            out.println("dry run: nothing was written to " + disk);
        }
        out.flush();
        return 0;
    }

    /** The passphrase (from --passphrase-file, or asked twice on the terminal), checked. */
    private Installer.Encryption encryption() throws Polyctl.Refused {
        String first;
        String again;
        if (passphraseFile != null) {
            first = firstLine(passphraseFile, "passphrase");
            again = first;
        } else {
            Typed typed = typedTwice("the encryption's passphrase", "--passphrase-file",
                    "Passphrase that unlocks the VM store at each boot: ", "The same passphrase again: ");
            first = java.util.Objects.toString(typed.first(), "");
            again = java.util.Objects.toString(typed.again(), "");
        }
        try {
            return Installer.Encryption.of(first, again);
        } catch (InstallException e) {
            throw new Polyctl.Refused(e.getMessage());
        }
    }

    /** A secret as typed twice on the terminal (null for an entry ended by end of input). */
    private record Typed(String first, String again) {
        boolean same() {
            return first != null && first.equals(again);
        }
    }

    /** Asks for {@code what} twice on the terminal; without one, says to give it with {@code option FILE}. */
    private static Typed typedTwice(String what, String option, String prompt, String againPrompt)
            throws Polyctl.Refused {
        java.io.Console console = System.console();
        if (console == null) {
            throw new Polyctl.Refused("no terminal to ask " + what + " on: give it with " + option + " FILE");
        }
        char[] first = console.readPassword("%s", prompt);
        char[] again = console.readPassword("%s", againPrompt);
        return new Typed(first == null ? null : new String(first), again == null ? null : new String(again));
    }

    /** The first line of FILE ('-': standard input), or "" when it has none. */
    private static String firstLine(Path file, String what) throws Polyctl.Refused {
        try {
            List<String> lines = file.toString().equals("-")
                    ? new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))
                            .lines().limit(1).toList()
                    : Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : lines.get(0);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new Polyctl.Refused("cannot read the " + what + " file " + file + ": " + e.getMessage());
        }
    }

    /** The name and the password (from --password-file, or asked twice on the terminal), checked. */
    private Installer.Admin administrator() throws Polyctl.Refused {
        String password;
        if (passwordFile != null) {
            password = firstLine(passwordFile, "password");
        } else {
            Typed typed = typedTwice("the administrator's password", "--password-file",
                    "Password for the administrator " + admin + " of the installed system: ", "The same password again: ");
            if (!typed.same()) {
                throw new Polyctl.Refused("the two passwords differ; nothing was written");
            }
            password = typed.first();
        }
        try {
            return Installer.Admin.of(admin, password);
        } catch (InstallException e) {
            throw new Polyctl.Refused(e.getMessage());
        }
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
