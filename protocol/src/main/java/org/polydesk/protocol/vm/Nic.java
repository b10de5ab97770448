package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A network interface, on one of polydeskd's networks ({@code network}, its name) or, as imported
 * from an xl.cfg, on a host bridge that polydeskd does not own ({@code bridge}): exactly one of the
 * two. A missing MAC is generated once by the toolstack and stored. {@code model} left out is the
 * backend's default (e1000 for HVM guests, virtio for the others). {@code policy} (default open) is
 * enforced on the VM's tap or vif; {@code online} false (default true) keeps the link down.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Nic(String bridge, String mac, NicModel model, String network, NicPolicy policy, Boolean online) {
    @JsonCreator
    public Nic {
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
        return new Nic(bridge, mac, newModel, network, policy, online);
    }

    public Nic withMac(String newMac) {
        return new Nic(bridge, newMac, model, network, policy, online);
    }

    public Nic withPolicy(NicPolicy newPolicy) {
        return new Nic(bridge, mac, model, network, newPolicy, online);
    }

    public Nic withOnline(Boolean newOnline) {
        return new Nic(bridge, mac, model, network, policy, newOnline);
    }

    public NicPolicy policyOrDefault() {
        return policy == null ? NicPolicy.OPEN : policy;
    }

    public boolean onlineOrDefault() {
        return online == null || online;
    }
}
