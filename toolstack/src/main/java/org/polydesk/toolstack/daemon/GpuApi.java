package org.polydesk.toolstack.daemon;

import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.toolstack.ToolstackApi;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.vm.PciAddress;
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

    List<ToolstackApi.GpuDevice> list() throws RpcException {
        List<VmStatus> all = vms.list();
        List<ToolstackApi.GpuDevice> out = new ArrayList<>();
        for (PciDevice.Gpu g : gpus()) {
            PciDevice d = g.device();
            VmDefinition owner = owner(all, d.address());
            out.add(new ToolstackApi.GpuDevice(d.address(), g.vendor(), g.name(), String.format("%04x", d.vendorId()),
                    String.format("%04x", d.deviceId()), d.iommuGroup(), d.driver(), d.bootVga(),
                    g.otherFunctions().stream().map(PciDevice::address).toList(),
                    owner == null ? null : owner.id().toString(), owner == null ? null : owner.name()));
        }
        return out;
    }

    /** {@code {gpu: address, vm: ref|null}} → the status of the VM that now owns it (or gave it up). */
    VmStatus assign(ToolstackApi.GpuAssign params) throws RpcException {
        String address = normalise(params.gpu());
        if (gpus().stream().noneMatch(g -> g.device().address().equals(address))) {
            throw RpcException.invalidParam(ToolstackApi.GpuAssign.GPU, "there is no display device at " + address
                    + " on this host; gpu.list shows them");
        }
        String ref = params.vm();
        VmDefinition owner = owner(vms.list(), address);
        if (ref == null) {
            if (owner == null) {
                return null;
            }
            stopped(owner, "its GPU cannot be taken from it while it runs");
            return vms.edit(owner.id().toString(), owner.toBuilder().gpu(null).build());
        }
        VmStatus target = vms.show(ref);
        if (owner != null && !owner.id().equals(target.definition().id())) {
            throw new RpcException(ErrorCode.INVALID_DEFINITION, "GPU " + address + " is assigned to '" + owner.name()
                    + "'; take it from '" + owner.name() + "' first");
        }
        stopped(target.definition(), "a GPU can only be given to a stopped VM");
        return vms.edit(target.definition().id().toString(), target.definition().toBuilder().gpu(address).build());
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
            if (s.definition().gpu() != null && PciAddress.canonical(s.definition().gpu()).equals(address)) {
                return s.definition();
            }
        }
        return null;
    }

    /** "01:00.0" and "0000:01:00.0" name the same function. */
    private static String normalise(String address) throws RpcException {
        if (address == null || !address.matches("([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]")) {
            throw RpcException.invalidParam(ToolstackApi.GpuAssign.GPU, "gpu must be a PCI address like 0000:01:00.0, not '" + address + "'");
        }
        return PciAddress.canonical(address);
    }
}
