package org.polydesk.protocol.toolstack;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.polydesk.protocol.audio.AudioChange;
import org.polydesk.protocol.audio.AudioEvent;
import org.polydesk.protocol.audio.AudioStatus;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.InputSettings;
import org.polydesk.protocol.install.InstallDisk;
import org.polydesk.protocol.install.InstallProgress;
import org.polydesk.protocol.media.MediaProgress;
import org.polydesk.protocol.media.Medium;
import org.polydesk.protocol.media.UsbIsoFile;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.network.NetworkEvent;
import org.polydesk.protocol.network.NetworkStatus;
import org.polydesk.protocol.network.Uplink;
import org.polydesk.protocol.network.WifiNetwork;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.protocol.rpc.RpcApi;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.rpc.RpcNotification;
import org.polydesk.protocol.usb.UsbDevice;
import org.polydesk.protocol.usb.UsbEvent;
import org.polydesk.protocol.usb.UsbPolicy;
import org.polydesk.protocol.usb.UsbSettings;
import org.polydesk.protocol.vm.NicPolicy;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmStatus;

import static org.polydesk.protocol.rpc.ErrorCode.BACKEND_FAILED;
import static org.polydesk.protocol.rpc.ErrorCode.INSTALL_REFUSED;
import static org.polydesk.protocol.rpc.ErrorCode.UPDATE_REFUSED;
import static org.polydesk.protocol.rpc.ErrorCode.INVALID_DEFINITION;
import static org.polydesk.protocol.rpc.ErrorCode.NOT_FOUND;
import static org.polydesk.protocol.rpc.ErrorCode.SERVICE_UNAVAILABLE;
import static org.polydesk.protocol.rpc.ErrorCode.STORE_FAILED;
import static org.polydesk.protocol.rpc.ErrorCode.WRONG_STATE;

/**
 * The toolstack API that polydeskd serves on {@link Paths#DAEMON_SOCKET}: every method with its
 * params and result, every notification, declared once. polydeskd dispatches through these,
 * polyctl and the control UI call through them; {@code docs/architecture.md} lists them.
 * A VM is named ({@code vm}) by its id, its name or its slot number. A params record names its
 * fields' wire names as constants, for the problems of a validation error (a test keeps them true).
 */
public final class ToolstackApi {
    private ToolstackApi() {
    }

    /** Params naming one VM: its id, name or slot. */
    public record VmRef(String vm) {
        public static final String VM = "vm";
    }

    public record VmCreate(VmDefinition definition) {
        public static final String DEFINITION = "definition";
    }

    /** The VM's new definition as a whole; its id cannot change. */
    public record VmEdit(String vm, VmDefinition definition) {
        public static final String VM = "vm", DEFINITION = "definition";
    }

    /**
     * {@code timeoutSeconds}: how long the guest has to power off (vm.stop) or to restart (vm.reboot)
     * before it is forced (default 60, at most 3600).
     */
    public record VmStop(String vm, Integer timeoutSeconds) {
        public static final String VM = "vm", TIMEOUT_SECONDS = "timeoutSeconds";
    }

    /**
     * A medium for a running VM's CD drive. {@code path}: an ISO image or a block device on the host.
     * {@code drive}: the drive's vdev (hdc, …) as vm.show lists it; left out, the VM's first CD drive.
     */
    public record VmCdInsert(String vm, String path, String drive) {
        public static final String VM = "vm", PATH = "path", DRIVE = "drive";
    }

    /** {@code drive}: the CD drive's vdev; left out, the VM's first CD drive. */
    public record VmCdEject(String vm, String drive) {
        public static final String VM = "vm", DRIVE = "drive";
    }

    public record XlParse(String text) {
        public static final String TEXT = "text";
    }

    /** {@code format}: raw or qcow2 (default qcow2). */
    public record DiskCreate(String name, Long sizeGib, String format) {
        public static final String NAME = "name", SIZE_GIB = "sizeGib", FORMAT = "format";
    }

    public record DiskCreated(String path) {
    }

    /** {@code vm} null takes the GPU back from its owner. */
    public record GpuAssign(String gpu, String vm) {
        public static final String GPU = "gpu", VM = "vm";
    }

    /**
     * One display device of the host: its PCI address, names from pci.ids, IOMMU group, driver,
     * whether it is the boot VGA, the other functions of its card, and the VM that owns it (null:
     * dom0 keeps it).
     */
    public record GpuDevice(String address, String vendor, String device, String vendorId, String deviceId,
                            Integer iommuGroup, String driver, boolean bootVga, List<String> otherFunctions,
                            String owner, String ownerName) {
    }

    public record InstallAdmin(String name, String password) {
    }

    /**
     * {@code force}: erase a disk that holds partitions or data. {@code encryptionPassphrase}: put the VM
     * store (definitions, disk images, media, settings) on LUKS2, unlocked by this passphrase at each
     * boot; absent, it is not encrypted. {@code timeZone}: a tz database name like Europe/Berlin; absent, UTC.
     * {@code keyboardLayout} and {@code keyboardVariant}: XKB names like de and nodeadkeys for the text
     * consoles and the control UI; absent, us.
     */
    public record InstallStart(String disk, Boolean force, InstallAdmin admin, String encryptionPassphrase,
                               String timeZone, String keyboardLayout, String keyboardVariant) {
        public static final String DISK = "disk", FORCE = "force", ADMIN = "admin",
                ENCRYPTION_PASSPHRASE = "encryptionPassphrase", TIME_ZONE = "timeZone",
                KEYBOARD_LAYOUT = "keyboardLayout", KEYBOARD_VARIANT = "keyboardVariant";
    }

    public record InstallStarted(String disk, int steps) {
    }

    /**
     * Params of host.shutdown and host.reboot. {@code timeoutSeconds}: how long each running VM has
     * to obey the power-down request before it is forced off (default: polydeskd's
     * --shutdown-timeout, 60 s; at most 3600).
     */
    public record HostPower(Integer timeoutSeconds) {
        public static final String TIMEOUT_SECONDS = "timeoutSeconds";
    }

    /** The answer of host.shutdown and host.reboot: what will happen ({@code poweroff} or {@code reboot}) to which VMs. */
    public record HostPowerStarted(String action, List<String> vms, int timeoutSeconds) {
    }

    /**
     * Params of host.update: {@code path}, the new Polydesk ISO on the host (a file, or a block device
     * that holds one, like a USB stick it was written to).
     */
    public record HostUpdate(String path) {
        public static final String PATH = "path";
    }

    /** The answer of host.update: the release being written into which slot, in how many steps. */
    public record HostUpdateStarted(String release, String slot, int steps) {
    }

    /** Which VM the boot GPU goes to, or comes back from. */
    public record ConsoleChange(String vm, String gpu) {
    }

    /**
     * An installer medium to copy into the media library: from {@code url} (http or https), or the file
     * {@code usbFile} on the removable disk partition {@code usbDevice} (as media.usb.list names them).
     * {@code sha256}: the checksum the copy must have (refused otherwise); {@code name}: the file name in
     * the library (default: the source's).
     */
    public record MediaImport(String url, String usbDevice, String usbFile, String sha256, String name) {
        public static final String URL = "url", USB_DEVICE = "usbDevice", USB_FILE = "usbFile", SHA256 = "sha256",
                NAME = "name";
    }

    /** The import under way: its id (in every media.progress), the medium's name, its size when known. */
    public record MediaImportStarted(String importId, String name, Long bytesTotal) {
    }

    /** A medium of the library, by file name. */
    public record MediaRef(String name) {
        public static final String NAME = "name";
    }

    /**
     * Logins by ssh to dom0 (the administrator's way in from another machine): {@code managed} is
     * false where polydeskd does not manage the host's services (then {@code problem} says why),
     * {@code enabled} whether sshd starts at boot, {@code active} whether it runs now.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SshLogins(boolean managed, boolean enabled, boolean active, String problem) {
    }

    /** {@code enabled}: ssh logins on (sshd enabled and started) or off (stopped and disabled). */
    public record SshLoginsSet(Boolean enabled) {
        public static final String ENABLED = "enabled";
    }

    /** A Wi-Fi network to join: its SSID and, unless it is open, its WPA passphrase. */
    public record WifiConnect(String ssid, String password) {
        public static final String SSID = "ssid", PASSWORD = "password";

        @Override
        public String toString() {
            // Never in a log.
            return "WifiConnect[ssid=" + ssid + ", password=" + (password == null ? "none" : "(hidden)") + "]";
        }
    }

    /** A network by name. */
    public record NetworkRef(String name) {
        public static final String NAME = "name";
    }

    /** A network's new settings; its name stays. */
    public record NetworkEdit(String name, Network network) {
        public static final String NAME = "name", NETWORK = "network";
    }

    /**
     * A VM's NIC (its index in the definition, from 0) changed: its online switch, its policy, its
     * allowed list (policy allowed); a null leaves that as it is, except that a policy other than
     * allowed drops the list.
     */
    public record VmNicSet(String vm, int nic, Boolean online, NicPolicy policy, List<String> allowed) {
        public static final String VM = "vm", NIC = "nic", ONLINE = "online", POLICY = "policy", ALLOWED = "allowed";
    }

    /** A USB device, by its port ({@code 1-2.3}) or, when only one such is plugged in, its {@code vvvv:pppp}. */
    public record UsbRef(String device) {
        public static final String DEVICE = "device";
    }

    public record UsbAssign(String device, String vm) {
        public static final String DEVICE = "device", VM = "vm";
    }

    /** A rule to add or remove: the VM, and either vendorProduct (with serial if wanted) or port. */
    public record UsbRuleChange(String vm, String vendorProduct, String serial, String port) {
        public static final String VM = "vm", VENDOR_PRODUCT = "vendorProduct", SERIAL = "serial", PORT = "port";
    }

    public record UsbPolicySet(UsbPolicy policy) {
        public static final String POLICY = "policy";
    }

    public static final RpcMethod<Void, List<VmStatus>> VM_LIST = RpcMethod.listOf("vm.list", Void.class, VmStatus.class,
            "Every VM with its definition and state.");
    public static final RpcMethod<VmRef, VmStatus> VM_SHOW = RpcMethod.of("vm.show", VmRef.class, VmStatus.class,
            "One VM.", NOT_FOUND);
    public static final RpcMethod<VmCreate, VmStatus> VM_CREATE = RpcMethod.of("vm.create", VmCreate.class, VmStatus.class,
            "Stores a new VM; a missing id or slot is chosen. Every broken rule comes back in error.data.",
            INVALID_DEFINITION, STORE_FAILED);
    public static final RpcMethod<VmEdit, VmStatus> VM_EDIT = RpcMethod.of("vm.edit", VmEdit.class, VmStatus.class,
            "Replaces a VM's definition (a running VM sees it at its next start).",
            NOT_FOUND, INVALID_DEFINITION, STORE_FAILED);
    public static final RpcMethod<VmRef, Void> VM_DELETE = RpcMethod.of("vm.delete", VmRef.class, Void.class,
            "Deletes a stopped VM's definition (never its disks).", NOT_FOUND, WRONG_STATE, STORE_FAILED);
    public static final RpcMethod<VmRef, VmStatus> VM_START = RpcMethod.of("vm.start", VmRef.class, VmStatus.class,
            "Starts a stopped or crashed VM, or resumes a suspended one from its saved image; answers once it runs"
                    + " (events starting, running). A saved image that is damaged or was made by other hardware settings"
                    + " is refused (BACKEND_FAILED naming it) and kept.", NOT_FOUND, WRONG_STATE, BACKEND_FAILED);
    public static final RpcMethod<VmStop, VmStatus> VM_STOP = RpcMethod.of("vm.stop", VmStop.class, VmStatus.class,
            "ACPI power-down, forced off after the timeout. Answers at once (stopping); the event stopped follows, or"
                    + " an event of the state it stayed in with the reason.", NOT_FOUND, WRONG_STATE, BACKEND_FAILED);
    public static final RpcMethod<VmRef, VmStatus> VM_DESTROY = RpcMethod.of("vm.destroy", VmRef.class, VmStatus.class,
            "Forces a running, paused or stopping VM off at once (the force-off); answers when it has ended.",
            NOT_FOUND, WRONG_STATE, BACKEND_FAILED);
    public static final RpcMethod<VmRef, VmStatus> VM_PAUSE = RpcMethod.of("vm.pause", VmRef.class, VmStatus.class,
            "Freezes a running VM's CPUs where they are (event paused); it keeps its memory and devices.",
            NOT_FOUND, WRONG_STATE, BACKEND_FAILED);
    public static final RpcMethod<VmRef, VmStatus> VM_RESUME = RpcMethod.of("vm.resume", VmRef.class, VmStatus.class,
            "Lets a paused VM run on (event running). A suspended VM is resumed by vm.start.",
            NOT_FOUND, WRONG_STATE, BACKEND_FAILED);
    public static final RpcMethod<VmStop, VmStatus> VM_REBOOT = RpcMethod.of("vm.reboot", VmStop.class, VmStatus.class,
            "Asks the guest to restart (ACPI power-down answered with a reset), reset hard after the timeout. Answers"
                    + " at once (stopping); the event running follows once it restarts.",
            NOT_FOUND, WRONG_STATE, BACKEND_FAILED);
    public static final RpcMethod<VmRef, VmStatus> VM_SUSPEND = RpcMethod.of("vm.suspend", VmRef.class, VmStatus.class,
            "Saves a running or paused VM's memory and devices to disk and ends it. Answers at once (stopping); the"
                    + " event suspended follows, or an event of the state it stayed in with the reason. vm.start resumes it.",
            NOT_FOUND, WRONG_STATE, BACKEND_FAILED);
    public static final RpcMethod<VmCdInsert, VmStatus> VM_CD_INSERT = RpcMethod.of("vm.cd.insert", VmCdInsert.class,
            VmStatus.class, "Puts a medium in a running VM's CD drive, replacing any (event changed). The VM needs a CD"
                    + " drive in its definition (a cdrom disk, without a path for an empty one); the medium lasts until"
                    + " the VM stops, also over a guest's reboot and a restart of polydeskd"
                    + " (`/var/lib/polydesk/running/<id>.json` keeps what a running VM runs as)."
                    + " On Xen only an HVM guest's CD can be changed (BACKEND_FAILED otherwise).",
            NOT_FOUND, WRONG_STATE, INVALID_DEFINITION, BACKEND_FAILED);
    public static final RpcMethod<VmCdEject, VmStatus> VM_CD_EJECT = RpcMethod.of("vm.cd.eject", VmCdEject.class,
            VmStatus.class, "Takes the medium out of a running VM's CD drive (event changed).",
            NOT_FOUND, WRONG_STATE, BACKEND_FAILED);
    public static final RpcMethod<Void, HostInfo> HOST_INFO = RpcMethod.of("host.info", Void.class, HostInfo.class,
            "The host: versions (Polydesk, hypervisor, kernel), CPUs, memory, uptime, VMs, free slots, and whether"
                    + " polydeskd controls its power.");
    public static final RpcMethod<Void, HostCheck> HOST_CHECK = RpcMethod.of("host.check", Void.class, HostCheck.class,
            "Whether this machine can run Polydesk's VMs and pass a GPU to one: CPU virtualisation, Xen, the IOMMU and"
                    + " interrupt remapping (from Xen's own report), memory, and each display controller with the"
                    + " devices it must be passed with, its reset methods and a verdict (assignable, with caveats, not"
                    + " assignable) with the reasons.", BACKEND_FAILED);
    public static final RpcMethod<HostPower, HostPowerStarted> HOST_SHUTDOWN = RpcMethod.of("host.shutdown",
            HostPower.class, HostPowerStarted.class, "Stops every VM (power-down request, forced after the timeout),"
                    + " then powers the machine off through systemd; answers at once, host.progress follows."
                    + " Only where polydeskd controls the power (host.info's powerControl).",
            SERVICE_UNAVAILABLE, WRONG_STATE);
    public static final RpcMethod<HostPower, HostPowerStarted> HOST_REBOOT = RpcMethod.of("host.reboot",
            HostPower.class, HostPowerStarted.class, "As host.shutdown, then restarts the machine.",
            SERVICE_UNAVAILABLE, WRONG_STATE);
    public static final RpcMethod<Void, HostSystem> HOST_SYSTEM = RpcMethod.of("host.system", Void.class,
            HostSystem.class, "The running Polydesk release and slot, what the other slot holds, which one the next"
                    + " boot starts, and how the last update went.", BACKEND_FAILED);
    public static final RpcMethod<HostUpdate, HostUpdateStarted> HOST_UPDATE = RpcMethod.of("host.update",
            HostUpdate.class, HostUpdateStarted.class, "Checks a Polydesk ISO (an ISO 9660 image, whole, of another"
                    + " release), then writes its system into the slot that does not run, in the background, sending the"
                    + " caller host.update.progress until done or failed, and makes it the next boot, once: it is kept"
                    + " only when that boot comes up healthy (host.boot.ok), else the boot after returns to this one."
                    + " VM definitions, disks and settings stay where they are. One update at a time.",
            UPDATE_REFUSED, WRONG_STATE, BACKEND_FAILED);
    public static final RpcMethod<Void, HostSystem> HOST_BOOT_OK = RpcMethod.of("host.boot.ok", Void.class,
            HostSystem.class, "This boot is healthy (polydeskd answers): an updated system being tried becomes the"
                    + " one kept; back in the old one after a try that never said so, the update is recorded as failed."
                    + " Called by polydesk-boot-ok.service at each boot.", BACKEND_FAILED);
    public static final RpcMethod<XlParse, XlImportResult> XLCFG_PARSE = RpcMethod.of("xlcfg.parse", XlParse.class,
            XlImportResult.class, "An xl.cfg file's text as a definition, with what it left out; creates nothing.",
            INVALID_DEFINITION);
    public static final RpcMethod<DiskCreate, DiskCreated> DISK_CREATE = RpcMethod.of("disk.create", DiskCreate.class,
            DiskCreated.class, "A new empty image in polydeskd's image directory, never overwriting one.", STORE_FAILED);
    public static final RpcMethod<Void, List<GpuDevice>> GPU_LIST = RpcMethod.listOf("gpu.list", Void.class, GpuDevice.class,
            "The host's display devices and their owners.", BACKEND_FAILED);
    public static final RpcMethod<GpuAssign, VmStatus> GPU_ASSIGN = RpcMethod.of("gpu.assign", GpuAssign.class, VmStatus.class,
            "Gives a GPU to a stopped VM (one owner at most), or takes it back; answers the VM that owns or gave it up"
                    + " (null when nobody had it).", NOT_FOUND, WRONG_STATE, INVALID_DEFINITION, BACKEND_FAILED);
    public static final RpcMethod<VmRef, org.polydesk.protocol.focus.FocusChanged> FOCUS_SET = RpcMethod.of("focus.set",
            VmRef.class, org.polydesk.protocol.focus.FocusChanged.class,
            "Moves the screen, keyboard and mouse to a VM (or \"ui\"); forwarded to input-server's focus bus.",
            NOT_FOUND, WRONG_STATE, SERVICE_UNAVAILABLE);
    public static final RpcMethod<Void, InputSettings> INPUT_CONFIG_GET = RpcMethod.of(FocusBus.CONFIG_GET.name(),
            Void.class, InputSettings.class, "The switching chords and the pointer mode; forwarded to input-server's bus.",
            SERVICE_UNAVAILABLE);
    public static final RpcMethod<InputSettings, InputSettings> INPUT_CONFIG_SET = RpcMethod.of(
            FocusBus.CONFIG_SET.name(), InputSettings.class, InputSettings.class,
            "Replaces the chords and the pointer mode (every problem in error.data); input-server stores them and"
                    + " uses them from the next key. Forwarded to input-server's bus.",
            SERVICE_UNAVAILABLE, STORE_FAILED);
    public static final RpcMethod<Void, List<InstallDisk>> INSTALL_DISKS = RpcMethod.listOf("install.disks", Void.class,
            InstallDisk.class, "The disks the installer could write to, each with why it is refused or what it would erase.",
            BACKEND_FAILED);
    public static final RpcMethod<InstallStart, InstallStarted> INSTALL_START = RpcMethod.of("install.start",
            InstallStart.class, InstallStarted.class,
            "Checks, then installs the live system in the background, sending the caller install.progress until done"
                    + " or failed. One install at a time.", INSTALL_REFUSED, WRONG_STATE, BACKEND_FAILED);
    public static final RpcMethod<Void, List<VmStatus>> EVENTS_SUBSCRIBE = RpcMethod.listOf("events.subscribe", Void.class,
            VmStatus.class, "Answers every VM's state now (the snapshot), then sends each change as an event"
                    + " notification on this connection.");
    public static final RpcMethod<Void, Void> CONSOLE_HOLD = RpcMethod.of("console.hold", Void.class, Void.class,
            "The caller draws on dom0's framebuffer: before the boot GPU leaves dom0 it is sent console.release and"
                    + " waited for (5 s at most); console.returned when the card is back.");
    public static final RpcMethod<ConsoleChange, Void> CONSOLE_RELEASED = RpcMethod.of("console.released",
            ConsoleChange.class, Void.class, "The caller has let go of dom0's framebuffer (params: those of the"
                    + " console.release it answers).");

    public static final RpcMethod<Void, List<Medium>> MEDIA_LIST = RpcMethod.listOf("media.list", Void.class, Medium.class,
            "The installer media (ISO files) in polydeskd's media library, and the downloads that broke off"
                    + " (unfinishedUrl: importing it again continues one; media.delete deletes one).", STORE_FAILED);
    public static final RpcMethod<Void, List<UsbIsoFile>> MEDIA_USB_LIST = RpcMethod.listOf("media.usb.list", Void.class,
            UsbIsoFile.class, "The ISO files on the removable disks plugged into the host (each mounted read-only"
                    + " only while it is read).", BACKEND_FAILED);
    public static final RpcMethod<MediaImport, MediaImportStarted> MEDIA_IMPORT = RpcMethod.of("media.import",
            MediaImport.class, MediaImportStarted.class,
            "Checks the source and the free space, answers at once, then copies into the library in the background,"
                    + " sending the caller media.progress until done or failed. A download left unfinished is"
                    + " continued by importing the same URL again.", NOT_FOUND, WRONG_STATE, STORE_FAILED, BACKEND_FAILED);
    public static final RpcMethod<MediaRef, Void> MEDIA_DELETE = RpcMethod.of("media.delete", MediaRef.class, Void.class,
            "Deletes a medium from the library; refused while an import writes it or a VM's CD drive holds it"
                    + " (its definition, or inserted while it runs).", NOT_FOUND, WRONG_STATE, STORE_FAILED);

    public static final RpcMethod<Void, List<NetworkStatus>> NETWORK_LIST = RpcMethod.listOf("network.list", Void.class,
            NetworkStatus.class, "polydeskd's networks: each one's settings, bridge, whether it is up (or why not), its DHCP"
                    + " server and the VMs whose NICs name it.");
    public static final RpcMethod<Network, NetworkStatus> NETWORK_CREATE = RpcMethod.of("network.create", Network.class,
            NetworkStatus.class, "Makes and stores a network (nat: a bridge with DHCP and DNS from dnsmasq, masqueraded;"
                    + " isolated: VM to VM only; bridged: a bridge on a physical NIC that dom0 does not use). A subnet that"
                    + " overlaps another network's or one of the host's is refused naming it; a step that fails leaves"
                    + " nothing behind.", INVALID_DEFINITION, BACKEND_FAILED, STORE_FAILED);
    public static final RpcMethod<NetworkEdit, NetworkStatus> NETWORK_EDIT = RpcMethod.of("network.edit", NetworkEdit.class,
            NetworkStatus.class, "Changes a network that no running VM is plugged into (its name stays); on failure the"
                    + " old one is brought back.", INVALID_DEFINITION, NOT_FOUND, WRONG_STATE, BACKEND_FAILED, STORE_FAILED);
    public static final RpcMethod<NetworkRef, Void> NETWORK_DELETE = RpcMethod.of("network.delete", NetworkRef.class,
            Void.class, "Deletes a network, with its bridge, DHCP server and rules; refused while a VM definition names it"
                    + " (the message lists them).", NOT_FOUND, WRONG_STATE, STORE_FAILED);
    public static final RpcMethod<Void, Uplink> HOST_NETWORK = RpcMethod.of("host.network", Void.class, Uplink.class,
            "dom0's uplink as NetworkManager has it: its state and each device (type, state, connection, IPv4"
                    + " addresses); where NetworkManager does not answer, managed is false and problem says why.");
    public static final RpcMethod<Void, SshLogins> HOST_SSH = RpcMethod.of("host.ssh", Void.class, SshLogins.class,
            "Whether the administrator can log in to dom0 by ssh: sshd enabled at boot, running now. Off on a new"
                    + " system.");
    public static final RpcMethod<SshLoginsSet, SshLogins> HOST_SSH_SET = RpcMethod.of("host.ssh.set", SshLoginsSet.class,
            SshLogins.class, "Switches ssh logins on (sshd enabled and started) or off (stopped and disabled) and answers"
                    + " the state then; refused where polydeskd does not manage the host's services (no --systemctl).",
            INVALID_DEFINITION, WRONG_STATE, BACKEND_FAILED);
    public static final RpcMethod<Void, List<WifiNetwork>> HOST_WIFI_SCAN = RpcMethod.listOf("host.wifi.scan", Void.class,
            WifiNetwork.class, "The Wi-Fi networks dom0's radio sees now (NetworkManager rescans), strongest first.",
            SERVICE_UNAVAILABLE, BACKEND_FAILED);
    public static final RpcMethod<WifiConnect, Uplink> HOST_WIFI_CONNECT = RpcMethod.of("host.wifi.connect", WifiConnect.class,
            Uplink.class, "Joins a Wi-Fi network through NetworkManager and answers once connected (within 90 s). The"
                    + " passphrase goes to NetworkManager's connection file (root only), never onto a command line; a"
                    + " join that fails (a wrong passphrase) leaves no connection behind.", INVALID_DEFINITION, NOT_FOUND,
            SERVICE_UNAVAILABLE, BACKEND_FAILED);
    public static final RpcMethod<VmNicSet, VmStatus> VM_NIC_SET = RpcMethod.of("vm.nic.set", VmNicSet.class,
            VmStatus.class, "Changes a VM's network interface (on one of polydeskd's networks): its online switch (the"
                    + " cable plugged in or pulled) and its policy (open, internet-only, offline, or allowed with the"
                    + " hosts and ports it may reach). Stored in the"
                    + " definition, so it stays across restarts; on a running VM it takes effect at once: its tap or"
                    + " vif in dom0 set up or down (and the guest told its link changed where the hypervisor can), its"
                    + " firewall rules replaced.", NOT_FOUND, INVALID_DEFINITION, BACKEND_FAILED, STORE_FAILED);

    public static final RpcMethod<Void, AudioStatus> AUDIO_STATUS = RpcMethod.of("audio.status", Void.class,
            AudioStatus.class, "dom0's sound: whether the sound server answers (VMs start silent while it does not), the"
                    + " policy (focused: only the VM in front is heard; mix: all are), the VM in front, and each VM's"
                    + " volume, mute and microphone permission with whether it is heard and hears now.");
    public static final RpcMethod<AudioChange, AudioStatus> AUDIO_SET = RpcMethod.of("audio.set", AudioChange.class,
            AudioStatus.class, "Sets the policy and/or one VM's volume (0–100), mute or microphone permission; stored,"
                    + " and applied at once to the VM's streams. The microphone reaches only the VM in front, and only"
                    + " when it may have it.", NOT_FOUND, STORE_FAILED);

    public static final RpcMethod<Void, List<UsbDevice>> USB_LIST = RpcMethod.listOf("usb.list", Void.class,
            UsbDevice.class, "The host's USB devices (hubs aside): where each is plugged, its ids, serial, kind and name,"
                    + " whether the input server reads it (a keyboard or mouse), and the VM that holds it.");
    public static final RpcMethod<UsbAssign, UsbDevice> USB_ASSIGN = RpcMethod.of("usb.assign", UsbAssign.class,
            UsbDevice.class, "Gives a device to a running VM, live; answers once the VM has it. A device another VM"
                    + " holds is refused (the error names the holder: release it first). For a VM that is not"
                    + " running the assignment is stored as a rule by the device's ids and waits for its start.",
            NOT_FOUND, WRONG_STATE, BACKEND_FAILED, STORE_FAILED);
    public static final RpcMethod<UsbRef, UsbDevice> USB_RELEASE = RpcMethod.of("usb.release", UsbRef.class,
            UsbDevice.class, "Takes a device from the VM that holds it, back to dom0.", NOT_FOUND, WRONG_STATE,
            BACKEND_FAILED);
    public static final RpcMethod<Void, UsbSettings> USB_SETTINGS = RpcMethod.of("usb.settings", Void.class,
            UsbSettings.class, "The policy for devices no rule names (focused: to the VM in front, the default; ask;"
                    + " dom0) and the rules that send a device to a VM whenever it is plugged in.");
    public static final RpcMethod<UsbRuleChange, UsbSettings> USB_RULE_ADD = RpcMethod.of("usb.rule.add",
            UsbRuleChange.class, UsbSettings.class, "Adds a rule: the device with these ids (and serial), or whatever"
                    + " is plugged into this port, goes to the VM whenever it appears; a device present and free now"
                    + " goes at once if the VM runs. Stored.", NOT_FOUND, STORE_FAILED);
    public static final RpcMethod<UsbRuleChange, UsbSettings> USB_RULE_REMOVE = RpcMethod.of("usb.rule.remove",
            UsbRuleChange.class, UsbSettings.class, "Removes the rule with exactly these fields (devices already given"
                    + " stay where they are).", NOT_FOUND, STORE_FAILED);
    public static final RpcMethod<UsbPolicySet, UsbSettings> USB_POLICY_SET = RpcMethod.of("usb.policy.set",
            UsbPolicySet.class, UsbSettings.class, "Sets where a device no rule names goes when plugged in: focused,"
                    + " ask or dom0. Stored.", STORE_FAILED);

    public static final RpcNotification<LifecycleEvent> EVENT = RpcNotification.of("event", LifecycleEvent.class,
            "A VM was created, changed or deleted, or entered a state: starting, running, paused, stopping, stopped,"
                    + " crashed, suspended (after events.subscribe).");
    public static final RpcNotification<NetworkEvent> NETWORK_EVENT = RpcNotification.of("network.event",
            NetworkEvent.class, "A network was created, changed or deleted, came up, failed, or its DHCP server was"
                    + " started again after it died (after events.subscribe).");
    public static final RpcNotification<AudioEvent> AUDIO_EVENT = RpcNotification.of("audio.event", AudioEvent.class,
            "The sound server came up or went away (with why), or the audio settings changed (after"
                    + " events.subscribe).");
    public static final RpcNotification<UsbEvent> USB_EVENT = RpcNotification.of("usb.event", UsbEvent.class,
            "A USB device was plugged in or pulled out, went to a VM or back to dom0, could not go where it should"
                    + " (with why), or waits for the person to choose a VM (policy ask); or the USB settings changed"
                    + " (after events.subscribe).");
    public static final RpcNotification<InstallProgress> INSTALL_PROGRESS = RpcNotification.of("install.progress",
            InstallProgress.class, "A step, a detail, done or failed of the install the connection started.");
    public static final RpcNotification<InstallProgress> HOST_UPDATE_PROGRESS = RpcNotification.of(
            "host.update.progress", InstallProgress.class, "A step, a detail, done or failed of the update the connection"
                    + " started (the installer's steps and the update's are told alike).");
    public static final RpcNotification<MediaProgress> MEDIA_PROGRESS = RpcNotification.of("media.progress",
            MediaProgress.class, "Bytes copied, then done or failed, of the media.import the connection started.");
    public static final RpcNotification<HostProgress> HOST_PROGRESS = RpcNotification.of("host.progress",
            HostProgress.class, "A VM waited for, forced off or stopped, then the machine going down (or why not),"
                    + " to the connection that called host.shutdown or host.reboot.");
    public static final RpcNotification<ConsoleChange> CONSOLE_RELEASE = RpcNotification.of("console.release",
            ConsoleChange.class, "Let go of dom0's framebuffer now, then call console.released (after console.hold).");
    public static final RpcNotification<ConsoleChange> CONSOLE_RETURNED = RpcNotification.of("console.returned",
            ConsoleChange.class, "The card is dom0's again; its framebuffer may be opened again.");

    /** The whole API, for the registry test and the generated map. */
    public static final RpcApi API = RpcApi.declaredIn(ToolstackApi.class, "Toolstack API", "polydeskd",
            Paths.DAEMON_SOCKET, "VM definitions and lifecycle, networks, host, GPUs, installer, console hand-over, installer media.");

}
