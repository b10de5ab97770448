package org.polydesk.toolstack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.polydesk.protocol.media.MediaProgress;
import org.polydesk.protocol.media.Medium;
import org.polydesk.protocol.media.UsbIsoFile;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.ToolstackApi;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "media", description = "Installer media (ISO files) in polydeskd's media library, for VMs' CD drives.")
final class MediaCommands {
    /** Its commands, in the order help lists them; polyctl builds only the one a call names. */
    static final List<Class<?>> COMMANDS = List.of(ListMedia.class, Usb.class, Import.class, Delete.class);

    @ParentCommand
    Polyctl root;

    @Command(name = "list", description = "The media in the library: name, size, volume label, SHA-256, path.")
    static final class ListMedia implements Callable<Integer> {
        @ParentCommand
        MediaCommands media;


        @Override
        public Integer call() throws Exception {
            return media.root.print(media.root.call(ToolstackApi.MEDIA_LIST, null), (list, out) -> {
                for (Medium m : list) {
                    if (m.unfinished()) {
                        out.printf("%s  %s so far  unfinished download of %s (import it again to continue)%n", m.name(),
                                size(m.sizeBytes()), m.unfinishedUrl());
                        continue;
                    }
                    out.printf("%s  %s  %s  sha256 %s  %s%n", m.name(), size(m.sizeBytes()),
                            m.label() == null ? "(no label)" : "label " + m.label(), m.sha256() == null ? "unknown" : m.sha256(), m.path());
                }
            });
        }
    }

    @Command(name = "usb", description = "The ISO files on the USB sticks plugged into the host, as DEVICE:FILE for 'media import --usb'.")
    static final class Usb implements Callable<Integer> {
        @ParentCommand
        MediaCommands media;


        @Override
        public Integer call() throws Exception {
            return media.root.print(media.root.call(ToolstackApi.MEDIA_USB_LIST, null), (list, out) -> {
                for (UsbIsoFile f : list) {
                    out.printf("%s:%s  %s  on %s%n", f.device(), f.file(), size(f.sizeBytes()), f.stick());
                }
                if (list.isEmpty()) {
                    out.println("no ISO files on removable disks");
                }
            });
        }
    }

    @Command(name = "import", description = {"Copy an installer image into the library, from a URL or a USB stick, and wait"
            + " for the copy, printing its progress.", "An interrupted download is continued by importing the same URL again."})
    static final class Import implements Callable<Integer> {
        @ParentCommand
        MediaCommands media;

        @Spec
        CommandSpec spec;

        static final class Source {
            @Parameters(paramLabel = "URL", description = "An http or https URL.")
            String url;

            @Option(names = "--usb", paramLabel = "DEVICE:FILE", description = "A file on a USB stick, as 'media usb' lists it.")
            String usb;
        }

        @ArgGroup(multiplicity = "1")
        Source source;

        @Option(names = "--sha256", paramLabel = "HEX", description = "The SHA-256 the image must have; a copy that differs is deleted.")
        String sha256;

        @Option(names = "--name", paramLabel = "NAME", description = "The file name in the library (default: the source's).")
        String name;

        @Override
        public Integer call() throws Exception {
            ToolstackApi.MediaImport params;
            if (source.usb != null) {
                int colon = source.usb.indexOf(':');
                if (colon <= 0 || colon == source.usb.length() - 1) {
                    throw new IllegalArgumentException("--usb must be DEVICE:FILE, like /dev/sdb1:isos/debian.iso, not '"
                            + source.usb + "'");
                }
                params = new ToolstackApi.MediaImport(null, source.usb.substring(0, colon), source.usb.substring(colon + 1),
                        sha256, name);
            } else {
                params = new ToolstackApi.MediaImport(source.url, null, null, sha256, name);
            }
            PrintWriter out = spec.commandLine().getOut();
            MediaProgress end;
            try (RpcClient c = media.root.connect()) {
                ToolstackApi.MediaImportStarted started = c.call(ToolstackApi.MEDIA_IMPORT, params);
                if (!media.root.json) {
                    out.println("importing " + started.name() + (started.bytesTotal() == null ? "" : " (" + size(started.bytesTotal()) + ")"));
                    out.flush();
                }
                end = follow(c, started, out);
            }
            if (end.state() == MediaProgress.State.FAILED) {
                throw new Polyctl.Refused(end.error());
            }
            Medium m = media.root.call(ToolstackApi.MEDIA_LIST, null).stream().filter(x -> x.name().equals(end.name()))
                    .findFirst().orElseThrow(() -> new Polyctl.Refused(end.name() + " was imported but is no longer in the library"));
            if (media.root.json) {
                media.root.printJson(m);
            } else {
                out.println("imported " + m.name() + " to " + m.path() + "  sha256 " + m.sha256());
                out.flush();
            }
            return 0;
        }

        /** Prints each progress report (whole percents, or sizes while the total is unknown) until the end. */
        private MediaProgress follow(RpcClient c, ToolstackApi.MediaImportStarted started, PrintWriter out) throws IOException {
            String last = "";
            while (true) {
                RpcMessage msg = c.nextNotification();
                if (msg == null) {
                    throw new Polyctl.Refused("polydeskd closed the connection during the import of " + started.name());
                }
                if (!ToolstackApi.MEDIA_PROGRESS.matches(msg)) {
                    continue;
                }
                MediaProgress p = ToolstackApi.MEDIA_PROGRESS.decode(msg);
                if (!started.importId().equals(p.importId())) {
                    continue;
                }
                if (p.isFinal()) {
                    return p;
                }
                String line = p.state() == MediaProgress.State.CHECKING ? "checking"
                        : p.bytesTotal() != null && p.bytesTotal() > 0
                        ? (100 * p.bytesDone() / p.bytesTotal()) + "% (" + size(p.bytesDone()) + " of " + size(p.bytesTotal()) + ")"
                        : size(p.bytesDone());
                if (!media.root.json && !line.equals(last)) {
                    out.println("  " + line);
                    out.flush();
                }
                last = line;
            }
        }
    }

    @Command(name = "delete", description = "Delete a medium from the library.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        MediaCommands media;

        @Parameters(paramLabel = "NAME", description = "The medium's name, as 'media list' shows it.")
        String name;

        @Override
        public Integer call() throws Exception {
            media.root.call(ToolstackApi.MEDIA_DELETE, new ToolstackApi.MediaRef(name));
            return 0;
        }
    }

    static String size(long bytes) {
        if (bytes < 1_000_000) {
            return bytes + " bytes";
        }
        return bytes >= 1_000_000_000 ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
