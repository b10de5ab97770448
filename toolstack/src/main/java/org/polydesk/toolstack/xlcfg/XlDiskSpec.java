package org.polydesk.toolstack.xlcfg;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of {@code disk=[...]} read as xl-disk-configuration(5) and xl's disk scanner
 * (libxlu_disk_l.l) read it: positional {@code target, format, vdev, access} (with {@code vdev:cdrom}),
 * {@code key=value} parameters, the deprecated {@code phy:}/{@code file:}/{@code raw:}... prefixes,
 * and {@code target=} last, taking the rest of the string.
 *
 * @param target the image or device; empty for a CD-ROM drive without media
 * @param format raw, qcow, qcow2, vhd, qed or empty; null if the entry names none (xl then uses raw)
 * @param vdev null if the entry names none
 * @param ignored options a Polydesk disk cannot hold
 */
public record XlDiskSpec(String target, String format, String vdev, boolean cdrom, boolean readOnly,
                         List<DeviceOption> ignored) {

    private static final Set<String> FORMATS = Set.of("raw", "qcow", "qcow2", "vhd", "empty", "qed");
    private static final Pattern FORMAT_PREFIX = Pattern.compile("(raw|qcow2?|vhd):");
    private static final Pattern SCRIPT_PREFIX = Pattern.compile("(iscsi|e?nbd|drbd):");
    private static final Pattern IGNORED_PREFIX = Pattern.compile("(tapdisk|tap2?|aio|ioemu|file|phy):");
    private static final Pattern UNKNOWN_PREFIX = Pattern.compile("[a-z][a-z0-9]*:(?![a-z0-9])");
    private static final Set<String> FLAGS = Set.of("direct-io-safe", "discard", "no-discard", "colo", "no-colo",
            "trusted", "untrusted");
    private static final Set<String> STRING_OPTIONS = Set.of("backend", "script", "colo-host", "colo-port",
            "colo-export", "active-disk", "hidden-disk");

    public XlDiskSpec {
        ignored = List.copyOf(ignored);
    }

    /** Reads one disk entry; {@code line} is where it stands, for the error message. */
    public static XlDiskSpec parse(String spec, int line) throws XlConfigException {
        return new Scanner(spec, line).scan();
    }

    /** The scanner's state: what the entry has set so far and where it stands. */
    private static final class Scanner {
        private final String spec;
        private final int line;
        private final List<DeviceOption> ignored = new ArrayList<>();
        private int pos;
        private String target;
        private String format;
        private String vdev;
        private boolean cdrom;
        private boolean readOnly;
        private boolean accessSet;
        private boolean hadPrefix;

        Scanner(String spec, int line) {
            this.spec = spec;
            this.line = line;
        }

        XlDiskSpec scan() throws XlConfigException {
            while (skipBlanks()) {
                String rest = spec.substring(pos);
                if (rest.startsWith("target=")) {
                    setTarget(stripComma(rest.substring("target=".length())));
                    break;
                }
                if (!prefix(rest)) {
                    int comma = rest.indexOf(',');
                    String param = comma < 0 ? rest : rest.substring(0, comma);
                    pos += comma < 0 ? rest.length() : comma + 1;
                    parameter(param);
                }
            }
            if (target == null) {
                throw error("no target (image file or device) is given");
            }
            return new XlDiskSpec(target, format, vdev == null || vdev.isEmpty() ? null : vdev, cdrom, readOnly,
                    ignored);
        }

        private boolean skipBlanks() {
            while (pos < spec.length() && " \t\n".indexOf(spec.charAt(pos)) >= 0) {
                pos++;
            }
            return pos < spec.length();
        }

        /** The deprecated prefixes before a target; after one, the next positional value is the vdev. */
        private boolean prefix(String rest) throws XlConfigException {
            Matcher m;
            if ((m = FORMAT_PREFIX.matcher(rest)).lookingAt()) {
                setFormat(m.group(1));
            } else if ((m = SCRIPT_PREFIX.matcher(rest)).lookingAt()) {
                ignored.add(new DeviceOption(m.group(1) + ":",
                        "runs the block script block-" + m.group(1) + "; Polydesk disks are plain files or devices"));
            } else if (!(m = IGNORED_PREFIX.matcher(rest)).lookingAt()) {
                if ((m = UNKNOWN_PREFIX.matcher(rest)).lookingAt()) {
                    throw error("unknown deprecated disk prefix '" + m.group() + "'");
                }
                return false;
            }
            hadPrefix = true;
            pos += m.end();
            return true;
        }

        private void parameter(String param) throws XlConfigException {
            int eq = param.indexOf('=');
            if (eq < 0) {
                if (param.equals("cdrom")) {
                    cdrom = true;
                } else if (FLAGS.contains(param)) {
                    ignored.add(new DeviceOption(param, "a Polydesk disk has no such setting"));
                } else {
                    positional(param);
                }
                return;
            }
            String key = param.substring(0, eq);
            String value = param.substring(eq + 1);
            switch (key) {
                case "format" -> setFormat(value);
                case "vdev" -> setVdev(value);
                case "access" -> setAccess(value);
                case "devtype" -> cdrom = switch (value) {
                    case "cdrom" -> true;
                    case "disk" -> false;
                    default -> throw error("unknown devtype '" + value + "' (expected cdrom or disk)");
                };
                case "backendtype" -> {
                    if (!Set.of("phy", "tap", "qdisk", "standalone").contains(value)) {
                        throw error("unknown backendtype '" + value + "' (expected phy, tap, qdisk or standalone)");
                    }
                    ignored.add(new DeviceOption(key, "Polydesk chooses the disk backend itself"));
                }
                case "specification" -> {
                    if (!value.equals("xen") && !value.equals("virtio")) {
                        throw error("unknown specification '" + value + "' (expected xen or virtio)");
                    }
                    ignored.add(new DeviceOption(key, "Polydesk chooses how the disk is presented to the guest"));
                }
                case "grant_usage" -> {
                    if (!value.equals("0") && !value.equals("1")) {
                        throw error("unknown parameter '" + param + "'");
                    }
                    ignored.add(new DeviceOption(key, "a Polydesk disk has no such setting"));
                }
                default -> {
                    if (!STRING_OPTIONS.contains(key)) {
                        throw error("unknown parameter '" + param + "'");
                    }
                    ignored.add(new DeviceOption(key, key.equals("backend")
                            ? "disks served by another domain are not supported; Polydesk serves them from dom0"
                            : "a Polydesk disk has no such setting"));
                }
            }
        }

        /** Values without a key fill target, format, vdev and access in that order, as xl's scanner does. */
        private void positional(String value) throws XlConfigException {
            if (target == null) {
                setTarget(value);
            } else if (!hadPrefix && format == null) {
                // Old syntax ",,hdc:cdrom,r" or ",hdc:cdrom": an empty target followed by the vdev means no media.
                if (target.isEmpty() && vdevWithDevtype(value)) {
                    format = "empty";
                } else {
                    setFormat(value);
                }
            } else if (vdev == null) {
                if (!vdevWithDevtype(value)) {
                    setVdev(value);
                }
            } else if (!accessSet) {
                accessSet = true;
                setAccess(value);
            } else {
                throw error("too many positional parameters at '" + value + "'");
            }
        }

        /** {@code hdc:cdrom} or {@code hda:disk}, the deprecated way to give the device type. */
        private boolean vdevWithDevtype(String value) throws XlConfigException {
            int colon = value.lastIndexOf(':');
            if (colon < 0) {
                return false;
            }
            setVdev(value.substring(0, colon));
            cdrom = switch (value.substring(colon + 1)) {
                case "cdrom" -> true;
                case "disk" -> false;
                default -> throw error("unknown device type in '" + value + "' (expected :cdrom or :disk)");
            };
            return true;
        }

        private void setTarget(String value) throws XlConfigException {
            if (target != null && !target.isEmpty()) {
                throw error("target given twice ('" + target + "' and '" + value + "')");
            }
            target = value;
        }

        private void setVdev(String value) throws XlConfigException {
            if (vdev != null && !vdev.isEmpty()) {
                throw error("vdev given twice ('" + vdev + "' and '" + value + "')");
            }
            vdev = value;
        }

        private void setFormat(String value) throws XlConfigException {
            String named = value.isEmpty() ? "raw" : value;
            if (!FORMATS.contains(named)) {
                throw error("unknown format '" + value + "' (expected raw, qcow, qcow2, vhd, qed or empty)");
            }
            if (format != null && !format.equals(named)) {
                throw error("format given twice ('" + format + "' and '" + named + "')");
            }
            format = named;
        }

        private void setAccess(String value) throws XlConfigException {
            switch (value) {
                case "r", "ro" -> readOnly = true;
                case "w", "rw", "" -> readOnly = false;
                default -> throw error("unknown access '" + value + "' (expected r, ro, w or rw)");
            }
        }

        private static String stripComma(String value) {
            return value.endsWith(",") ? value.substring(0, value.length() - 1) : value;
        }

        private XlConfigException error(String problem) {
            return new XlConfigException(line, "disk '" + spec + "': " + problem);
        }
    }
}
