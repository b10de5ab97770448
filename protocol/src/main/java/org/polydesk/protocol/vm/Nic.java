package org.polydesk.protocol.vm;

import java.util.List;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A network interface, on one of polydeskd's networks ({@code network}, its name) or, as imported
 * from an xl.cfg, on a host bridge that polydeskd does not own ({@code bridge}): exactly one of the
 * two. A missing MAC is generated once by the toolstack and stored. {@code model} left out is the
 * backend's default (e1000 for HVM guests, virtio for the others). {@code policy} (default open) is
 * enforced on the VM's tap or vif; {@code online} false (default true) keeps the link down.
 * {@code allowed}: with policy {@code allowed}, what the VM may reach ({@link NicAllowed} entries).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Nic(String bridge, String mac, NicModel model, String network, NicPolicy policy, Boolean online,
                  List<String> allowed) {
    public static final String ALLOWED = "allowed";

    @JsonCreator
    public Nic {
        allowed = allowed == null || allowed.isEmpty() ? null : List.copyOf(allowed);
    }

    /** Without an allowed list. */
    public Nic(String bridge, String mac, NicModel model, String network, NicPolicy policy, Boolean online) {
        this(bridge, mac, model, network, policy, online, null);
    }

    /** On a host bridge. */
    public Nic(String bridge, String mac) {
        this(bridge, mac, null);
    }

    /** On a host bridge, with a model. */
    public Nic(String bridge, String mac, NicModel model) {
        this(bridge, mac, model, null, null, null);
    }

    /** On one of polydeskd's networks. */
    public static Nic on(String network) {
        return new Nic(null, null, null, network, null, null);
    }

    public Nic withModel(NicModel newModel) {
        return new Nic(bridge, mac, newModel, network, policy, online, allowed);
    }

    public Nic withMac(String newMac) {
        return new Nic(bridge, newMac, model, network, policy, online, allowed);
    }

    public Nic withPolicy(NicPolicy newPolicy) {
        return new Nic(bridge, mac, model, network, newPolicy, online, allowed);
    }

    public Nic withOnline(Boolean newOnline) {
        return new Nic(bridge, mac, model, network, policy, newOnline, allowed);
    }

    public Nic withAllowed(List<String> newAllowed) {
        return new Nic(bridge, mac, model, network, policy, online, newAllowed);
    }

    public List<String> allowedOrEmpty() {
        return allowed == null ? List.of() : allowed;
    }

    public NicPolicy policyOrDefault() {
        return policy == null ? NicPolicy.OPEN : policy;
    }

    public boolean onlineOrDefault() {
        return online == null || online;
    }
}
