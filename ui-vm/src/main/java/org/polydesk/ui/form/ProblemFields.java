package org.polydesk.ui.form;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * Puts each problem of polydeskd's validation error ({@code error.data}: field and sentence) beside
 * the form's field it is about. Fields are paths into the request's params, such as
 * {@code definition.memoryMib} or {@code definition.disks[1]}.
 */
public final class ProblemFields {
    private static final Pattern PATH = Pattern.compile("^(?:" + Pattern.quote(ToolstackApi.VmCreate.DEFINITION + ".")
            + ")?([A-Za-z]+)(?:\\[(\\d+)\\])?");

    private ProblemFields() {
    }

    /**
     * The sentences by form field. {@code mainDisk} and {@code cdrom} are the 1-based positions the
     * form gave its disk and its CD-ROM in the definition's disk list (0: the form sent none).
     */
    public static Map<Field, List<String>> byField(List<Problem> problems, int mainDisk, int cdrom) {
        Map<Field, List<String>> out = new EnumMap<>(Field.class);
        for (Problem p : problems) {
            out.computeIfAbsent(fieldOf(p.field(), mainDisk, cdrom), f -> new ArrayList<>()).add(p.problem());
        }
        return out;
    }

    static Field fieldOf(String path, int mainDisk, int cdrom) {
        Matcher m = PATH.matcher(path);
        if (!m.find()) {
            return Field.GENERAL;
        }
        return switch (m.group(1)) {
            case VmDefinition.NAME -> Field.NAME;
            case VmDefinition.SLOT -> Field.SLOT;
            case VmDefinition.COLOUR -> Field.COLOUR;
            case VmDefinition.MEMORY_MIB -> Field.MEMORY;
            case VmDefinition.VCPUS -> Field.VCPUS;
            case VmDefinition.FIRMWARE, VmDefinition.TYPE -> Field.FIRMWARE;
            case VmDefinition.NICS -> Field.NETWORK;
            case VmDefinition.KERNEL, VmDefinition.RAMDISK, VmDefinition.CMDLINE, VmDefinition.BOOTLOADER -> Field.BOOT;
            case VmDefinition.HYPERV, VmDefinition.BOOT, VmDefinition.RTC_LOCAL_TIME, VmDefinition.USB_TABLET,
                    VmDefinition.SECURE_BOOT, VmDefinition.TPM, VmDefinition.OS -> Field.MACHINE;
            case VmDefinition.DISKS -> {
                int n = m.group(2) == null ? 0 : Integer.parseInt(m.group(2)) + 1;
                yield n != 0 && n == mainDisk ? Field.DISK : n != 0 && n == cdrom ? Field.CDROM : Field.GENERAL;
            }
            default -> Field.GENERAL;
        };
    }
}
