package org.polydesk.toolstack.daemon;

import org.polydesk.protocol.rpc.RpcException;
import java.io.IOException;
import java.nio.file.Path;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcClient;

/**
 * polydeskd's {@code focus.set}: input-server is the authority on focus, so polydeskd only turns
 * a VM's id or name (or "ui") into its slot and asks input-server's focus bus to move there.
 */
final class FocusRelay {
    private final VmManager vms;
    private final Path focusSocket;

    FocusRelay(VmManager vms, Path focusSocket) {
        this.vms = vms;
        this.focusSocket = focusSocket;
    }

    /** {@code {"vm": id|name|slot|"ui"}} → the focus bus's {@code FocusChanged}. */
    FocusChanged set(String ref) throws RpcException {
        int slot = "ui".equalsIgnoreCase(ref) || "0".equals(ref) ? FocusBus.UI_SLOT : slotOf(ref);
        RpcClient bus;
        try {
            bus = RpcClient.connect(focusSocket);
        } catch (IOException e) {
            throw new RpcException(ErrorCode.SERVICE_UNAVAILABLE, "the focus cannot move: input-server is not running"
                    + " (nothing answers on " + focusSocket + ")");
        }
        try (bus) {
            return bus.call(FocusBus.SET, new FocusBus.SlotRef(slot));
        } catch (RpcClient.CallException e) {
            ErrorCode code = e.errorCode() != null ? e.errorCode() : ErrorCode.INTERNAL_ERROR;
            throw new RpcException(code, "input-server refused: " + e.getMessage(), e.problems());
        } catch (IOException e) {
            throw new RpcException(ErrorCode.SERVICE_UNAVAILABLE, "input-server went away while moving the focus: "
                    + e.getMessage());
        }
    }

    private int slotOf(String ref) throws RpcException {
        Integer slot = vms.show(ref).definition().slot();
        if (slot == null) {
            throw new RpcException(ErrorCode.WRONG_STATE, "'" + ref + "' has no slot, so it cannot have the focus");
        }
        return slot;
    }
}
