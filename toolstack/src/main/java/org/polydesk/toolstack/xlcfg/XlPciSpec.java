package org.polydesk.toolstack.xlcfg;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of {@code pci=[...]} as xl-pci-configuration(5) and libxlu_pci.c read it:
 * {@code [DDDD:]BB:SS.F[@VSLOT][,key=value...]}, or the address given as {@code bdf=}. A Polydesk PCI
 * device is only its host address, so every other option is reported.
 *
 * @param bdf the host address as {@code dddd:bb:ss.f}, lower case with the domain; null when the entry
 *            names its device in a way Polydesk cannot hold ({@code name=}, all functions {@code .*}),
 *            and then {@code ignored} says why
 */
public record XlPciSpec(String bdf, List<DeviceOption> ignored) {

    private static final Pattern BDF = Pattern.compile(
            "(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7*])");

    public XlPciSpec {
        ignored = List.copyOf(ignored);
    }

    public static XlPciSpec parse(String spec, int line) throws XlConfigException {
        return new Reader(spec, line).read();
    }

    /** The state of one entry being read: the device, if named yet, and the options found. */
    private static final class Reader {
        private final String spec;
        private final int line;
        private final List<DeviceOption> ignored = new ArrayList<>();
        private boolean deviceGiven;
        private String bdf;

        Reader(String spec, int line) {
            this.spec = spec;
            this.line = line;
        }

        XlPciSpec read() throws XlConfigException {
            String rest = spec;
            Matcher m = BDF.matcher(spec);
            if (m.lookingAt()) {
                setAddress(m);
                rest = spec.substring(m.end());
                if (rest.startsWith("@")) {
                    ignored.add(new DeviceOption("vslot", "Polydesk lets Xen choose the guest's PCI slot"));
                    int comma = rest.indexOf(',');
                    rest = comma < 0 ? "" : rest.substring(comma);
                }
                if (!rest.isEmpty() && !rest.startsWith(",")) {
                    throw error("unexpected '" + rest + "' after the device address");
                }
                rest = rest.isEmpty() ? rest : rest.substring(1);
            }
            for (String option : rest.isEmpty() ? new String[0] : rest.split(",", -1)) {
                option(option);
            }
            if (!deviceGiven) {
                throw error("no device address (like 0000:01:00.0) is given");
            }
            return new XlPciSpec(bdf, ignored);
        }

        private void option(String option) throws XlConfigException {
            int eq = option.indexOf('=');
            if (eq < 0) {
                throw error("expected key=value, found '" + option + "'");
            }
            String key = option.substring(0, eq);
            String value = option.substring(eq + 1);
            switch (key) {
                case "bdf" -> {
                    Matcher b = BDF.matcher(value);
                    if (!b.matches()) {
                        throw error("'" + value + "' is not a PCI address like 0000:01:00.0");
                    }
                    setAddress(b);
                }
                case "name" -> {
                    checkOnce();
                    ignored.add(new DeviceOption(key, "devices named with name= are not supported;"
                            + " give the address (like 0000:01:00.0) instead"));
                }
                case "vslot" -> ignored.add(new DeviceOption(key, "Polydesk lets Xen choose the guest's PCI slot"));
                case "permissive", "msitranslate", "seize", "power_mgmt", "rdm_policy" -> ignored.add(
                        new DeviceOption(key, "Polydesk passes devices through with xl's default for " + key));
                default -> throw error("unknown option '" + key + "'");
            }
        }

        private void setAddress(Matcher m) throws XlConfigException {
            checkOnce();
            int device = Integer.parseInt(m.group(3), 16);
            if (device > 0x1f) {
                throw error("device number " + m.group(3) + " is above 1f");
            }
            if (m.group(4).equals("*")) {
                ignored.add(new DeviceOption("bdf", "'.*' (all functions of the device) is not supported;"
                        + " list each function, like 01:00.0 and 01:00.1"));
                return;
            }
            int domain = m.group(1) == null ? 0 : Integer.parseInt(m.group(1), 16);
            int bus = Integer.parseInt(m.group(2), 16);
            bdf = String.format("%04x:%02x:%02x.%s", domain, bus, device, m.group(4));
        }

        private void checkOnce() throws XlConfigException {
            if (deviceGiven) {
                throw error("the device is given twice");
            }
            deviceGiven = true;
        }

        private XlConfigException error(String problem) {
            return new XlConfigException(line, "pci '" + spec + "': " + problem);
        }
    }
}
