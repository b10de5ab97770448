package org.polydesk.toolstack.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.Methods;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.toolstack.definition.DefinitionJson;
import org.polydesk.toolstack.definition.InvalidDefinitionException;

/** The toolstack API: turns JSON-RPC requests into calls on the {@link VmManager}. */
public final class ToolstackApi implements RpcServer.Handler {
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_STOP_TIMEOUT_SECONDS = 3600;

    private final VmManager vms;
    private final EventBus events;
    private final FocusRelay focus;

    private final DiskImages images;
    private final GpuApi gpus;
    private final InstallApi install;
    private final ConsoleHolders consoleHolders;

    /**
     * Requests go to {@code vms}; focus.set to input-server's bus; disk.create to {@code imageDir}; GPUs from
     * sysfs; install.* to {@code install}; console.* to {@code consoleHolders}.
     */
    ToolstackApi(VmManager vms, EventBus events, java.nio.file.Path focusSocket, java.nio.file.Path imageDir,
                 org.polydesk.toolstack.gpu.SysfsPci pci, InstallApi install, ConsoleHolders consoleHolders) {
        this.vms = vms;
        this.events = events;
        this.focus = new FocusRelay(vms, focusSocket);
        this.images = new DiskImages(imageDir, "qemu-img");
        this.gpus = new GpuApi(vms, pci);
        this.install = install;
        this.consoleHolders = consoleHolders;
    }

    @Override
    public JsonNode handle(String method, JsonNode params, RpcServer.Connection connection) throws RpcException {
        return switch (method) {
            case Methods.VM_LIST -> tree(vms.list());
            case Methods.VM_SHOW -> tree(vms.show(vmRef(params)));
            case Methods.VM_CREATE -> tree(vms.create(definition(params)));
            case Methods.VM_EDIT -> tree(vms.edit(vmRef(params), params.get("changes")));
            case Methods.VM_DELETE -> {
                vms.delete(vmRef(params));
                yield null;
            }
            case Methods.VM_START -> tree(vms.start(vmRef(params)));
            case Methods.VM_STOP -> tree(vms.stop(vmRef(params), stopTimeout(params)));
            case Methods.VM_DESTROY -> tree(vms.destroy(vmRef(params)));
            case Methods.HOST_INFO -> tree(vms.hostInfo());
            case Methods.FOCUS_SET -> focus.set(vmRef(params));
            case Methods.XLCFG_PARSE -> xlParse(params);
            case Methods.DISK_CREATE -> images.create(params);
            case Methods.GPU_LIST -> gpus.list();
            case Methods.GPU_ASSIGN -> gpus.assign(params);
            case Methods.INSTALL_DISKS -> install.disks();
            case Methods.INSTALL_START -> install.start(params, connection);
            case Methods.EVENTS_SUBSCRIBE -> subscribe(connection);
            case Methods.CONSOLE_HOLD -> {
                consoleHolders.hold(connection);
                yield null;
            }
            case Methods.CONSOLE_RELEASED -> {
                consoleHolders.released(connection);
                yield null;
            }
            default -> throw new RpcException(ErrorCode.METHOD_NOT_FOUND, "no method '" + method + "'");
        };
    }

    private JsonNode subscribe(RpcServer.Connection connection) {
        Runnable cancel = events.subscribe(e -> connection.send(RpcMessage.notification(Methods.EVENT, tree(e))));
        connection.onClose(cancel);
        ObjectNode ok = Json.mapper().createObjectNode();
        ok.put("subscribed", true);
        return ok;
    }

    private static JsonNode xlParse(JsonNode params) throws RpcException {
        JsonNode text = params == null ? null : params.get("text");
        if (text == null || !text.isTextual()) {
            throw new RpcException(ErrorCode.INVALID_PARAMS, "params.text must be the xl.cfg file's text");
        }
        try {
            return tree(org.polydesk.toolstack.xlcfg.XlConfigImporter.importText(text.asText()));
        } catch (org.polydesk.toolstack.xlcfg.XlConfigException e) {
            throw new RpcException(ErrorCode.INVALID_DEFINITION, e.getMessage());
        }
    }

    private static String vmRef(JsonNode params) throws RpcException {
        JsonNode vm = params == null ? null : params.get("vm");
        if (vm == null || !vm.isTextual()) {
            throw new RpcException(ErrorCode.INVALID_PARAMS, "params.vm must name the VM by id, name or slot (\"ui\" for the control UI in focus.set)");
        }
        return vm.asText();
    }

    private static org.polydesk.protocol.vm.VmDefinition definition(JsonNode params) throws RpcException {
        try {
            return DefinitionJson.read(params == null ? null : params.get("definition"));
        } catch (InvalidDefinitionException e) {
            throw new RpcException(ErrorCode.INVALID_DEFINITION, e.getMessage());
        }
    }

    private static Duration stopTimeout(JsonNode params) throws RpcException {
        JsonNode t = params.get("timeoutSeconds");
        if (t == null || t.isNull()) {
            return DEFAULT_STOP_TIMEOUT;
        }
        if (!t.canConvertToInt() || t.asInt() < 0 || t.asInt() > MAX_STOP_TIMEOUT_SECONDS) {
            throw new RpcException(ErrorCode.INVALID_PARAMS,
                    "timeoutSeconds must be a whole number from 0 to " + MAX_STOP_TIMEOUT_SECONDS);
        }
        return Duration.ofSeconds(t.asInt());
    }

    private static JsonNode tree(Object value) {
        return Json.mapper().valueToTree(value);
    }
}
