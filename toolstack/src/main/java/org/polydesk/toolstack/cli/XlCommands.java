package org.polydesk.toolstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.Methods;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.definition.DefinitionJson;
import org.polydesk.toolstack.definition.InvalidDefinitionException;
import org.polydesk.protocol.toolstack.ImportRemark;
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
            ObjectNode def = Json.mapper().valueToTree(result.definition());
            options.applyTo(def);
            return create(def, "imported");
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
            JsonNode status = call(Methods.VM_SHOW, vmParam(ref));
            VmDefinition def;
            try {
                def = DefinitionJson.read(status.get("definition"));
            } catch (InvalidDefinitionException e) {
                throw new IOException("polydeskd sent a definition this polyctl cannot read: " + e.getMessage());
            }
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
