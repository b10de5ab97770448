package org.polydesk.toolstack.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.rpc.RpcServer;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.toolstack.XlImportResult;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.toolstack.gpu.SysfsPci;
import org.polydesk.toolstack.media.Media;
import org.polydesk.toolstack.network.Networks;
import org.polydesk.toolstack.network.NetworkManagerClient;
import org.polydesk.toolstack.host.HardwareCheck;
import org.polydesk.toolstack.host.SshService;
import org.polydesk.toolstack.sound.SoundPolicy;
import org.polydesk.toolstack.usb.UsbManager;
import org.polydesk.toolstack.xlcfg.XlConfigException;
import org.polydesk.toolstack.xlcfg.XlConfigImporter;

import static org.polydesk.protocol.toolstack.ToolstackApi.*;

/** polydeskd's answers: each method of {@link ToolstackApi} to the part of the daemon that does it. */
public final class ToolstackService {
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_STOP_TIMEOUT_SECONDS = 3600;

    private final VmManager vms;
    private final EventBus events;
    private final InputRelay input;
    private final HostPower power;
    private final DiskImages images;
    private final GpuApi gpus;
    private final InstallApi install;
    private final ConsoleHolders consoleHolders;
    private final Media media;
    private final Networks networks;
    private final NetworkManagerClient uplink;
    private final SoundPolicy sound;
    private final HardwareCheck hardware;
    private final UsbManager usb;
    private final SshService ssh;
    private final UpdateApi update;

    /**
     * Requests go to {@code vms}; focus.set and input.config.* to input-server's bus; disk.create to
     * {@code imageDir}; GPUs from sysfs; install.* to {@code install}; console.* to {@code consoleHolders};
     * media.* to {@code media}; host.shutdown and host.reboot to {@code power}; network.* to {@code networks};
     * host.network to {@code uplink}; audio.* to {@code sound}; host.check to {@code hardware}; usb.* to {@code usb};
     * host.ssh* to {@code ssh}; host.system, host.update and host.boot.ok to {@code update}.
     */
    ToolstackService(VmManager vms, EventBus events, Path focusSocket, Path imageDir, SysfsPci pci, InstallApi install,
                     ConsoleHolders consoleHolders, Media media, HostPower power, Networks networks, NetworkManagerClient uplink,
                     SoundPolicy sound, HardwareCheck hardware, UsbManager usb, SshService ssh,
                     UpdateApi update) {
        this.vms = vms;
        this.events = events;
        this.input = new InputRelay(vms, focusSocket);
        this.power = power;
        this.images = new DiskImages(imageDir, "qemu-img");
        this.gpus = new GpuApi(vms, pci);
        this.install = install;
        this.consoleHolders = consoleHolders;
        this.media = media;
        this.networks = networks;
        this.uplink = uplink;
        this.sound = sound;
        this.hardware = hardware;
        this.usb = usb;
        this.ssh = ssh;
        this.update = update;
    }

    /** Every method of the toolstack API, each answered here. */
    public RpcServer.Handlers handlers() {
        return new RpcServer.Handlers()
                .on(VM_LIST, (p, c) -> vms.list())
                .on(VM_SHOW, (p, c) -> vms.show(vm(p.vm())))
                .on(VM_CREATE, (p, c) -> {
                    if (p.definition() == null) {
                        throw RpcException.invalidParam(VmCreate.DEFINITION, "definition must be the new VM's definition");
                    }
                    return vms.create(p.definition());
                })
                .on(VM_EDIT, (p, c) -> vms.edit(vm(p.vm()), p.definition()))
                .on(VM_DELETE, (p, c) -> {
                    vms.delete(vm(p.vm()));
                    return null;
                })
                .on(VM_START, (p, c) -> vms.start(vm(p.vm())))
                .on(VM_STOP, (p, c) -> vms.stop(vm(p.vm()), stopTimeout(p.timeoutSeconds())))
                .on(VM_DESTROY, (p, c) -> vms.destroy(vm(p.vm())))
                .on(VM_PAUSE, (p, c) -> vms.pause(vm(p.vm())))
                .on(VM_RESUME, (p, c) -> vms.resume(vm(p.vm())))
                .on(VM_REBOOT, (p, c) -> vms.reboot(vm(p.vm()), stopTimeout(p.timeoutSeconds())))
                .on(VM_SUSPEND, (p, c) -> vms.suspend(vm(p.vm())))
                .on(VM_CD_INSERT, (p, c) -> {
                    if (p.path() == null || p.path().isBlank() || !p.path().startsWith("/")) {
                        throw RpcException.invalidParam(VmCdInsert.PATH, "path must be the absolute path of an ISO image"
                                + " or a block device on the host");
                    }
                    return vms.insertCd(vm(p.vm()), p.drive(), Path.of(p.path()));
                })
                .on(VM_CD_EJECT, (p, c) -> vms.ejectCd(vm(p.vm()), p.drive()))
                .on(VM_NIC_SET, (p, c) -> vms.nicSet(vm(p.vm()), p.nic(), p.online(), p.policy(), p.allowed()))
                .on(NETWORK_LIST, (p, c) -> networks.list())
                .on(NETWORK_CREATE, (p, c) -> networks.create(p))
                .on(NETWORK_EDIT, (p, c) -> networks.edit(p.name(), p.network()))
                .on(NETWORK_DELETE, (p, c) -> {
                    networks.delete(p.name());
                    return null;
                })
                .on(HOST_INFO, (p, c) -> vms.hostInfo(power.available()))
                .on(HOST_SYSTEM, (p, c) -> update.status())
                .on(HOST_UPDATE, (p, c) -> update.start(p, c))
                .on(HOST_BOOT_OK, (p, c) -> update.bootOk())
                .on(HOST_NETWORK, (p, c) -> uplink.read())
                .on(HOST_SSH, (p, c) -> ssh.read())
                .on(HOST_SSH_SET, (p, c) -> ssh.set(p))
                .on(HOST_WIFI_SCAN, (p, c) -> uplink.scan())
                .on(AUDIO_STATUS, (p, c) -> sound.status())
                .on(HOST_CHECK, (p, c) -> checkHardware())
                .on(AUDIO_SET, (p, c) -> sound.set(p))
                .on(USB_LIST, (p, c) -> usb.list())
                .on(USB_ASSIGN, (p, c) -> usb.assign(p.device(), p.vm()))
                .on(USB_RELEASE, (p, c) -> usb.release(p.device()))
                .on(USB_SETTINGS, (p, c) -> usb.settings())
                .on(USB_RULE_ADD, (p, c) -> usb.addRule(p))
                .on(USB_RULE_REMOVE, (p, c) -> usb.removeRule(p))
                .on(USB_POLICY_SET, (p, c) -> usb.setPolicy(p.policy()))
                .on(HOST_WIFI_CONNECT, (p, c) -> uplink.connect(p.ssid(), p.password()))
                .on(HOST_SHUTDOWN, (p, c) -> power.begin(HostPower.Action.POWEROFF, p, c))
                .on(HOST_REBOOT, (p, c) -> power.begin(HostPower.Action.REBOOT, p, c))
                .on(FOCUS_SET, (p, c) -> input.setFocus(vm(p.vm())))
                .on(INPUT_CONFIG_GET, (p, c) -> input.config())
                .on(INPUT_CONFIG_SET, (p, c) -> input.setConfig(p))
                .on(XLCFG_PARSE, (p, c) -> xlParse(p.text()))
                .on(DISK_CREATE, (p, c) -> images.create(p))
                .on(GPU_LIST, (p, c) -> gpus.list())
                .on(GPU_ASSIGN, (p, c) -> gpus.assign(p))
                .on(INSTALL_DISKS, (p, c) -> install.disks())
                .on(INSTALL_START, (p, c) -> install.start(p, c))
                .on(EVENTS_SUBSCRIBE, (p, c) -> subscribe(c))
                .on(CONSOLE_HOLD, (p, c) -> {
                    consoleHolders.hold(c);
                    return null;
                })
                .on(CONSOLE_RELEASED, (p, c) -> {
                    consoleHolders.released(c);
                    return null;
                })
                .on(MEDIA_LIST, (p, c) -> media.list())
                .on(MEDIA_USB_LIST, (p, c) -> media.usbList())
                .on(MEDIA_IMPORT, (p, c) -> {
                    // The answer (the import's id) goes out before the first media.progress.
                    var job = media.prepareImport(p, progress -> c.send(MEDIA_PROGRESS, progress));
                    c.answerNow(MEDIA_IMPORT, job.started());
                    job.start();
                    return null; // answered
                })
                .on(MEDIA_DELETE, (p, c) -> {
                    media.delete(p, vms::cdUsersOf);
                    return null;
                });
    }

    /**
     * Subscribes and answers the snapshot under the manager's lock, which every change holds while
     * it publishes: no change falls between the two, and the answer precedes every event.
     */
    private List<VmStatus> subscribe(RpcServer.Connection connection) {
        synchronized (vms) {
            Runnable cancel = events.subscribe(e -> connection.send(EVENT, e));
            Runnable cancelNetworks = networks.events().subscribe(e -> connection.send(NETWORK_EVENT, e));
            Runnable cancelAudio = sound.subscribe(e -> connection.send(AUDIO_EVENT, e));
            Runnable cancelUsb = usb.subscribe(e -> connection.send(USB_EVENT, e));
            connection.onClose(() -> {
                cancel.run();
                cancelNetworks.run();
                cancelAudio.run();
                cancelUsb.run();
            });
            connection.answerNow(EVENTS_SUBSCRIBE, vms.list());
            return null; // answered
        }
    }

    /** The import, with each vif on a bridge of one of polydeskd's networks put on that network. */
    private XlImportResult xlParse(String text) throws RpcException {
        if (text == null) {
            throw RpcException.invalidParam(XlParse.TEXT, "text must be the xl.cfg file's text");
        }
        try {
            return networks.placeImported(XlConfigImporter.importText(text), vifLine(text));
        } catch (XlConfigException e) {
            throw RpcException.invalid(ErrorCode.INVALID_DEFINITION, List.of(new Problem(XlParse.TEXT, e.getMessage())));
        }
    }

    /** The line of the file's vif key (for the remarks on its entries), 0 if it has none. */
    private static int vifLine(String text) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("\\s*vif\\s*=.*")) {
                return i + 1;
            }
        }
        return 0;
    }

    private static String vm(String ref) throws RpcException {
        if (ref == null || ref.isBlank()) {
            throw RpcException.invalidParam(VmRef.VM, "vm must name the VM by id, name or slot (\"ui\" for the control UI in focus.set)");
        }
        return ref;
    }

    private static Duration stopTimeout(Integer seconds) throws RpcException {
        if (seconds == null) {
            return DEFAULT_STOP_TIMEOUT;
        }
        if (seconds < 0 || seconds > MAX_STOP_TIMEOUT_SECONDS) {
            throw RpcException.invalidParam(VmStop.TIMEOUT_SECONDS, "timeoutSeconds must be a whole number from 0 to "
                    + MAX_STOP_TIMEOUT_SECONDS);
        }
        return Duration.ofSeconds(seconds);
    }

    private org.polydesk.protocol.toolstack.HostCheck checkHardware() throws RpcException {
        try {
            return hardware.check();
        } catch (java.io.IOException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot check the hardware: " + e.getMessage());
        }
    }
}
