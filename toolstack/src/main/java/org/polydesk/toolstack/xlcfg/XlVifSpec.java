package org.polydesk.toolstack.xlcfg;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.polydesk.protocol.vm.NicModel;

/**
 * One entry of {@code vif=[...]} as xl reads it (xl-network-configuration(5)): comma-separated
 * {@code key=value} options, blanks before each ignored. bridge, mac, model and type fit a Polydesk NIC:
 * {@code type=vif} (the PV interface alone) is Polydesk's virtio model.
 *
 * @param bridge null if the entry names none
 * @param mac lower case {@code xx:xx:xx:xx:xx:xx}, or null if the entry names none or an invalid one
 * @param model the NIC model, or null for the backend's default
 */
public record XlVifSpec(String bridge, String mac, NicModel model, List<DeviceOption> ignored) {

    // xl reads six hex numbers up to ff, each followed by any one separator character.
    private static final Pattern MAC = Pattern.compile(
            "([0-9a-fA-F]{1,2}).([0-9a-fA-F]{1,2}).([0-9a-fA-F]{1,2}).([0-9a-fA-F]{1,2}).([0-9a-fA-F]{1,2}).([0-9a-fA-F]{1,2})");

    public XlVifSpec {
        ignored = List.copyOf(ignored);
    }

    public static XlVifSpec parse(String spec) {
        String bridge = null;
        String mac = null;
        NicModel model = null;
        boolean pvOnly = false;
        List<DeviceOption> ignored = new ArrayList<>();
        for (String option : spec.split(",")) {
            option = option.stripLeading();
            if (option.isEmpty()) {
                continue;
            }
            int eq = option.indexOf('=');
            String key = eq < 0 ? option : option.substring(0, eq);
            String value = eq < 0 ? "" : option.substring(eq + 1);
            // Like xl, a bare word (no '=') never sets bridge or mac.
            switch (eq < 0 ? "" : key) {
                case "bridge" -> bridge = value;
                case "mac" -> {
                    mac = normaliseMac(value);
                    if (mac == null) {
                        ignored.add(new DeviceOption(key, "'" + value + "' is not a MAC address; xl ignores it too"));
                    }
                }
                case "type" -> {
                    if (value.equals("vif")) {
                        pvOnly = true;
                    } else if (!value.equals("ioemu")) {
                        ignored.add(new DeviceOption(key, "'" + value + "' is not an interface type; expected ioemu or vif"));
                    }
                }
                case "model" -> {
                    model = switch (value) {
                        case "e1000" -> NicModel.E1000;
                        case "rtl8139" -> NicModel.RTL8139;
                        case "virtio", "virtio-net", "virtio-net-pci" -> NicModel.VIRTIO;
                        default -> null;
                    };
                    if (model == null) {
                        ignored.add(new DeviceOption(key, "the network card '" + value
                                + "' is not one Polydesk offers (e1000, rtl8139 or virtio); the default card is used"));
                    }
                }
                default -> ignored.add(new DeviceOption(key, "a Polydesk network interface has no such setting"));
            }
        }
        if (pvOnly && model == null) {
            model = NicModel.VIRTIO;
        }
        return new XlVifSpec(bridge, mac, model, ignored);
    }

    private static String normaliseMac(String text) {
        Matcher m = MAC.matcher(text);
        if (!m.matches()) {
            return null;
        }
        StringBuilder mac = new StringBuilder();
        for (int i = 1; i <= 6; i++) {
            mac.append(i > 1 ? ":" : "").append(String.format("%02x", Integer.parseInt(m.group(i), 16)));
        }
        return mac.toString();
    }
}
