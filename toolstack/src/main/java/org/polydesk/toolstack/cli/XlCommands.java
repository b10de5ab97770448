package org.polydesk.toolstack.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.toolstack.ImportRemark;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.usb.UsbRule;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.toolstack.xlcfg.XlConfigException;
import org.polydesk.toolstack.xlcfg.XlConfigExporter;
import org.polydesk.toolstack.xlcfg.XlConfigImporter;
import org.polydesk.protocol.toolstack.XlImportResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vm import} and {@code vm export}: Xen's xl.cfg(5) files in and out. */
final class XlCommands {
    private XlCommands() {
    }

    @Command(name = "import", description = {
            "Define a VM from an xl.cfg file. Keys Polydesk cannot represent are named; the import is",
            "refused unless --drop-unsupported says to leave them out."})
    static final class Import extends VmCommands.Sub {
        @Parameters(paramLabel = "FILE.cfg", description = "An xl configuration file.")
        Path file;

        @Option(names = "--drop-unsupported", description = "Import even though the named keys are left out.")
        boolean dropUnsupported;

        @Mixin
        DefinitionOptions options;

        @Override
        public Integer call() throws Exception {
            XlImportResult result;
            try {
                result = XlConfigImporter.importText(Files.readString(file, StandardCharsets.UTF_8));
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException(file + " does not exist");
            } catch (XlConfigException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage());
            }
            if (!result.unsupported().isEmpty() && !dropUnsupported) {
                StringBuilder msg = new StringBuilder(file + " has settings Polydesk cannot represent:");
                for (ImportRemark r : result.unsupported()) {
                    msg.append("\n  ").append(r);
                }
                msg.append("\nnothing was imported; run again with --drop-unsupported to import without them");
                throw new Polyctl.Refused(msg.toString());
            }
            for (ImportRemark r : result.unsupported()) {
                spec.commandLine().getErr().println("polyctl: left out " + r);
            }
            for (ImportRemark r : result.notes()) {
                spec.commandLine().getErr().println("polyctl: note " + r);
            }
            spec.commandLine().getErr().flush();
            VmStatus created = call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(
                    options.applyTo(result.definition().toBuilder()).build()));
            // The host USB devices the file gave the VM, as rules of the VM now made.
            for (UsbRule r : result.usbRules()) {
                call(ToolstackApi.USB_RULE_ADD, new ToolstackApi.UsbRuleChange(created.definition().id().toString(),
                        r.vendorProduct(), r.serial(), r.port()));
                spec.commandLine().getErr().println("polyctl: USB rule " + r.describe() + " -> " + created.definition().name());
            }
            spec.commandLine().getErr().flush();
            return printStatus(created, "imported");
        }
    }

    @Command(name = "export", description = "Write a VM's definition as an xl.cfg file that xl create accepts.")
    static final class Export extends VmCommands.Sub {
        @Parameters(paramLabel = "VM", description = "Id, name or slot.")
        String ref;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE.cfg", description = "Write here instead of to standard output.")
        Path output;

        @Override
        public Integer call() throws Exception {
            VmDefinition def = call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef(ref)).definition();
            String cfg = XlConfigExporter.export(def);
            if (output == null) {
                out().print(cfg);
                out().flush();
            } else {
                writeAtomically(output, cfg);
            }
            return 0;
        }

        private static void writeAtomically(Path target, String text) throws IOException {
            Path dir = target.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
