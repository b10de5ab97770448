package org.polydesk.ui.form;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sorts polydeskd's INVALID_DEFINITION message onto the form's fields. The message is every broken
 * rule as a sentence, joined by "; " (see the toolstack's DefinitionValidator); a sentence may itself
 * contain "; " ("…; use one of qcow2, raw, vhd"), so a piece that does not start like a rule is
 * part of the sentence before it.
 */
public final class ProblemFields {
    private static final Pattern START = Pattern.compile(
            "^(the VM |name |slot |all slots|colour |memory |vcpus |firmware |a pv guest|give a kernel|a ramdisk"
                    + "|a kernel command line|kernel |ramdisk |disk \\d+ |network interface \\d+ |display |PCI device|GPU"
                    + "|a VM with id|unknown field|field ')");
    private static final Pattern DISK = Pattern.compile("^disk (\\d+) ");
    private static final Pattern JSON_FIELD = Pattern.compile("^(?:unknown )?field '([A-Za-z]+)");

    private ProblemFields() {
    }

    /** The sentences of a message, whole. */
    public static List<String> sentences(String message) {
        List<String> out = new ArrayList<>();
        for (String piece : message.split("; ")) {
            if (!out.isEmpty() && !START.matcher(piece).find()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + "; " + piece);
            } else {
                out.add(piece);
            }
        }
        return out;
    }

    /**
     * The sentences by field. {@code mainDisk} and {@code cdrom} are the 1-based positions the form
     * gave its disk and its CD-ROM in the definition's disk list (0: the form sent none).
     */
    public static Map<Field, List<String>> byField(String message, int mainDisk, int cdrom) {
        Map<Field, List<String>> out = new EnumMap<>(Field.class);
        for (String s : sentences(message)) {
            out.computeIfAbsent(fieldOf(s, mainDisk, cdrom), f -> new ArrayList<>()).add(s);
        }
        return out;
    }

    static Field fieldOf(String s, int mainDisk, int cdrom) {
        Matcher disk = DISK.matcher(s);
        if (disk.find()) {
            int n = Integer.parseInt(disk.group(1));
            return n == mainDisk ? Field.DISK : n == cdrom ? Field.CDROM : Field.GENERAL;
        }
        Matcher json = JSON_FIELD.matcher(s);
        if (json.find()) {
            return switch (json.group(1)) {
                case "name" -> Field.NAME;
                case "slot" -> Field.SLOT;
                case "colour" -> Field.COLOUR;
                case "memoryMib" -> Field.MEMORY;
                case "vcpus" -> Field.VCPUS;
                case "firmware", "type" -> Field.FIRMWARE;
                case "nics" -> Field.NETWORK;
                case "kernel", "ramdisk", "cmdline", "bootloader" -> Field.BOOT;
                default -> Field.GENERAL;
            };
        }
        if (s.startsWith("the VM needs a name") || s.startsWith("name ")) {
            return Field.NAME;
        }
        if (s.startsWith("the VM needs a slot") || s.startsWith("slot ") || s.startsWith("all slots")) {
            return Field.SLOT;
        }
        if (s.startsWith("colour ")) {
            return Field.COLOUR;
        }
        if (s.startsWith("memory ")) {
            return Field.MEMORY;
        }
        if (s.startsWith("vcpus ")) {
            return Field.VCPUS;
        }
        if (s.startsWith("firmware ")) {
            return Field.FIRMWARE;
        }
        if (s.startsWith("network interface ")) {
            return Field.NETWORK;
        }
        if (s.startsWith("a pv guest") || s.startsWith("give a kernel") || s.startsWith("a ramdisk")
                || s.startsWith("a kernel command line") || s.startsWith("kernel ") || s.startsWith("ramdisk ")) {
            return Field.BOOT;
        }
        return Field.GENERAL;
    }
}
