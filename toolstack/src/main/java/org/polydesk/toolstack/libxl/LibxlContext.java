package org.polydesk.toolstack.libxl;

import org.polydesk.toolstack.linux.LibC;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.polydesk.protocol.rpc.Json;

/**
 * One libxl context: the only place in Polydesk that calls libxenlight. Configs and results cross
 * as JSON strings; the caller never sees a native pointer. libxl contexts are thread-safe, so one
 * thread may block in {@link #waitEvent()} while others create and destroy domains.
 */
public final class LibxlContext implements Libxl, AutoCloseable {
    private static final List<Path> LIBRARY_DIRS = List.of(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib"),
            Path.of("/usr/local/lib"), Path.of("/lib/x86_64-linux-gnu"));

    private final LibxlNative xl;
    private final LibxlNative.ToolLog toolLog;
    private final LibC libc;
    private final Pointer ctx;
    private final Pointer logger;
    /** Must outlive the context (libxl keeps the pointer), so it is a field. */
    private final Memory childprocHooks;
    private final Map<Integer, Pointer> deathWatches = new ConcurrentHashMap<>();

    private LibxlContext(LibxlNative xl, LibxlNative.ToolLog toolLog, LibC libc, Pointer ctx,
                         Pointer logger, Memory hooks) {
        this.xl = xl;
        this.toolLog = toolLog;
        this.libc = libc;
        this.ctx = ctx;
        this.logger = logger;
        this.childprocHooks = hooks;
    }

    /** Opens a context, refusing any libxl but 4.17 with a message that names what is installed. */
    public static LibxlContext open() throws LibxlException {
        LibxlNative xl;
        LibxlNative.ToolLog toolLog;
        try {
            xl = Native.load(LibxlNative.SONAME, LibxlNative.class);
            toolLog = Native.load(LibxlNative.TOOLLOG_SONAME, LibxlNative.ToolLog.class);
        } catch (UnsatisfiedLinkError e) {
            throw new LibxlException("this polydeskd needs libxenlight 4.17 (" + LibxlNative.SONAME + "), "
                    + installedLibxl() + "; install Xen 4.17's userland (xen-utils-4.17)", 0);
        }
        LibC libc = LibC.INSTANCE;
        Pointer stderr = libc.fdopen(2, "w");
        Pointer logger = toolLog.xtl_createlogger_stdiostream(stderr, LibxlNative.XTL_WARN, 0);
        PointerByReference ctxRef = new PointerByReference();
        int rc = xl.libxl_ctx_alloc(ctxRef, LibxlNative.LIBXL_VERSION, 0, logger);
        if (rc != 0 || ctxRef.getValue() == null) {
            toolLog.xtl_logger_destroy(logger);
            throw new LibxlException("libxl cannot open a context: is this a Xen dom0 with xenstored running?", rc);
        }
        Pointer ctx = ctxRef.getValue();
        // The JVM reaps its own children (QEMU of other backends, helper processes): libxl must not.
        Memory hooks = new Memory(LibxlNative.SIZEOF_CHILDPROC_HOOKS);
        hooks.clear();
        hooks.setInt(0, LibxlNative.SIGCHLD_OWNER_LIBXL_ALWAYS_SELECTIVE_REAP);
        xl.libxl_childproc_setmode(ctx, hooks, null);
        LibxlContext context = new LibxlContext(xl, toolLog, libc, ctx, logger, hooks);
        JsonNode version = context.versionInfo();
        int major = version.path("xen_version_major").asInt();
        int minor = version.path("xen_version_minor").asInt();
        if (major != 4 || minor != 17) {
            context.close();
            throw new LibxlException("the hypervisor is Xen " + major + "." + minor
                    + version.path("xen_version_extra").asText("") + "; this polydeskd supports Xen 4.17 only", 0);
        }
        return context;
    }

    private static String installedLibxl() {
        List<String> found = new ArrayList<>();
        for (Path dir : LIBRARY_DIRS) {
            try (DirectoryStream<Path> libs = Files.newDirectoryStream(dir, "libxenlight.so.*")) {
                libs.forEach(p -> found.add(p.toString()));
            } catch (IOException e) {
                // a library directory that does not exist here
            }
        }
        return found.isEmpty() ? "but no libxenlight is installed" : "but only " + String.join(", ", found) + " is installed";
    }

    /** The hypervisor's version and capabilities (libxl_version_info as JSON). */
    @Override
    public JsonNode versionInfo() throws LibxlException {
        return json(xl.libxl_version_info_to_json(ctx, xl.libxl_get_version_info(ctx)), "version info");
    }

    /** Creates a domain from a libxl_domain_config in JSON and returns its domid; it is left paused. */
    @Override
    public int createDomain(String configJson) throws LibxlException {
        return withConfig(configJson, (config, domid) -> check(xl.libxl_domain_create_new(ctx, config, domid, null, null),
                "libxl could not create the domain"));
    }

    /**
     * Creates a domain from a libxl_domain_config in JSON and loads the state libxl_domain_suspend
     * saved into {@code fd} (for HVM its device model's too), reading it with libxl_domain_restore_params
     * in JSON; returns its domid. It is left paused where it was saved.
     */
    @Override
    public int restoreDomain(String configJson, int fd, String paramsJson) throws LibxlException {
        Memory params = new Memory(LibxlNative.SIZEOF_DOMAIN_RESTORE_PARAMS);
        xl.libxl_domain_restore_params_init(params);
        try {
            check(xl.libxl_domain_restore_params_from_json(ctx, params, paramsJson),
                    "libxl refused the restore parameters " + paramsJson);
            return withConfig(configJson, (config, domid) -> check(xl.libxl_domain_create_restore(ctx, config, domid, fd,
                    LibxlNative.NO_SEND_BACK_FD, params, null, null), "libxl could not restore the domain"));
        } finally {
            xl.libxl_domain_restore_params_dispose(params);
        }
    }

    private interface Create {
        void run(Memory config, IntByReference domid) throws LibxlException;
    }

    private int withConfig(String configJson, Create create) throws LibxlException {
        Memory config = new Memory(LibxlNative.SIZEOF_DOMAIN_CONFIG);
        xl.libxl_domain_config_init(config);
        try {
            check(xl.libxl_domain_config_from_json(ctx, config, configJson), "libxl refused the domain configuration");
            IntByReference domid = new IntByReference(-1);
            create.run(config, domid);
            return domid.getValue();
        } finally {
            xl.libxl_domain_config_dispose(config);
        }
    }

    /**
     * Saves the domain's whole state into {@code fd} (libxl's stream; for HVM with the device model's
     * state). The guest takes part when it has PV drivers, so it must be running. On success the domain
     * is left suspended (shut down with reason suspend) for the caller to destroy; on failure it may be
     * suspended or not, and {@link #resumeSuspended} lets it run on.
     */
    @Override
    public void suspend(int domid, int fd) throws LibxlException {
        check(xl.libxl_domain_suspend(ctx, domid, fd, 0, null), "libxl could not save domain " + domid);
    }

    /** Lets a domain whose save failed run on (as xl save does): the guest sees its suspend cancelled. */
    @Override
    public void resumeSuspended(int domid) throws LibxlException {
        check(xl.libxl_domain_resume(ctx, domid, LibxlNative.RESUME_SUSPEND_CANCEL, null), "cannot resume domain " + domid);
    }

    /** Changes the medium of an HVM domain's CD drive to the libxl_device_disk in JSON. */
    @Override
    public void cdromInsert(int domid, String diskJson) throws LibxlException {
        Memory disk = new Memory(LibxlNative.SIZEOF_DEVICE_DISK);
        xl.libxl_device_disk_init(disk);
        try {
            check(xl.libxl_device_disk_from_json(ctx, disk, diskJson), "libxl refused the disk " + diskJson);
            check(xl.libxl_cdrom_insert(ctx, domid, disk, null), "libxl could not change the CD of domain " + domid);
        } finally {
            xl.libxl_device_disk_dispose(disk);
        }
    }

    /** Gives the domain the host's USB device at bus {@code hostbus}, address {@code hostaddr} (libxl picks the port). */
    @Override
    public void usbdevAdd(int domid, int hostbus, int hostaddr) throws LibxlException {
        String json = LibxlDomainConfig.usbHostDevice(hostbus, hostaddr).toString();
        Memory usbdev = new Memory(LibxlNative.SIZEOF_DEVICE_USBDEV);
        xl.libxl_device_usbdev_init(usbdev);
        try {
            check(xl.libxl_device_usbdev_from_json(ctx, usbdev, json), "libxl refused the USB device " + json);
            check(xl.libxl_device_usbdev_add(ctx, domid, usbdev, null), "libxl could not give USB device " + hostbus + "."
                    + hostaddr + " to domain " + domid);
        } finally {
            xl.libxl_device_usbdev_dispose(usbdev);
        }
    }

    /** Takes the host's USB device at bus/address back from the domain; false if the domain has no such device. */
    @Override
    public boolean usbdevRemove(int domid, int hostbus, int hostaddr) throws LibxlException {
        return findUsbdev(domid, (list, at, bus, addr) -> {
            if (bus != hostbus || addr != hostaddr) {
                return false;
            }
            check(xl.libxl_device_usbdev_remove(ctx, domid, list.share(at), null), "libxl could not take USB device "
                    + hostbus + "." + hostaddr + " from domain " + domid);
            return true;
        });
    }

    /** The host USB devices the domain holds, each as {bus, address}. */
    @Override
    public List<int[]> usbdevList(int domid) throws LibxlException {
        List<int[]> out = new ArrayList<>();
        findUsbdev(domid, (list, at, bus, addr) -> !out.add(new int[] {bus, addr}));
        return out;
    }

    private interface UsbdevVisitor {
        /** True when this is the one looked for: the walk stops there. */
        boolean visit(Pointer list, long at, int hostbus, int hostaddr) throws LibxlException;
    }

    /** Walks the domain's libxl_device_usbdev list (freed after) until the visitor says found; whether it did. */
    private boolean findUsbdev(int domid, UsbdevVisitor visitor) throws LibxlException {
        IntByReference count = new IntByReference();
        Pointer list = xl.libxl_device_usbdev_list(ctx, domid, count);
        if (list == null) {
            return false;
        }
        try {
            for (int i = 0; i < count.getValue(); i++) {
                long at = (long) i * LibxlNative.SIZEOF_DEVICE_USBDEV;
                if (visitor.visit(list, at, Byte.toUnsignedInt(list.getByte(at + LibxlNative.OFFSET_USBDEV_HOSTBUS)),
                        Byte.toUnsignedInt(list.getByte(at + LibxlNative.OFFSET_USBDEV_HOSTBUS + 1)))) {
                    return true;
                }
            }
            return false;
        } finally {
            xl.libxl_device_usbdev_list_free(list, count.getValue());
        }
    }

    @Override
    public void unpause(int domid) throws LibxlException {
        check(xl.libxl_domain_unpause(ctx, domid, null), "cannot unpause domain " + domid);
    }

    @Override
    public void pause(int domid) throws LibxlException {
        check(xl.libxl_domain_pause(ctx, domid, null), "cannot pause domain " + domid);
    }

    /** Asks the guest to power off: through its PV drivers, else (HVM) by the ACPI power button. */
    @Override
    public void shutdown(int domid) throws LibxlException {
        int rc = xl.libxl_domain_shutdown(ctx, domid, null);
        if (rc == LibxlNative.ERROR_NOPARAVIRT) {
            rc = xl.libxl_send_trigger(ctx, domid, LibxlNative.TRIGGER_POWER, 0, null);
        }
        check(rc, "cannot shut down domain " + domid);
    }

    /** Asks the guest to reboot through its PV drivers; false when it has none (an HVM guest without them). */
    @Override
    public boolean reboot(int domid) throws LibxlException {
        int rc = xl.libxl_domain_reboot(ctx, domid, null);
        if (rc == LibxlNative.ERROR_NOPARAVIRT) {
            return false;
        }
        check(rc, "cannot reboot domain " + domid);
        return true;
    }

    /** Resets the domain's machine in place, like its reset button. */
    @Override
    public void reset(int domid) throws LibxlException {
        check(xl.libxl_send_trigger(ctx, domid, LibxlNative.TRIGGER_RESET, 0, null), "cannot reset domain " + domid);
    }

    @Override
    public void destroy(int domid) throws LibxlException {
        int rc = xl.libxl_domain_destroy(ctx, domid, null);
        if (rc != LibxlNative.ERROR_DOMAIN_NOTFOUND) {
            check(rc, "cannot destroy domain " + domid);
        }
    }

    /** Every domain, as libxl_dominfo JSON (domid, uuid, running, shutdown, …). */
    @Override
    public List<JsonNode> listDomains() throws LibxlException {
        IntByReference count = new IntByReference();
        Pointer list = xl.libxl_list_domain(ctx, count);
        if (list == null) {
            throw new LibxlException("libxl cannot list the domains", 0);
        }
        try {
            List<JsonNode> out = new ArrayList<>();
            for (int i = 0; i < count.getValue(); i++) {
                out.add(json(xl.libxl_dominfo_to_json(ctx, list.share((long) i * LibxlNative.SIZEOF_DOMINFO)), "dominfo"));
            }
            return out;
        } finally {
            xl.libxl_dominfo_list_free(list, count.getValue());
        }
    }

    /** From now on, {@link #waitEvent()} returns this domain's shutdown and death events. */
    @Override
    public void watchDeath(int domid) throws LibxlException {
        PointerByReference evgen = new PointerByReference();
        check(xl.libxl_evenable_domain_death(ctx, domid, domid, evgen), "cannot watch domain " + domid);
        Pointer old = deathWatches.put(domid, evgen.getValue());
        if (old != null) {
            xl.libxl_evdisable_domain_death(ctx, old);
        }
    }

    @Override
    public void unwatchDeath(int domid) {
        Pointer evgen = deathWatches.remove(domid);
        if (evgen != null) {
            xl.libxl_evdisable_domain_death(ctx, evgen);
        }
    }

    /** Blocks until libxl has an event. */
    @Override
    public LibxlEvent waitEvent() throws LibxlException {
        PointerByReference ref = new PointerByReference();
        check(xl.libxl_event_wait(ctx, ref, LibxlNative.EVENTMASK_ALL, null, null), "waiting for libxl events failed");
        Pointer event = ref.getValue();
        try {
            int type = event.getInt(LibxlNative.OFFSET_EVENT_TYPE);
            return new LibxlEvent(event.getInt(LibxlNative.OFFSET_EVENT_DOMID),
                    type == LibxlNative.EVENT_TYPE_DOMAIN_SHUTDOWN ? LibxlEvent.Type.SHUTDOWN
                            : type == LibxlNative.EVENT_TYPE_DOMAIN_DEATH ? LibxlEvent.Type.DEATH : LibxlEvent.Type.OTHER,
                    type == LibxlNative.EVENT_TYPE_DOMAIN_SHUTDOWN ? event.getByte(LibxlNative.OFFSET_EVENT_UNION) & 0xff : -1,
                    json(xl.libxl_event_to_json(ctx, event), "event"));
        } finally {
            xl.libxl_event_free(ctx, event);
        }
    }

    /** Makes a host PCI device assignable to guests (binds it to pciback). */
    public void pciAssignableAdd(String pciJson) throws LibxlException {
        withPci(pciJson, pci -> check(xl.libxl_device_pci_assignable_add(ctx, pci, 1), "cannot make " + pciJson + " assignable"));
    }

    /** Ends a PCI device's quarantine and unbinds it from pciback; polydeskd binds dom0's driver itself. */
    @Override
    public void pciAssignableRemove(String pciJson) throws LibxlException {
        withPci(pciJson, pci -> check(xl.libxl_device_pci_assignable_remove(ctx, pci, 0),
                "cannot return " + pciJson + " to the host"));
    }

    public List<JsonNode> pciAssignableList() throws LibxlException {
        IntByReference count = new IntByReference();
        Pointer list = xl.libxl_device_pci_assignable_list(ctx, count);
        if (list == null) {
            return List.of();
        }
        try {
            List<JsonNode> out = new ArrayList<>();
            for (int i = 0; i < count.getValue(); i++) {
                out.add(json(xl.libxl_device_pci_to_json(ctx, list.share((long) i * LibxlNative.SIZEOF_DEVICE_PCI)), "pci"));
            }
            return out;
        } finally {
            xl.libxl_device_pci_assignable_list_free(list, count.getValue());
        }
    }

    private interface PciAction {
        void run(Memory pci) throws LibxlException;
    }

    private void withPci(String pciJson, PciAction action) throws LibxlException {
        Memory pci = new Memory(LibxlNative.SIZEOF_DEVICE_PCI);
        xl.libxl_device_pci_init(pci);
        try {
            check(xl.libxl_device_pci_from_json(ctx, pci, pciJson), "libxl refused the PCI device " + pciJson);
            action.run(pci);
        } finally {
            xl.libxl_device_pci_dispose(pci);
        }
    }

    /** Reads and frees a JSON string libxl allocated. */
    private JsonNode json(Pointer s, String what) throws LibxlException {
        if (s == null) {
            throw new LibxlException("libxl returned no " + what, 0);
        }
        try {
            return Json.mapper().readTree(s.getString(0, "UTF-8"));
        } catch (JsonProcessingException e) {
            throw new LibxlException("libxl returned unreadable " + what + ": " + e.getOriginalMessage(), 0);
        } finally {
            libc.free(s);
        }
    }

    private static void check(int rc, String message) throws LibxlException {
        if (rc != 0) {
            throw new LibxlException(message, rc);
        }
    }

    @Override
    public void close() {
        deathWatches.values().forEach(evgen -> xl.libxl_evdisable_domain_death(ctx, evgen));
        deathWatches.clear();
        xl.libxl_ctx_free(ctx);
        toolLog.xtl_logger_destroy(logger);
    }
}
