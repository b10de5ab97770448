package org.polydesk.ui.form;

import org.polydesk.protocol.toolstack.HostCheck;
import org.polydesk.protocol.toolstack.ImportRemark;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.toolstack.XlImportResult;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import javafx.stage.FileChooser;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.vm.BootDevice;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.DiskBus;
import org.polydesk.protocol.vm.HypervFeature;
import org.polydesk.protocol.vm.NicModel;
import org.polydesk.protocol.vm.NicPolicy;
import org.polydesk.protocol.vm.OsProfile;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.ui.client.ToolstackException;
import org.polydesk.ui.common.UiContext;
import org.polydesk.ui.media.MediaChooser;

/**
 * Create or edit a VM. What the form can check itself (a number that is not a number) it shows at
 * once; everything else is polydeskd's validation, whose sentences are shown beside the fields they
 * concern. A new disk image is made by polydeskd's {@code disk.create} before the VM is created.
 */
public final class VmForm {
    /** The network a new VM's NIC is on when polydeskd has it (the appliance makes it). */
    public static final String DEFAULT_NETWORK = "default";
    /** How the network field names a host bridge instead (as polyctl's --nic does). */
    static final String BRIDGE_PREFIX = "bridge=";
    static final String NEXT_FREE = "next free";
    static final String BOOT_CD_FIRST = "CD-ROM, then disk";
    static final String BOOT_DISK_FIRST = "Disk, then CD-ROM";
    static final String BOOT_DISK_ONLY = "Disk only";
    static final String BOOT_DEFAULT = "Firmware default";
    private static final String[] PALETTE = {"#c03030", "#3050c0", "#30a050", "#c08020", "#8040b0", "#20a0a0",
            "#b03080", "#607080", "#a0a030"};

    private final UiContext ui;
    private final VmDefinition editing;
    private final Consumer<String> done;
    private final Runnable cancelled;
    private final Map<Field, Label> errors = new EnumMap<>(Field.class);

    final TextField name = field("name");
    final ComboBox<String> slot = new ComboBox<>();
    final TextField colour = field("colour");
    final Rectangle swatch = new Rectangle(18, 18);
    final TextField memory = field("memory");
    final TextField vcpus = field("vcpus");
    final ComboBox<String> type = new ComboBox<>(FXCollections.observableArrayList("hvm", "pvh", "pv"));
    final ComboBox<String> firmware = new ComboBox<>(FXCollections.observableArrayList("bios", "uefi"));
    final ComboBox<OsProfile> os = new ComboBox<>(FXCollections.observableArrayList(OsProfile.values()));
    final CheckBox secureBoot = check("Secure Boot", "secure-boot");
    final CheckBox tpm = check("TPM 2.0", "tpm");
    final CheckBox hyperv = check("Hyper-V enlightenments", "hyperv");
    final CheckBox rtcLocalTime = check("Clock in local time", "rtc-local-time");
    final CheckBox usbTablet = check("USB tablet (absolute pointer)", "usb-tablet");
    /** The sound card (hda, ac97, none); it plays into dom0's sound server as the Sound page sets. */
    final ComboBox<String> sound = new ComboBox<>(FXCollections.observableArrayList("hda", "ac97", "none"));
    /** The monitor of dom0 it is shown on as it starts, by connector name ({@link #ANY_MONITOR}: none), from the hardware check. */
    final ComboBox<String> monitor = new ComboBox<>();
    static final String ANY_MONITOR = "any";
    /** Each connected monitor's mode ("1920x1080"), by name. */
    private final Map<String, String> monitorModes = new java.util.HashMap<>();
    final ComboBox<String> bootOrder = new ComboBox<>(FXCollections.observableArrayList(BOOT_CD_FIRST, BOOT_DISK_FIRST,
            BOOT_DISK_ONLY, BOOT_DEFAULT));
    final ComboBox<String> diskBus = new ComboBox<>(FXCollections.observableArrayList("sata", "virtio"));
    final ComboBox<String> nicModel = new ComboBox<>(FXCollections.observableArrayList("e1000", "virtio", "rtl8139"));
    /** The NIC's policy on one of polydeskd's networks, enforced in dom0. */
    final ComboBox<String> nicPolicy = new ComboBox<>(FXCollections.observableArrayList(NicPolicy.OPEN.wireName(),
            NicPolicy.INTERNET_ONLY.wireName(), NicPolicy.OFFLINE.wireName()));
    final ToggleGroup diskChoice = new ToggleGroup();
    final RadioButton diskNone = radio("No disk", "disk-none");
    final RadioButton diskFile = radio("Image file", "disk-file");
    final RadioButton diskNew = radio("New image", "disk-new");
    final TextField diskPath = field("disk-path");
    final ComboBox<String> diskFormat = new ComboBox<>(FXCollections.observableArrayList("raw", "qcow2", "vhd"));
    final TextField diskSize = field("disk-size");
    final TextField iso = field("iso");
    final CheckBox network = new CheckBox("Connect to network");
    /** polydeskd's networks (network.list); "bridge=NAME" typed in puts the NIC on a host bridge. */
    final ComboBox<String> networkName = new ComboBox<>();
    final TextField kernel = field("kernel");
    final TextField ramdisk = field("ramdisk");
    final TextField cmdline = field("cmdline");
    final CheckBox autostart = new CheckBox("Start when the machine starts");
    final Label remarks = new Label();
    /** The USB rules of the xl.cfg the form was filled from, added once the VM is created. */
    private List<org.polydesk.protocol.usb.UsbRule> importedUsbRules = List.of();
    final Button submit = new Button();
    final Button cancel = new Button("Cancel");
    private final ScrollPane root;
    /** Disks and NICs of an edited VM that the form does not show; they are kept as they are. */
    private final List<Disk> keptDisks = new ArrayList<>();
    private final List<Nic> keptNics = new ArrayList<>();
    private String keptMac;
    /** The first NIC as it was (its online switch stays as it is; the policy is chosen above). */
    private Nic keptNic;
    /** The Hyper-V groups shown as one switch: the VM's own when it has some, else the Windows set. */
    private List<HypervFeature> hypervGroups = HypervFeature.WINDOWS;
    /** A boot order the choices above do not name (network in it), kept while it stays chosen. */
    private List<BootDevice> otherBootOrder;
    private int sentMainDisk;
    private int sentCdrom;

    /**
     * @param editing the VM to edit, or null to create one
     * @param usedSlots slots other VMs have (a new VM is offered the first free one)
     * @param done called with a line for the log once polydeskd has accepted the VM
     */
    public VmForm(UiContext ui, VmDefinition editing, Set<Integer> usedSlots, Consumer<String> done, Runnable cancelled) {
        this.ui = ui;
        this.editing = editing;
        this.done = done;
        this.cancelled = cancelled;
        slot.setId("slot");
        type.setId("type");
        firmware.setId("firmware");
        sound.setId("sound");
        os.setId("os-profile");
        os.setPromptText("choose to fill the settings");
        bootOrder.setId("boot-order");
        diskBus.setId("disk-bus");
        nicModel.setId("nic-model");
        nicPolicy.setId("nic-policy");
        // A profile fills the fields below; every one of them stays editable afterwards.
        os.setOnAction(e -> {
            if (os.getValue() != null) {
                applyProfile(os.getValue());
            }
        });
        diskFormat.setId("disk-format");
        network.setId("network");
        autostart.setId("autostart");
        remarks.setId("import-remarks");
        remarks.setWrapText(true);
        remarks.getStyleClass().add("remarks");
        submit.setId("submit");
        cancel.setId("cancel");
        submit.setDefaultButton(true);
        for (Field f : Field.values()) {
            Label l = new Label();
            l.setId(f.name().toLowerCase().replace('_', '-') + "-error");
            l.getStyleClass().add("field-error");
            l.setWrapText(true);
            l.setMaxWidth(360);
            errors.put(f, l);
        }
        slot.getItems().add(NEXT_FREE);
        for (int i = 1; i <= 9; i++) {
            slot.getItems().add(String.valueOf(i));
        }
        diskNone.setToggleGroup(diskChoice);
        diskFile.setToggleGroup(diskChoice);
        diskNew.setToggleGroup(diskChoice);
        diskChoice.selectedToggleProperty().addListener((o, a, b) -> updateDiskControls());
        network.selectedProperty().addListener((o, a, b) -> {
            networkName.setDisable(!b);
            nicPolicy.setDisable(!b);
        });
        networkName.setId("network-name");
        networkName.setEditable(true);
        networkName.setPromptText("network, or bridge=NAME");
        ui.request("list the networks", ui.toolstack().call(ToolstackApi.NETWORK_LIST), listed -> {
            listed.forEach(n -> networkName.getItems().add(n.network().name()));
            String shown = networkName.getValue();
            if ((shown == null || shown.isEmpty()) && !listed.isEmpty()) {
                networkName.setValue(networkName.getItems().contains(DEFAULT_NETWORK) ? DEFAULT_NETWORK
                        : networkName.getItems().get(0));
            }
        }, failed -> { });
        colour.textProperty().addListener((o, a, b) -> {
            try {
                swatch.setFill(Color.web(b));
            } catch (IllegalArgumentException e) {
                swatch.setFill(Color.TRANSPARENT);
            }
        });
        swatch.setStroke(Color.GREY);
        monitor.setId("monitor");
        monitor.getItems().add(ANY_MONITOR);
        monitor.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(String n) {
                if (n == null || n.equals(ANY_MONITOR)) {
                    return "any (one without a VM)";
                }
                String mode = monitorModes.get(n);
                return mode == null ? n + " (not connected)" : (n + " " + mode).strip();
            }

            @Override
            public String fromString(String text) {
                return text;
            }
        });
        ui.request("list the monitors", ui.toolstack().call(ToolstackApi.HOST_CHECK, null), check -> {
            for (HostCheck.Display d : check.displays()) {
                for (HostCheck.Monitor m : d.monitors() == null ? List.<HostCheck.Monitor>of() : d.monitors()) {
                    monitorModes.put(m.name(), m.mode() == null ? "" : m.mode());
                    if (!monitor.getItems().contains(m.name())) {
                        monitor.getItems().add(m.name());
                    }
                }
            }
            String chosen = monitor.getValue();
            monitor.setValue(null); // shown again with the modes now known
            monitor.setValue(chosen);
        }, failed -> { });
        fill(editing, usedSlots);

        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(8);
        grid.getColumnConstraints().addAll(new ColumnConstraints(150), new ColumnConstraints(360), new ColumnConstraints(370));
        int row = 0;
        row = row(grid, row, "Operating system", os, null);
        row = row(grid, row, "Name", name, Field.NAME);
        row = row(grid, row, "Slot", slot, Field.SLOT);
        row = row(grid, row, "Monitor", monitor, null);
        row = row(grid, row, "Colour", new HBox(8, colour, swatch), Field.COLOUR);
        row = row(grid, row, "Memory (MiB)", memory, Field.MEMORY);
        row = row(grid, row, "vCPUs", vcpus, Field.VCPUS);
        row = row(grid, row, "Type and firmware", new HBox(8, type, firmware, secureBoot, tpm), Field.FIRMWARE);
        row = row(grid, row, "Machine", new VBox(6, new HBox(8, new Label("Boot"), bootOrder), new HBox(12, hyperv, rtcLocalTime),
                usbTablet, new HBox(8, new Label("Sound card"), sound)), Field.MACHINE);
        Button browseDisk = new Button("Browse…");
        browseDisk.setOnAction(e -> browse(diskPath, "Disk image", "*.img", "*.qcow2", "*.raw", "*.vhd"));
        diskPath.setPromptText("/var/lib/polydesk/images/name.qcow2");
        diskSize.setPromptText("GiB");
        diskSize.setPrefColumnCount(5);
        VBox disk = new VBox(6, new HBox(12, diskNone, diskFile, diskNew),
                new HBox(8, diskPath, browseDisk), new HBox(8, new Label("Format"), diskFormat, new Label("Size (GiB)"), diskSize, new Label("Bus"), diskBus));
        HBox.setHgrow(diskPath, Priority.ALWAYS);
        row = row(grid, row, "Disk", disk, Field.DISK);
        Button browseIso = new Button("Browse…");
        browseIso.setOnAction(e -> browse(iso, "Install ISO", "*.iso"));
        Button isoLibrary = new Button("Library…");
        isoLibrary.setId("iso-library");
        isoLibrary.setOnAction(e -> MediaChooser.choose(ui, isoLibrary, "The install ISO of this VM", m -> iso.setText(m.path())));
        iso.setPromptText("an install .iso, attached as CD-ROM (optional)");
        HBox.setHgrow(iso, Priority.ALWAYS);
        row = row(grid, row, "Install ISO", new HBox(8, iso, isoLibrary, browseIso), Field.CDROM);
        row = row(grid, row, "Network", new HBox(8, network, networkName, nicModel, nicPolicy), Field.NETWORK);
        kernel.setPromptText("direct kernel boot (optional): /path/vmlinuz");
        ramdisk.setPromptText("/path/initrd.img");
        cmdline.setPromptText("kernel command line");
        row = row(grid, row, "Kernel", new VBox(6, kernel, ramdisk, cmdline), Field.BOOT);
        row = row(grid, row, "", autostart, null);
        grid.add(errors.get(Field.GENERAL), 1, row++, 2, 1);
        cancel.setOnAction(e -> this.cancelled.run());
        submit.setOnAction(e -> submit());
        HBox buttons = new HBox(8, submit, cancel);
        buttons.setAlignment(Pos.CENTER_LEFT);
        grid.add(buttons, 1, row);

        Label title = new Label(editing == null ? "New VM" : "Edit '" + editing.name() + "'");
        title.getStyleClass().add("page-title");
        title.setId("form-title");
        VBox page = new VBox(12, title, remarks, grid);
        page.setPadding(new Insets(16));
        root = new ScrollPane(page);
        root.setId("vm-form");
        root.setFitToWidth(true);
    }

    public Node node() {
        return root;
    }

    /** Fills the form from an imported xl.cfg and lists what the import left out or chose. */
    public void showImport(XlImportResult imported, String source) {
        fill(imported.definition(), Set.of());
        importedUsbRules = imported.usbRules();
        if (imported.definition().slot() == null) {
            slot.setValue(NEXT_FREE);
        }
        StringBuilder sb = new StringBuilder("Imported from " + source + ". Check the fields, then create the VM.");
        for (ImportRemark r : imported.unsupported()) {
            sb.append("\nLeft out ").append(r);
        }
        for (ImportRemark r : imported.notes()) {
            sb.append("\nNote ").append(r);
        }
        for (org.polydesk.protocol.usb.UsbRule r : imported.usbRules()) {
            sb.append("\nUSB: ").append(r.describe()).append(" will go to this VM whenever it is plugged in");
        }
        remarks.setText(sb.toString());
        remarks.setVisible(true);
        remarks.setManaged(true);
    }

    public String errorText(Field f) {
        return errors.get(f).getText();
    }

    private void fill(VmDefinition d, Set<Integer> usedSlots) {
        remarks.setVisible(false);
        remarks.setManaged(false);
        keptDisks.clear();
        keptNics.clear();
        keptMac = null;
        keptNic = null;
        submit.setText(editing == null ? "Create VM" : "Save changes");
        if (d == null) {
            int free = 1;
            while (usedSlots.contains(free) && free < 9) {
                free++;
            }
            name.setText("");
            slot.setValue(usedSlots.contains(free) ? NEXT_FREE : String.valueOf(free));
            colour.setText(PALETTE[(free - 1) % PALETTE.length]);
            memory.setText(String.valueOf(VmDefinition.DEFAULT_MEMORY_MIB));
            vcpus.setText("1");
            type.setValue("hvm");
            firmware.setValue("bios");
            diskChoice.selectToggle(diskNone);
            diskFormat.setValue("qcow2");
            diskSize.setText("20");
            networkName.setValue(networkName.getItems().contains(DEFAULT_NETWORK) ? DEFAULT_NETWORK
                    : networkName.getItems().isEmpty() ? "" : networkName.getItems().get(0));
            network.setSelected(false);
            networkName.setDisable(true);
            nicPolicy.setValue(NicPolicy.OPEN.wireName());
            nicPolicy.setDisable(true);
            autostart.setSelected(false);
            os.setValue(null);
            fillMachine(VmDefinition.builder().build());
            showMonitor(null);
            return;
        }
        showMonitor(d.monitor());
        name.setText(d.name() == null ? "" : d.name());
        slot.setValue(d.slot() == null ? NEXT_FREE : String.valueOf(d.slot()));
        colour.setText(d.colour());
        memory.setText(String.valueOf(d.memoryMib()));
        vcpus.setText(String.valueOf(d.vcpus()));
        type.setValue(d.type().wireName());
        firmware.setValue(d.firmware().wireName());
        Disk main = null;
        Disk cd = null;
        for (Disk disk : d.disks()) {
            if (!disk.cdrom() && main == null) {
                main = disk;
            } else if (disk.cdrom() && cd == null) {
                cd = disk;
            } else {
                keptDisks.add(disk);
            }
        }
        diskSize.setText("20");
        if (main != null) {
            diskChoice.selectToggle(diskFile);
            diskPath.setText(main.path());
            diskFormat.setValue(main.format());
        } else {
            diskChoice.selectToggle(diskNone);
            diskFormat.setValue("qcow2");
        }
        iso.setText(cd == null ? "" : cd.path());
        network.setSelected(!d.nics().isEmpty());
        networkName.setDisable(d.nics().isEmpty());
        nicPolicy.setDisable(d.nics().isEmpty());
        nicPolicy.getItems().remove(NicPolicy.ALLOWED.wireName());
        if (!d.nics().isEmpty() && d.nics().get(0).policyOrDefault() == NicPolicy.ALLOWED) {
            // Offered only to a NIC that has its list already (made on the Network page).
            nicPolicy.getItems().add(NicPolicy.ALLOWED.wireName());
        }
        nicPolicy.setValue(d.nics().isEmpty() ? NicPolicy.OPEN.wireName() : d.nics().get(0).policyOrDefault().wireName());
        if (!d.nics().isEmpty()) {
            keptNic = d.nics().get(0);
            networkName.setValue(keptNic.network() != null ? keptNic.network() : BRIDGE_PREFIX + keptNic.bridge());
            keptMac = d.nics().get(0).mac();
            keptNics.addAll(d.nics().subList(1, d.nics().size()));
        }
        kernel.setText(d.kernel() == null ? "" : d.kernel());
        ramdisk.setText(d.ramdisk() == null ? "" : d.ramdisk());
        cmdline.setText(d.cmdline() == null ? "" : d.cmdline());
        autostart.setSelected(d.autostart());
        os.setValue(d.os());
        fillMachine(d);
        this.mainDiskTemplate = main;
        this.cdromTemplate = cd;
    }

    /** Shows {@code name} (null: any) chosen, listed even while not connected. */
    private void showMonitor(String name) {
        if (name != null && !monitor.getItems().contains(name)) {
            monitor.getItems().add(name);
        }
        monitor.setValue(name == null ? ANY_MONITOR : name);
    }

    /** The machine settings of {@code d}: its main disk's bus and first NIC's model shown as the backend's default when unset. */
    private void fillMachine(VmDefinition d) {
        boolean hvm = d.type() == GuestType.HVM;
        secureBoot.setSelected(d.secureBoot());
        tpm.setSelected(d.tpm());
        hypervGroups = d.hyperv().isEmpty() ? HypervFeature.WINDOWS : d.hyperv();
        hyperv.setSelected(!d.hyperv().isEmpty());
        rtcLocalTime.setSelected(d.rtcLocalTime());
        usbTablet.setSelected(d.usbTablet());
        sound.setValue(d.sound().name().toLowerCase(java.util.Locale.ROOT));
        otherBootOrder = null;
        List<BootDevice> order = d.boot();
        if (order.isEmpty()) {
            bootOrder.setValue(BOOT_DEFAULT);
        } else if (order.equals(List.of(BootDevice.CDROM, BootDevice.DISK))) {
            bootOrder.setValue(BOOT_CD_FIRST);
        } else if (order.equals(List.of(BootDevice.DISK, BootDevice.CDROM))) {
            bootOrder.setValue(BOOT_DISK_FIRST);
        } else if (order.equals(List.of(BootDevice.DISK))) {
            bootOrder.setValue(BOOT_DISK_ONLY);
        } else {
            otherBootOrder = order;
            String named = String.join(", then ", order.stream().map(BootDevice::wireName).toList());
            if (!bootOrder.getItems().contains(named)) {
                bootOrder.getItems().add(named);
            }
            bootOrder.setValue(named);
        }
        Disk main = d.disks().stream().filter(x -> !x.cdrom()).findFirst().orElse(null);
        DiskBus bus = main != null && main.bus() != null ? main.bus() : hvm ? DiskBus.SATA : DiskBus.VIRTIO;
        diskBus.setValue(bus.wireName());
        NicModel model = !d.nics().isEmpty() && d.nics().get(0).model() != null ? d.nics().get(0).model()
                : hvm ? NicModel.E1000 : NicModel.VIRTIO;
        nicModel.setValue(model.wireName());
    }

    /** Fills every setting the profile has an opinion on; the person may change any of them afterwards. */
    void applyProfile(OsProfile profile) {
        OsProfile.Settings s = profile.settings();
        memory.setText(String.valueOf(s.memoryMib()));
        vcpus.setText(String.valueOf(s.vcpus()));
        type.setValue(GuestType.HVM.wireName());
        firmware.setValue(s.firmware().wireName());
        secureBoot.setSelected(s.secureBoot());
        tpm.setSelected(s.tpm());
        hypervGroups = s.hyperv().isEmpty() ? HypervFeature.WINDOWS : s.hyperv();
        hyperv.setSelected(!s.hyperv().isEmpty());
        rtcLocalTime.setSelected(s.rtcLocalTime());
        usbTablet.setSelected(s.usbTablet());
        otherBootOrder = null;
        bootOrder.setValue(BOOT_CD_FIRST);
        diskBus.setValue(s.diskBus().wireName());
        nicModel.setValue(s.nicModel().wireName());
    }

    private List<BootDevice> chosenBootOrder() {
        String v = bootOrder.getValue();
        if (v == null || BOOT_DEFAULT.equals(v)) {
            return List.of();
        }
        return switch (v) {
            case BOOT_CD_FIRST -> List.of(BootDevice.CDROM, BootDevice.DISK);
            case BOOT_DISK_FIRST -> List.of(BootDevice.DISK, BootDevice.CDROM);
            case BOOT_DISK_ONLY -> List.of(BootDevice.DISK);
            default -> otherBootOrder == null ? List.of() : otherBootOrder;
        };
    }

    private Disk mainDiskTemplate;
    private Disk cdromTemplate;

    private void updateDiskControls() {
        boolean none = diskChoice.getSelectedToggle() == diskNone;
        boolean make = diskChoice.getSelectedToggle() == diskNew;
        diskPath.setDisable(none || make);
        diskFormat.setDisable(none);
        diskSize.setDisable(!make);
    }

    private void clearErrors() {
        errors.values().forEach(l -> l.setText(""));
    }

    private void submit() {
        clearErrors();
        Map<Field, String> local = new EnumMap<>(Field.class);
        Integer mem = whole(memory.getText(), "memory", local, Field.MEMORY);
        Integer cpus = whole(vcpus.getText(), "vCPUs", local, Field.VCPUS);
        Integer size = null;
        if (diskChoice.getSelectedToggle() == diskNew) {
            size = whole(diskSize.getText(), "the image size", local, Field.DISK);
            if (size != null && size < 1) {
                local.put(Field.DISK, "the image size must be at least 1 GiB");
            }
        }
        if (diskChoice.getSelectedToggle() == diskFile && diskPath.getText().isBlank()) {
            local.put(Field.DISK, "choose an image file, or pick “No disk” or “New image”");
        }
        if (!local.isEmpty()) {
            local.forEach((f, m) -> errors.get(f).setText(m));
            return;
        }
        submit.setDisable(true);
        if (diskChoice.getSelectedToggle() == diskNew) {
            String format = diskFormat.getValue();
            String imageName = imageName(name.getText());
            ui.log().info("make a new " + size + " GiB " + format + " image for '" + name.getText().strip() + "'");
            ui.request("make a disk image", ui.toolstack().call(ToolstackApi.DISK_CREATE,
                            new ToolstackApi.DiskCreate(imageName, (long) size, format)),
                    made -> send(mem, cpus, made.path()), err -> {
                        submit.setDisable(false);
                        errors.get(Field.DISK).setText("The image could not be made: " + err.describe());
                    });
        } else {
            send(mem, cpus, diskChoice.getSelectedToggle() == diskFile ? diskPath.getText().strip() : null);
        }
    }

    private void send(int mem, int cpus, String diskFilePath) {
        List<Disk> disks = new ArrayList<>();
        sentMainDisk = 0;
        sentCdrom = 0;
        if (diskFilePath != null) {
            // An unchanged path keeps what the form does not show (device name, read-only).
            Disk t = mainDiskTemplate;
            boolean same = t != null && t.path().equals(diskFilePath);
            disks.add(new Disk(diskFilePath, diskFormat.getValue(), false, same ? t.readOnly() : null, same ? t.vdev() : null,
                    DiskBus.fromWireName(diskBus.getValue())));
            sentMainDisk = disks.size();
        }
        if (!iso.getText().isBlank()) {
            Disk t = cdromTemplate;
            String path = iso.getText().strip();
            disks.add(new Disk(path, "raw", true, true, t != null && t.path().equals(path) ? t.vdev() : null));
            sentCdrom = disks.size();
        }
        disks.addAll(keptDisks);
        List<Nic> nics = new ArrayList<>();
        if (network.isSelected()) {
            String where = networkName.getEditor().getText().strip();
            boolean onBridge = where.startsWith(BRIDGE_PREFIX);
            // Open is the default: left unset unless the NIC had it set already.
            NicPolicy policy = NicPolicy.fromWireName(nicPolicy.getValue());
            if (onBridge || policy == NicPolicy.OPEN && (keptNic == null || keptNic.policy() == null)) {
                policy = null;
            }
            // Policy allowed's list is edited on the Network page; the form keeps it while the policy stays.
            nics.add(new Nic(onBridge ? where.substring(BRIDGE_PREFIX.length()) : null, keptMac,
                    NicModel.fromWireName(nicModel.getValue()), onBridge ? null : where,
                    policy, keptNic == null ? null : keptNic.online(),
                    policy == NicPolicy.ALLOWED && keptNic != null ? keptNic.allowed() : null));
        }
        nics.addAll(keptNics);
        String slotText = slot.getValue();
        VmDefinition.Builder b = (editing == null ? VmDefinition.builder() : editing.toBuilder())
                .name(name.getText())
                .slot(slotText == null || NEXT_FREE.equals(slotText) ? null : Integer.valueOf(slotText))
                .colour(colour.getText().strip())
                .memoryMib(mem)
                .vcpus(cpus)
                .type(GuestType.valueOf(type.getValue().toUpperCase()))
                .firmware(Firmware.valueOf(firmware.getValue().toUpperCase()))
                .disks(disks)
                .nics(nics)
                .kernel(blankToNull(kernel.getText()))
                .ramdisk(blankToNull(ramdisk.getText()))
                .cmdline(blankToNull(cmdline.getText()))
                .autostart(autostart.isSelected())
                .os(os.getValue())
                .secureBoot(secureBoot.isSelected())
                .tpm(tpm.isSelected())
                .hyperv(hyperv.isSelected() ? hypervGroups : List.of())
                .boot(chosenBootOrder())
                .rtcLocalTime(rtcLocalTime.isSelected())
                .usbTablet(usbTablet.isSelected())
                .sound(org.polydesk.protocol.vm.SoundCard.valueOf(sound.getValue().toUpperCase(java.util.Locale.ROOT)))
                .monitor(monitor.getValue() == null || monitor.getValue().equals(ANY_MONITOR) ? null : monitor.getValue());
        VmDefinition def = b.build();
        String vmName = def.name();
        Consumer<ToolstackException> refused = err -> {
            submit.setDisable(false);
            showRefusal(err);
        };
        if (editing == null) {
            ui.log().info("create '" + vmName + "'");
            ui.request("create '" + vmName + "'", ui.toolstack().call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(def)),
                    s -> {
                        addImportedUsbRules(s.definition());
                        done.accept("created '" + s.definition().name() + "' in slot " + s.definition().slot());
                    }, refused);
        } else {
            ui.log().info("save changes to '" + editing.name() + "'");
            ui.request("save '" + vmName + "'", ui.toolstack().call(ToolstackApi.VM_EDIT,
                            new ToolstackApi.VmEdit(editing.id().toString(), def)),
                    s -> done.accept("saved '" + s.definition().name() + "'" + (s.detail() == null ? "" : " (" + s.detail() + ")")),
                    refused);
        }
    }

    /** The host USB devices an imported xl.cfg gave the VM, as its rules (a refusal is shown). */
    private void addImportedUsbRules(VmDefinition created) {
        for (org.polydesk.protocol.usb.UsbRule r : importedUsbRules) {
            ui.request("add the USB rule " + r.describe(), ui.toolstack().call(ToolstackApi.USB_RULE_ADD,
                    new ToolstackApi.UsbRuleChange(created.id().toString(), r.vendorProduct(), r.serial(), r.port())),
                    settings -> ui.log().info("USB rule " + r.describe() + " -> " + created.name()),
                    e -> ui.notices().error("The USB rule " + r.describe() + " of the import was not added: " + e.describe()));
        }
        importedUsbRules = List.of();
    }

    private void showRefusal(ToolstackException err) {
        if (err.problems().isEmpty()) {
            errors.get(Field.GENERAL).setText((editing == null ? "The VM was not created: " : "The changes were not saved: ")
                    + err.describe());
            return;
        }
        ProblemFields.byField(err.problems(), sentMainDisk, sentCdrom)
                .forEach((f, sentences) -> errors.get(f).setText(String.join("\n", sentences)));
    }

    private static Integer whole(String text, String what, Map<Field, String> local, Field f) {
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            local.put(f, what + " must be a whole number, not '" + text.strip() + "'");
            return null;
        }
    }

    /** A file name for a new image: the VM's name in lower case, letters, digits and '-'. */
    static String imageName(String vmName) {
        String s = vmName.strip().toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return s.isEmpty() ? "vm-" + UUID.randomUUID().toString().substring(0, 8) : s;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private void browse(TextField target, String what, String... patterns) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(what);
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter(what, patterns),
                new FileChooser.ExtensionFilter("All files", "*"));
        File f = chooser.showOpenDialog(root.getScene().getWindow());
        if (f != null) {
            target.setText(f.getAbsolutePath());
        }
    }

    private int row(GridPane grid, int row, String label, Node control, Field field) {
        Label l = new Label(label);
        grid.add(l, 0, row);
        grid.add(control, 1, row);
        if (field != null) {
            grid.add(errors.get(field), 2, row);
        }
        return row + 1;
    }

    private static TextField field(String id) {
        TextField t = new TextField();
        t.setId(id);
        return t;
    }

    private static CheckBox check(String text, String id) {
        CheckBox c = new CheckBox(text);
        c.setId(id);
        return c;
    }

    private static RadioButton radio(String text, String id) {
        RadioButton r = new RadioButton(text);
        r.setId(id);
        return r;
    }
}
