package org.polydesk.toolstack.daemon;

import org.polydesk.protocol.rpc.RpcException;
import java.io.IOException;
import java.nio.file.Path;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.focus.InputSettings;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMethod;

/**
 * polydeskd's {@code focus.set}, {@code input.config.get} and {@code input.config.set}: input-server
 * is the authority on focus and on its own settings, so polydeskd only turns a VM's id or name (or
 * "ui") into its slot and forwards each request to input-server's bus. The control UI and polyctl
 * thus need polydeskd's socket alone; input-server's answer or refusal (with its problems) comes
 * back as it was given.
 */
final class InputRelay {
    private final VmManager vms;
    private final Path busSocket;

    InputRelay(VmManager vms, Path busSocket) {
        this.vms = vms;
        this.busSocket = busSocket;
    }

    /** {@code {"vm": id|name|slot|"ui"}} → the focus bus's {@code FocusChanged}. */
    FocusChanged setFocus(String ref) throws RpcException {
        int slot = "ui".equalsIgnoreCase(ref) || "0".equals(ref) ? FocusBus.UI_SLOT : slotOf(ref);
        return forward(FocusBus.SET, new FocusBus.SlotRef(slot), "the focus cannot move");
    }

    InputSettings config() throws RpcException {
        return forward(FocusBus.CONFIG_GET, null, "the input settings cannot be read");
    }

    InputSettings setConfig(InputSettings settings) throws RpcException {
        return forward(FocusBus.CONFIG_SET, settings, "the input settings cannot be changed");
    }

    private <P, R> R forward(RpcMethod<P, R> method, P params, String cannot) throws RpcException {
        RpcClient bus;
        try {
            bus = RpcClient.connect(busSocket);
        } catch (IOException e) {
            throw new RpcException(ErrorCode.SERVICE_UNAVAILABLE, cannot + ": input-server is not running"
                    + " (nothing answers on " + busSocket + ")");
        }
        try (bus) {
            return bus.call(method, params);
        } catch (RpcClient.CallException e) {
            ErrorCode code = e.errorCode() != null ? e.errorCode() : ErrorCode.INTERNAL_ERROR;
            throw new RpcException(code, "input-server refused: " + e.getMessage(), e.problems());
        } catch (IOException e) {
            throw new RpcException(ErrorCode.SERVICE_UNAVAILABLE, "input-server went away during " + method.name()
                    + ": " + e.getMessage());
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
