package org.polydesk.toolstack.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.toolstack.gpu.PciDevice;
import org.polydesk.toolstack.gpu.SysfsPci;

/**
 * {@code gpu.list} and {@code gpu.assign}: the host's display devices and which VM owns each. A GPU
 * belongs to one VM at most (the definitions say so, and the validator refuses a second owner),
 * and changes hands only while its VMs are stopped: passthrough cannot move a running card.
 */
final class GpuApi {
    private final VmManager vms;
    private final SysfsPci pci;

    GpuApi(VmManager vms, SysfsPci pci) {
        this.vms = vms;
        this.pci = pci;
    }

    JsonNode list() throws RpcException {
        List<VmStatus> all = vms.list();
        ArrayNode out = Json.mapper().createArrayNode();
        for (PciDevice.Gpu g : gpus()) {
            PciDevice d = g.device();
            ObjectNode n = out.addObject();
            n.put("address", d.address());
            n.put("vendor", g.vendor());
            n.put("device", g.name());
            n.put("vendorId", String.format("%04x", d.vendorId()));
            n.put("deviceId", String.format("%04x", d.deviceId()));
            if (d.iommuGroup() != null) {
                n.put("iommuGroup", d.iommuGroup());
            }
            if (d.driver() != null) {
                n.put("driver", d.driver());
            }
            n.put("bootVga", d.bootVga());
            ArrayNode functions = n.putArray("otherFunctions");
            g.otherFunctions().forEach(f -> functions.add(f.address()));
            VmDefinition owner = owner(all, d.address());
            if (owner != null) {
                n.put("owner", owner.id().toString());
                n.put("ownerName", owner.name());
            }
        }
        return out;
    }

    /** {@code {gpu: address, vm: ref|null}} → the status of the VM that now owns it (or gave it up). */
    JsonNode assign(JsonNode params) throws RpcException {
        String address = normalise(params == null ? null : params.path("gpu").asText(null));
        if (gpus().stream().noneMatch(g -> g.device().address().equals(address))) {
            throw new RpcException(ErrorCode.INVALID_PARAMS, "there is no display device at " + address
                    + " on this host; gpu.list shows them");
        }
        JsonNode ref = params.get("vm");
        VmDefinition owner = owner(vms.list(), address);
        if (ref == null || ref.isNull()) {
            if (owner == null) {
                return Json.mapper().nullNode();
            }
            stopped(owner, "its GPU cannot be taken from it while it runs");
            return Json.mapper().valueToTree(vms.edit(owner.id().toString(), gpuChange(null)));
        }
        VmStatus target = vms.show(ref.asText());
        if (owner != null && !owner.id().equals(target.definition().id())) {
            throw new RpcException(ErrorCode.INVALID_DEFINITION, "GPU " + address + " is assigned to '" + owner.name()
                    + "'; take it from '" + owner.name() + "' first");
        }
        stopped(target.definition(), "a GPU can only be given to a stopped VM");
        return Json.mapper().valueToTree(vms.edit(target.definition().id().toString(), gpuChange(address)));
    }

    private void stopped(VmDefinition vm, String why) throws RpcException {
        if (vms.show(vm.id().toString()).state().isActive()) {
            throw new RpcException(ErrorCode.WRONG_STATE, "stop '" + vm.name() + "' first: " + why);
        }
    }

    private List<PciDevice.Gpu> gpus() throws RpcException {
        try {
            return pci.gpus();
        } catch (IOException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot read the host's PCI devices: " + e.getMessage());
        }
    }

    private static VmDefinition owner(List<VmStatus> all, String address) {
        for (VmStatus s : all) {
            if (s.definition().gpu() != null && canonical(s.definition().gpu()).equals(address)) {
                return s.definition();
            }
        }
        return null;
    }

    private static ObjectNode gpuChange(String address) {
        ObjectNode change = Json.mapper().createObjectNode();
        if (address == null) {
            change.putNull("gpu");
        } else {
            change.put("gpu", address);
        }
        return change;
    }

    /** "01:00.0" and "0000:01:00.0" name the same function. */
    private static String normalise(String address) throws RpcException {
        if (address == null || !address.matches("([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]")) {
            throw new RpcException(ErrorCode.INVALID_PARAMS, "gpu must be a PCI address like 0000:01:00.0, not '"
                    + address + "'");
        }
        return canonical(address);
    }

    private static String canonical(String address) {
        String a = address.toLowerCase(Locale.ROOT);
        return a.length() == 7 ? "0000:" + a : a;
    }
}
