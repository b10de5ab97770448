package org.polydesk.ui.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.polydesk.protocol.install.InstallDisk;
import org.polydesk.protocol.install.InstallProgress;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.Methods;
import org.polydesk.protocol.toolstack.HostInfo;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmStatus;

/**
 * The toolstack API as the UI uses it: one typed method per polydeskd method. The methods under
 * "not in polydeskd yet" are the ones the UI needs and polydeskd does not serve; they fail with
 * {@link ToolstackException#isMethodMissing()} until it does, and the pages say so.
 */
public final class Toolstack {
    /** Lists the host's display devices (GPU page; issue 7). */
    public static final String GPU_LIST = "gpu.list";
    /** Gives the GPU to one VM, or to none (GPU page; issue 7). */
    public static final String GPU_ASSIGN = "gpu.assign";
    /** Reads the input server's hotkeys (hotkeys page; issue 5). */
    public static final String INPUT_CONFIG_GET = "input.config.get";
    /** Changes one hotkey of the input server (hotkeys page; issue 5). */
    public static final String INPUT_CONFIG_SET = "input.config.set";
    /** Reads an xl.cfg file's text into a definition without creating anything (import). */
    public static final String XLCFG_PARSE = org.polydesk.protocol.rpc.Methods.XLCFG_PARSE;
    /** Makes a new, empty disk image of a given size (create form). */
    public static final String DISK_CREATE = org.polydesk.protocol.rpc.Methods.DISK_CREATE;
    /** Shuts the machine down (host page). */
    public static final String HOST_SHUTDOWN = "host.shutdown";
    /** Reboots the machine (host page). */
    public static final String HOST_REBOOT = "host.reboot";
    /** The last lines of polydeskd's own log (log page). */
    public static final String HOST_LOG = "host.log";

    private final ToolstackClient client;

    public Toolstack(ToolstackClient client) {
        this.client = client;
    }

    public ToolstackClient client() {
        return client;
    }

    public CompletableFuture<List<VmStatus>> listVms() {
        return client.call(Methods.VM_LIST, null).thenApply(r -> read(r,
                ToolstackClient.READER.getTypeFactory().constructCollectionType(List.class, VmStatus.class)));
    }

    public CompletableFuture<VmStatus> show(String vm) {
        return client.call(Methods.VM_SHOW, vmParam(vm)).thenApply(r -> read(r, VmStatus.class));
    }

    public CompletableFuture<VmStatus> create(VmDefinition definition) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.set("definition", Json.mapper().valueToTree(definition));
        return client.call(Methods.VM_CREATE, p).thenApply(r -> read(r, VmStatus.class));
    }

    /** Sets the given top-level fields (a JSON null clears one). */
    public CompletableFuture<VmStatus> edit(String vm, ObjectNode changes) {
        ObjectNode p = vmParam(vm);
        p.set("changes", changes);
        return client.call(Methods.VM_EDIT, p).thenApply(r -> read(r, VmStatus.class));
    }

    public CompletableFuture<Void> delete(String vm) {
        return client.call(Methods.VM_DELETE, vmParam(vm)).thenApply(r -> null);
    }

    public CompletableFuture<VmStatus> start(String vm) {
        return client.call(Methods.VM_START, vmParam(vm)).thenApply(r -> read(r, VmStatus.class));
    }

    /** ACPI power-down; polydeskd forces the VM off after {@code timeoutSeconds}. */
    public CompletableFuture<VmStatus> stop(String vm, int timeoutSeconds) {
        ObjectNode p = vmParam(vm);
        p.put("timeoutSeconds", timeoutSeconds);
        return client.call(Methods.VM_STOP, p).thenApply(r -> read(r, VmStatus.class));
    }

    /** Force off. */
    public CompletableFuture<VmStatus> destroy(String vm) {
        return client.call(Methods.VM_DESTROY, vmParam(vm)).thenApply(r -> read(r, VmStatus.class));
    }

    public CompletableFuture<HostInfo> hostInfo() {
        return client.call(Methods.HOST_INFO, null).thenApply(r -> read(r, HostInfo.class));
    }

    /** Moves the screen, keyboard and mouse to the VM (polydeskd forwards to input-server). */
    public CompletableFuture<JsonNode> focus(String vm) {
        return client.call(Methods.FOCUS_SET, vmParam(vm));
    }

    /** The disks the installer could write to, with why each is refused or what it would erase. */
    public CompletableFuture<List<InstallDisk>> installDisks() {
        return client.call(Methods.INSTALL_DISKS, null).thenApply(r -> read(r,
                ToolstackClient.READER.getTypeFactory().constructCollectionType(List.class, InstallDisk.class)));
    }

    /**
     * Starts installing the live system to {@code disk}; the future completes when polydeskd has
     * accepted (or refused) it, then {@code progress} gets every step up to done or failed, also
     * a made-up failure when the connection breaks before the end.
     */
    public CompletableFuture<JsonNode> startInstall(String disk, boolean force, String admin, String password,
                                                    Consumer<InstallProgress> progress) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("disk", disk);
        p.put("force", force);
        p.putObject("admin").put("name", admin).put("password", password);
        return client.follow(Methods.INSTALL_START, p, Methods.INSTALL_PROGRESS,
                n -> progress.accept(read(n, InstallProgress.class)),
                n -> read(n, InstallProgress.class).isFinal(),
                why -> progress.accept(new InstallProgress(InstallProgress.Kind.FAILED, 0, 0,
                        "The connection to polydeskd broke before the install finished (" + why + "). The install may"
                                + " still be running or have stopped: polydeskd's log (journalctl -u polydeskd) says.")));
    }

    // Not in polydeskd yet (see the module README for the proposed parameters and answers).

    public CompletableFuture<List<GpuDevice>> gpuList() {
        return client.call(GPU_LIST, null).thenApply(r -> read(r,
                ToolstackClient.READER.getTypeFactory().constructCollectionType(List.class, GpuDevice.class)));
    }

    /** {@code vm} null takes the GPU back from its owner. */
    public CompletableFuture<JsonNode> gpuAssign(String pciAddress, String vm) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("gpu", pciAddress);
        if (vm == null) {
            p.putNull("vm");
        } else {
            p.put("vm", vm);
        }
        return client.call(GPU_ASSIGN, p);
    }

    public CompletableFuture<List<Hotkey>> hotkeys() {
        return client.call(INPUT_CONFIG_GET, null).thenApply(r -> read(r.path("hotkeys"),
                ToolstackClient.READER.getTypeFactory().constructCollectionType(List.class, Hotkey.class)));
    }

    public CompletableFuture<JsonNode> setHotkey(String action, String chord) {
        ObjectNode p = Json.mapper().createObjectNode();
        ObjectNode hk = p.putArray("hotkeys").addObject();
        hk.put("action", action);
        hk.put("chord", chord);
        return client.call(INPUT_CONFIG_SET, p);
    }

    public CompletableFuture<XlImport> parseXlConfig(String text) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("text", text);
        return client.call(XLCFG_PARSE, p).thenApply(r -> read(r, XlImport.class));
    }

    /** Creates an empty image; answers its absolute path. */
    public CompletableFuture<String> createDisk(String name, long sizeGib, String format) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("name", name);
        p.put("sizeGib", sizeGib);
        p.put("format", format);
        return client.call(DISK_CREATE, p).thenApply(r -> r.path("path").asText());
    }

    public CompletableFuture<JsonNode> shutdownHost() {
        return client.call(HOST_SHUTDOWN, null);
    }

    public CompletableFuture<JsonNode> rebootHost() {
        return client.call(HOST_REBOOT, null);
    }

    public CompletableFuture<List<String>> daemonLog(int lines) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("lines", lines);
        return client.call(HOST_LOG, p).thenApply(r -> read(r.path("lines"),
                ToolstackClient.READER.getTypeFactory().constructCollectionType(List.class, String.class)));
    }

    private static ObjectNode vmParam(String vm) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("vm", vm);
        return p;
    }

    private static <T> T read(JsonNode node, Class<T> type) {
        return read(node, ToolstackClient.READER.getTypeFactory().constructType(type));
    }

    private static <T> T read(JsonNode node, com.fasterxml.jackson.databind.JavaType type) {
        try {
            return ToolstackClient.READER.treeToValue(node, type);
        } catch (IOException e) {
            throw new java.util.concurrent.CompletionException(
                    ToolstackException.refused("(answer)", org.polydesk.protocol.rpc.ErrorCode.INTERNAL_ERROR.code(),
                            "polydeskd sent an answer this UI cannot read: " + e.getMessage()));
        }
    }
}
