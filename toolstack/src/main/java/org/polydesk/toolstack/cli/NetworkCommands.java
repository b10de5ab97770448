package org.polydesk.toolstack.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.network.NetworkKind;
import org.polydesk.protocol.network.NetworkStatus;
import org.polydesk.protocol.toolstack.ToolstackApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "network", description = "polydeskd's networks, which VMs' network interfaces are on.")
final class NetworkCommands {
    /** Its commands, in the order help lists them; polyctl builds only the one a call names. */
    static final List<Class<?>> COMMANDS = List.of(ListNetworks.class, Create.class, Edit.class, Delete.class);

    @ParentCommand
    Polyctl root;

    @Command(name = "list", description = "Each network: name, kind, subnet, bridge, up or why not, DHCP, its VMs.")
    static final class ListNetworks implements Callable<Integer> {
        @ParentCommand
        NetworkCommands networks;


        @Override
        public Integer call() throws Exception {
            return networks.root.print(networks.root.call(ToolstackApi.NETWORK_LIST, null), (list, out) -> {
                for (NetworkStatus s : list) {
                    Network n = s.network();
                    out.printf("%s  %s  %s  bridge %s  %s  dhcp %s  vms: %s%n", n.name(), n.kind().wireName(),
                            n.address() != null ? n.address() : n.uplink() != null ? "on " + n.uplink() : "no address",
                            s.bridge(), s.active() ? "active" : "down (" + s.problem() + ")", s.dhcp(),
                            s.vms().isEmpty() ? "none" : String.join(", ", s.vms()));
                }
                if (list.isEmpty()) {
                    out.println("no networks (network create makes one)");
                }
            });
        }
    }

    /** The settings create and edit share. */
    static class Settings {
        @Option(names = "--kind", paramLabel = "nat|isolated|bridged", description = "What it connects to (default nat).")
        String kind;

        @Option(names = "--address", paramLabel = "A.B.C.D/LEN", description = "The bridge's address and the subnet's"
                + " prefix, like 10.77.0.1/24: the VMs' gateway and DNS server (nat; isolated with DHCP).")
        String address;

        @Option(names = "--dhcp", negatable = true, description = "Serve DHCP on it (default: on for nat, off for isolated).")
        Boolean dhcp;

        @Option(names = "--uplink", paramLabel = "NIC", description = "The physical NIC a bridged network puts its VMs on.")
        String uplink;

        Network network(String name) {
            NetworkKind k = kind == null ? NetworkKind.NAT : NetworkKind.fromWireName(kind);
            if (k == null) {
                throw new IllegalArgumentException("--kind must be nat, isolated or bridged, not '" + kind + "'");
            }
            return new Network(name, k, address, dhcp, uplink);
        }
    }

    @Command(name = "create", description = "Makes a network and brings it up.")
    static final class Create extends Settings implements Callable<Integer> {
        @ParentCommand
        NetworkCommands networks;

        @Parameters(paramLabel = "NAME", description = "1–12 of a–z, 0–9 and '-', starting with a letter.")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            NetworkStatus s = networks.root.call(ToolstackApi.NETWORK_CREATE, network(name));
            if (networks.root.json) {
                networks.root.printJson(s);
            } else {
                spec.commandLine().getOut().println("network " + s.network().name() + " is up on bridge " + s.bridge());
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }

    @Command(name = "edit", description = "Changes a network no running VM is on (the settings given replace all).")
    static final class Edit extends Settings implements Callable<Integer> {
        @ParentCommand
        NetworkCommands networks;

        @Parameters(paramLabel = "NAME", description = "The network, as 'network list' shows it.")
        String name;

        @Override
        public Integer call() throws Exception {
            networks.root.call(ToolstackApi.NETWORK_EDIT, new ToolstackApi.NetworkEdit(name, network(name)));
            return 0;
        }
    }

    @Command(name = "delete", description = "Deletes a network that no VM's definition names.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        NetworkCommands networks;

        @Parameters(paramLabel = "NAME", description = "The network, as 'network list' shows it.")
        String name;

        @Override
        public Integer call() throws Exception {
            networks.root.call(ToolstackApi.NETWORK_DELETE, new ToolstackApi.NetworkRef(name));
            return 0;
        }
    }
}
