package org.polydesk.protocol.rpc;

/** The method names of the toolstack API served by polydeskd. */
public final class Methods {
    public static final String VM_LIST = "vm.list";
    public static final String VM_SHOW = "vm.show";
    public static final String VM_CREATE = "vm.create";
    public static final String VM_EDIT = "vm.edit";
    public static final String VM_DELETE = "vm.delete";
    public static final String VM_START = "vm.start";
    public static final String VM_STOP = "vm.stop";
    public static final String VM_DESTROY = "vm.destroy";
    public static final String HOST_INFO = "host.info";
    /** {@code {text}}: an xl.cfg file → {@code {definition, unsupported, notes}}; creates nothing. */
    public static final String XLCFG_PARSE = "xlcfg.parse";
    /** {@code {name, sizeGib, format}} → {@code {path}}: a new empty image in polydeskd's image directory. */
    public static final String DISK_CREATE = "disk.create";
    /** The host's display devices: address, names, IOMMU group, driver, the other functions of the card, owner. */
    public static final String GPU_LIST = "gpu.list";
    /** {@code {gpu: address, vm: ref|null}}: gives a GPU to a stopped VM (one owner at most), or takes it back. */
    public static final String GPU_ASSIGN = "gpu.assign";
    /** Moves the focus: {@code {"vm": id|name|slot}}; forwarded to input-server's focus bus. */
    public static final String FOCUS_SET = "focus.set";
    /** The disks the installer could write to, each with why it is refused or what it would erase ({@code InstallDisk}s). */
    public static final String INSTALL_DISKS = "install.disks";
    /**
     * {@code {disk, force, admin: {name, password}}}: checks, then installs the running live system
     * in the background; answers {@code {disk, steps}} at once and sends the caller
     * {@link #INSTALL_PROGRESS} notifications until done or failed. One install at a time.
     */
    public static final String INSTALL_START = "install.start";
    /** The notification method that carries an {@code InstallProgress}. */
    public static final String INSTALL_PROGRESS = "install.progress";
    public static final String EVENTS_SUBSCRIBE = "events.subscribe";
    /**
     * The caller draws on dom0's screen through the boot GPU's framebuffer (the display server).
     * Before that card leaves dom0 for a VM, polydeskd sends it {@link #CONSOLE_RELEASE} and waits
     * up to 5 s for {@link #CONSOLE_RELEASED}; once the card is back it sends {@link #CONSOLE_RETURNED}.
     */
    public static final String CONSOLE_HOLD = "console.hold";
    /** Notification {@code {vm, gpu}}: let go of dom0's framebuffer now, then call {@link #CONSOLE_RELEASED}. */
    public static final String CONSOLE_RELEASE = "console.release";
    /** {@code {vm}}: the caller no longer has dom0's framebuffer mapped. */
    public static final String CONSOLE_RELEASED = "console.released";
    /** Notification {@code {vm, gpu}}: the card is dom0's again; its framebuffer may be opened again. */
    public static final String CONSOLE_RETURNED = "console.returned";
    /** The notification method that carries a {@link org.polydesk.protocol.toolstack.LifecycleEvent}. */
    public static final String EVENT = "event";

    private Methods() {
    }
}
