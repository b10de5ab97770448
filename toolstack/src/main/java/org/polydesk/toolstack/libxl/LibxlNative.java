package org.polydesk.toolstack.libxl;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The libxenlight 4.17 and libxentoollog functions polydeskd calls, and the struct sizes it must
 * know to allocate or walk libxl's arrays. Everything else crosses as JSON: configs go in through
 * {@code *_from_json}, results come back through {@code *_to_json}, so no struct layout is mirrored.
 * The sizes, and the offsets of the three event fields read directly (libxl's event JSON keys its
 * union by member name and carries no plain type), are checked against the installed headers by
 * LibxlStructSizesTest; LibxlReadsOurJsonTest has the installed libxl read the JSON of a restore.
 */
interface LibxlNative extends Library {
    String SONAME = "libxenlight.so.4.17";
    String TOOLLOG_SONAME = "libxentoollog.so.1";

    /** sizeof(libxl_domain_config), Xen 4.17, x86_64. */
    int SIZEOF_DOMAIN_CONFIG = 1288;
    /** sizeof(libxl_dominfo): the stride of libxl_list_domain's array. */
    int SIZEOF_DOMINFO = 120;
    /** sizeof(libxl_event): libxl allocates events; the binding reads three fields of them. */
    int SIZEOF_EVENT = 208;
    /** offsetof(libxl_event, domid), a uint32. */
    int OFFSET_EVENT_DOMID = 16;
    /** offsetof(libxl_event, type), a libxl_event_type (int). */
    int OFFSET_EVENT_TYPE = 48;
    /** offsetof(libxl_event, u): for a shutdown, u.domain_shutdown.shutdown_reason is its first byte. */
    int OFFSET_EVENT_UNION = 56;
    int EVENT_TYPE_DOMAIN_SHUTDOWN = 1;
    int EVENT_TYPE_DOMAIN_DEATH = 2;
    /** sizeof(libxl_device_pci): allocated for assignable add/remove, the stride of the assignable list. */
    int SIZEOF_DEVICE_PCI = 32;
    /** sizeof(libxl_childproc_hooks): enum chldowner, then two function pointers. */
    int SIZEOF_CHILDPROC_HOOKS = 24;
    /** sizeof(libxl_device_disk): allocated for a CD drive's new medium (libxl_cdrom_insert). */
    int SIZEOF_DEVICE_DISK = 144;
    /** sizeof(libxl_domain_restore_params): allocated for libxl_domain_create_restore. */
    int SIZEOF_DOMAIN_RESTORE_PARAMS = 24;
    /** sizeof(libxl_device_usbdev): allocated for usbdev add, the stride of libxl_device_usbdev_list. */
    int SIZEOF_DEVICE_USBDEV = 16;
    /** offsetof(libxl_device_usbdev, u.hostdev.hostbus); hostaddr is the byte after it. */
    int OFFSET_USBDEV_HOSTBUS = 12;

    int LIBXL_VERSION = 0;
    /** libxl only reaps its own children; the JVM reaps its own with waitpid. */
    int SIGCHLD_OWNER_LIBXL_ALWAYS_SELECTIVE_REAP = 3;
    int TRIGGER_POWER = 1;
    /** libxl_trigger RESET: the machine's reset line, for a guest that ignores a reboot request. */
    int TRIGGER_RESET = 5;
    int ERROR_NOPARAVIRT = -10;
    int ERROR_DOMAIN_NOTFOUND = -21;
    /** libxl_domain_resume's suspend_cancel: the guest learns its suspend was cancelled and runs on as it was. */
    int RESUME_SUSPEND_CANCEL = 1;
    /** restore_fd's partner for COLO's back channel; every other caller passes -1. */
    int NO_SEND_BACK_FD = -1;
    long EVENTMASK_ALL = -1L;
    int XTL_WARN = 7;

    int libxl_ctx_alloc(PointerByReference ctx, int version, int flags, Pointer logger);

    int libxl_ctx_free(Pointer ctx);

    void libxl_childproc_setmode(Pointer ctx, Memory hooks, Pointer user);

    Pointer libxl_get_version_info(Pointer ctx);

    Pointer libxl_version_info_to_json(Pointer ctx, Pointer info);

    void libxl_domain_config_init(Memory config);

    int libxl_domain_config_from_json(Pointer ctx, Memory config, String json);

    void libxl_domain_config_dispose(Memory config);

    int libxl_domain_create_new(Pointer ctx, Memory config, IntByReference domid, Pointer aoHow, Pointer consoleHow);

    int libxl_domain_create_restore(Pointer ctx, Memory config, IntByReference domid, int restoreFd, int sendBackFd,
                                    Memory params, Pointer aoHow, Pointer consoleHow);

    void libxl_domain_restore_params_init(Memory params);

    int libxl_domain_restore_params_from_json(Pointer ctx, Memory params, String json);

    void libxl_domain_restore_params_dispose(Memory params);

    /** flags 0: not live, not debug. Leaves the domain suspended (shut down, reason suspend), not destroyed. */
    int libxl_domain_suspend(Pointer ctx, int domid, int fd, int flags, Pointer aoHow);

    int libxl_domain_resume(Pointer ctx, int domid, int suspendCancel, Pointer aoHow);

    int libxl_domain_unpause(Pointer ctx, int domid, Pointer aoHow);

    int libxl_domain_pause(Pointer ctx, int domid, Pointer aoHow);

    int libxl_domain_shutdown(Pointer ctx, int domid, Pointer aoHow);

    int libxl_domain_reboot(Pointer ctx, int domid, Pointer aoHow);

    int libxl_domain_destroy(Pointer ctx, int domid, Pointer aoHow);

    int libxl_send_trigger(Pointer ctx, int domid, int trigger, int vcpu, Pointer aoHow);

    Pointer libxl_list_domain(Pointer ctx, IntByReference count);

    Pointer libxl_dominfo_to_json(Pointer ctx, Pointer info);

    void libxl_dominfo_list_free(Pointer list, int count);

    int libxl_evenable_domain_death(Pointer ctx, int domid, long user, PointerByReference evgen);

    void libxl_evdisable_domain_death(Pointer ctx, Pointer evgen);

    int libxl_event_wait(Pointer ctx, PointerByReference event, long typemask, Pointer predicate, Pointer user);

    Pointer libxl_event_to_json(Pointer ctx, Pointer event);

    void libxl_event_free(Pointer ctx, Pointer event);

    void libxl_device_pci_init(Memory pci);

    int libxl_device_pci_from_json(Pointer ctx, Memory pci, String json);

    void libxl_device_pci_dispose(Memory pci);

    int libxl_device_pci_assignable_add(Pointer ctx, Memory pci, int rebind);

    int libxl_device_pci_assignable_remove(Pointer ctx, Memory pci, int rebind);

    Pointer libxl_device_pci_assignable_list(Pointer ctx, IntByReference count);

    Pointer libxl_device_pci_to_json(Pointer ctx, Pointer pci);

    void libxl_device_pci_assignable_list_free(Pointer list, int count);

    void libxl_device_disk_init(Memory disk);

    int libxl_device_disk_from_json(Pointer ctx, Memory disk, String json);

    void libxl_device_disk_dispose(Memory disk);

    /** Changes the medium of an HVM guest's CD drive {@code disk.vdev}; an empty pdev_path empties it. */
    int libxl_cdrom_insert(Pointer ctx, int domid, Memory disk, Pointer aoHow);

    void libxl_device_usbdev_init(Memory usbdev);

    int libxl_device_usbdev_from_json(Pointer ctx, Memory usbdev, String json);

    void libxl_device_usbdev_dispose(Memory usbdev);

    /** Gives the host's USB device to the domain, on a free port of its controller (the device model's for HVM). */
    int libxl_device_usbdev_add(Pointer ctx, int domid, Memory usbdev, Pointer aoHow);

    int libxl_device_usbdev_remove(Pointer ctx, int domid, Pointer usbdev, Pointer aoHow);

    /** The domain's USB devices: an array of {@code num} libxl_device_usbdev. */
    Pointer libxl_device_usbdev_list(Pointer ctx, int domid, IntByReference num);

    void libxl_device_usbdev_list_free(Pointer list, int nr);

    /** libxentoollog: a logger writing to a stdio stream. */
    interface ToolLog extends Library {
        Pointer xtl_createlogger_stdiostream(Pointer file, int minLevel, int flags);

        void xtl_logger_destroy(Pointer logger);
    }
}
