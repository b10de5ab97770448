package org.polydesk.toolstack.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.usb.UsbDevice;
import org.polydesk.protocol.usb.UsbPolicy;
import org.polydesk.protocol.usb.UsbRule;
import org.polydesk.protocol.usb.UsbSettings;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "usb", description = "The host's USB devices: which VM has each, and the rules that send them.")
final class UsbCommands {
    /** Its commands, in the order help lists them; polyctl builds only the one a call names. */
    static final List<Class<?>> COMMANDS = List.of(ListDevices.class, Assign.class, Release.class, Rule.class,
            Policy.class);

    @ParentCommand
    Polyctl root;

    int print(List<UsbDevice> devices) throws Exception {
        return root.print(devices, (list, out) -> {
            if (list.isEmpty()) {
                out.println("no USB devices (hubs aside)");
            }
            for (UsbDevice d : list) {
                out.printf("%-8s %s  %-28s %-18s %s%n", d.port(), d.vendorProduct(), d.label(), d.kind(),
                        d.vm() != null ? "in " + d.vmName() : d.input() ? "dom0 (the input server reads it)" : "dom0");
            }
        });
    }

    int print(UsbSettings settings) throws Exception {
        return root.print(settings, (s, out) -> {
            out.printf("policy: %s%n", switch (s.policy()) {
                case FOCUSED -> "focused (a device no rule names goes to the VM in front)";
                case ASK -> "ask (dom0 keeps a new device and the UI asks where it goes)";
                case DOM0 -> "dom0 (dom0 keeps a new device)";
            });
            if (s.rules().isEmpty()) {
                out.println("no rules");
            }
            for (UsbRule r : s.rules()) {
                out.printf("rule: %s -> %s%n", r.describe(), r.vmName() != null ? r.vmName() : r.vm() + " (deleted)");
            }
        });
    }

    @Command(name = "list", description = "Every USB device: port, ids, name, kind and who has it.")
    static final class ListDevices implements Callable<Integer> {
        @ParentCommand
        UsbCommands usb;


        @Override
        public Integer call() throws Exception {
            return usb.print(usb.root.call(ToolstackApi.USB_LIST, null));
        }
    }

    @Command(name = "assign", description = "Give a device to a VM now (to a stopped VM: as a rule for its start).")
    static final class Assign implements Callable<Integer> {
        @ParentCommand
        UsbCommands usb;


        @Parameters(index = "0", paramLabel = "DEVICE", description = "Its port (as usb list shows) or vendor:product.")
        String device;

        @Parameters(index = "1", paramLabel = "VM", description = "The VM's name, id or slot.")
        String vm;

        @Override
        public Integer call() throws Exception {
            return usb.root.print(usb.root.call(ToolstackApi.USB_ASSIGN, new ToolstackApi.UsbAssign(device, vm)), (d, out) -> {
                if (d.vm() != null) {
                    out.printf("%s (%s) is in %s%n", d.label(), d.port(), d.vmName());
                } else {
                    out.printf("%s (%s) stays with dom0 until %s starts: stored as a rule%n", d.label(), d.port(), vm);
                }
            });
        }
    }

    @Command(name = "release", description = "Take a device back from the VM that has it.")
    static final class Release implements Callable<Integer> {
        @ParentCommand
        UsbCommands usb;


        @Parameters(paramLabel = "DEVICE", description = "Its port or vendor:product.")
        String device;

        @Override
        public Integer call() throws Exception {
            return usb.print(List.of(usb.root.call(ToolstackApi.USB_RELEASE, new ToolstackApi.UsbRef(device))));
        }
    }

    @Command(name = "rule", description = "Rules that send a device to a VM whenever it is plugged in.",
            subcommands = {Rule.Show.class, Rule.Add.class, Rule.Remove.class})
    static final class Rule {
        @ParentCommand
        UsbCommands usb;

        static final class Match {
            @Option(names = "--id", paramLabel = "VVVV:PPPP", required = true, description = "The device's vendor:product.")
            String vendorProduct;

            @Option(names = "--serial", description = "And its serial number (this one stick, not every such).")
            String serial;
        }

        static final class Which {
            @ArgGroup(exclusive = false)
            Match ids;

            @Option(names = "--port", paramLabel = "PORT", description = "Whatever is plugged into this port (1-2, 3-1.4).")
            String port;
        }

        abstract static class Change implements Callable<Integer> {
            @ParentCommand
            Rule rule;


            @Parameters(paramLabel = "VM", description = "The VM's name, id or slot.")
            String vm;

            @ArgGroup(exclusive = true, multiplicity = "1")
            Which which;

            ToolstackApi.UsbRuleChange change() {
                return which.port != null ? new ToolstackApi.UsbRuleChange(vm, null, null, which.port)
                        : new ToolstackApi.UsbRuleChange(vm, which.ids.vendorProduct, which.ids.serial, null);
            }
        }

        @Command(name = "show", description = "The policy and the rules.")
        static final class Show implements Callable<Integer> {
            @ParentCommand
            Rule rule;


            @Override
            public Integer call() throws Exception {
                return rule.usb.print(rule.usb.root.call(ToolstackApi.USB_SETTINGS, null));
            }
        }

        @Command(name = "add", description = "Send the device (by --id, or --port) to VM whenever it is plugged in.")
        static final class Add extends Change {
            @Override
            public Integer call() throws Exception {
                return rule.usb.print(rule.usb.root.call(ToolstackApi.USB_RULE_ADD, change()));
            }
        }

        @Command(name = "remove", description = "Remove the rule with exactly these fields.")
        static final class Remove extends Change {
            @Override
            public Integer call() throws Exception {
                return rule.usb.print(rule.usb.root.call(ToolstackApi.USB_RULE_REMOVE, change()));
            }
        }
    }

    @Command(name = "policy", description = "Where a device no rule names goes: focused (the VM in front), ask or dom0.")
    static final class Policy implements Callable<Integer> {
        @ParentCommand
        UsbCommands usb;


        @Parameters(paramLabel = "focused|ask|dom0")
        String policy;

        @Override
        public Integer call() throws Exception {
            UsbPolicy p = switch (policy) {
                case "focused" -> UsbPolicy.FOCUSED;
                case "ask" -> UsbPolicy.ASK;
                case "dom0" -> UsbPolicy.DOM0;
                default -> throw new IllegalArgumentException("the policy is focused, ask or dom0, not '" + policy + "'");
            };
            return usb.print(usb.root.call(ToolstackApi.USB_POLICY_SET, new ToolstackApi.UsbPolicySet(p)));
        }
    }
}
