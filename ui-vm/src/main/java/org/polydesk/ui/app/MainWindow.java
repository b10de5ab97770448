package org.polydesk.ui.app;

import org.polydesk.protocol.toolstack.ToolstackApi;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.ui.client.Link;
import org.polydesk.ui.client.ToolstackClient;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;
import org.polydesk.ui.form.VmForm;
import org.polydesk.ui.gpu.GpuPage;
import org.polydesk.ui.host.HostPage;
import org.polydesk.ui.hotkeys.HotkeysPage;
import org.polydesk.ui.install.InstallPage;
import org.polydesk.ui.log.LogPage;
import org.polydesk.ui.media.MediaPage;
import org.polydesk.ui.network.NetworkPage;
import org.polydesk.ui.sound.SoundPage;
import org.polydesk.ui.usb.UsbPage;
import org.polydesk.ui.vmlist.VmListPage;

/**
 * The whole window: the "polydeskd is gone" banner, the error bar, the page list on the left and
 * the current page. Built on the FX thread; the client must not be started before this exists.
 */
public final class MainWindow {
    public enum Page { VMS, NETWORK, SOUND, USB, HOST, HOTKEYS, GPU, MEDIA, INSTALL, LOG }

    private final UiContext ui;
    private final ToolstackClient client;
    private final BorderPane root = new BorderPane();
    private final Label banner = new Label();
    private final HBox bannerBar = new HBox(banner);
    private final VmListPage vmList;
    private final HostPage host;
    private final HotkeysPage hotkeys;
    private final GpuPage gpu;
    private final MediaPage media;
    private final NetworkPage network;
    private final SoundPage sound;
    private final UsbPage usb;
    private final InstallPage install;
    private final LogPage log;
    private final ToggleGroup nav = new ToggleGroup();
    private final Map<Page, ToggleButton> navButtons;
    private Page page = Page.VMS;
    private VmForm form;

    public MainWindow(UiContext ui, ToolstackClient client) {
        this.ui = ui;
        this.client = client;
        vmList = new VmListPage(ui);
        host = new HostPage(ui);
        hotkeys = new HotkeysPage(ui);
        gpu = new GpuPage(ui, vmList.vms());
        media = new MediaPage(ui);
        network = new NetworkPage(ui, vmList.vms());
        sound = new SoundPage(ui);
        usb = new UsbPage(ui, vmList.vms());
        install = new InstallPage(ui);
        log = new LogPage(ui);
        vmList.onCreate(() -> openForm(null));
        vmList.onEdit(this::openForm);
        vmList.onImport(this::chooseXlConfig);

        banner.setId("banner");
        banner.setWrapText(true);
        bannerBar.getStyleClass().add("banner");
        bannerBar.setPadding(new Insets(8, 12, 8, 12));
        bannerBar.setAlignment(Pos.CENTER_LEFT);
        root.setTop(new VBox(bannerBar, ui.notices().node()));

        navButtons = Map.of(Page.VMS, navButton("Virtual machines", "nav-vms", Page.VMS),
                Page.NETWORK, navButton("Networks", "nav-network", Page.NETWORK),
                Page.SOUND, navButton("Sound", "nav-sound", Page.SOUND),
                Page.USB, navButton("USB", "nav-usb", Page.USB),
                Page.HOST, navButton("Host", "nav-host", Page.HOST),
                Page.HOTKEYS, navButton("Hotkeys", "nav-hotkeys", Page.HOTKEYS),
                Page.GPU, navButton("Graphics", "nav-gpu", Page.GPU),
                Page.MEDIA, navButton("Media", "nav-media", Page.MEDIA),
                Page.INSTALL, navButton("Install", "nav-install", Page.INSTALL),
                Page.LOG, navButton("Log", "nav-log", Page.LOG));
        Label brand = new Label("Polydesk");
        brand.getStyleClass().add("brand");
        VBox left = new VBox(6, brand, navButtons.get(Page.VMS), navButtons.get(Page.NETWORK), navButtons.get(Page.SOUND), navButtons.get(Page.USB),
                navButtons.get(Page.HOST), navButtons.get(Page.HOTKEYS),
                navButtons.get(Page.GPU), navButtons.get(Page.MEDIA), navButtons.get(Page.INSTALL), navButtons.get(Page.LOG));
        left.getStyleClass().add("nav");
        left.setPadding(new Insets(12));
        left.setPrefWidth(170);
        root.setLeft(left);
        root.getStyleClass().add("polydesk");
        root.getStylesheets().add(MainWindow.class.getResource("polydesk.css").toExternalForm());

        client.onLink(this::showLink);
        client.onEvent(e -> {
            vmList.onEvent(e);
            if (page == Page.SOUND) {
                sound.refresh(); // a VM that starts or stops brings or takes its streams
            }
        });
        client.onNetworkEvent(network::onEvent);
        client.onUsbEvent(e -> usb.onEvent(e, page == Page.USB));
        client.onAudioEvent(e -> {
            if (page == Page.SOUND) {
                sound.refresh();
            }
        });
        show(Page.VMS);
    }

    public Parent node() {
        return root;
    }

    public UiContext context() {
        return ui;
    }

    public void show(Page p) {
        page = p;
        form = null;
        navButtons.get(p).setSelected(true);
        root.setCenter(switch (p) {
            case VMS -> vmList.node();
            case NETWORK -> network.node();
            case SOUND -> sound.node();
            case USB -> usb.node();
            case HOST -> host.node();
            case HOTKEYS -> hotkeys.node();
            case GPU -> gpu.node();
            case MEDIA -> media.node();
            case INSTALL -> install.node();
            case LOG -> log.node();
        });
        refreshPage();
    }

    private void refreshPage() {
        switch (page) {
            case VMS -> { }
            case NETWORK -> network.refresh();
            case SOUND -> sound.refresh();
            case USB -> usb.refresh();
            case HOST -> host.refresh();
            case HOTKEYS -> hotkeys.refresh();
            case GPU -> gpu.refresh();
            case MEDIA -> media.refresh();
            case INSTALL -> install.refresh();
            case LOG -> log.refresh();
        }
    }

    private void showLink(Link link) {
        switch (link.state()) {
            case CONNECTED -> {
                bannerBar.setVisible(false);
                bannerBar.setManaged(false);
                banner.setText("");
                ui.log().info("connected to polydeskd (" + client.socket() + ")");
                vmList.refresh();
                if (form == null) {
                    refreshPage();
                }
            }
            case CONNECTING -> {
                banner.setText("Connecting to polydeskd at " + client.socket() + "…");
                bannerBar.setVisible(true);
                bannerBar.setManaged(true);
            }
            case DISCONNECTED -> {
                banner.setText("polydeskd is gone (" + link.detail() + "). Reconnecting… What is shown may be out of date.");
                bannerBar.setVisible(true);
                bannerBar.setManaged(true);
                ui.log().error("polydeskd is gone: " + link.detail());
            }
        }
    }

    /** Opens the create form (definition null) or the edit form. */
    public VmForm openForm(VmDefinition editing) {
        Set<Integer> used = vmList.vms().stream().map(s -> s.definition().slot())
                .filter(java.util.Objects::nonNull).collect(Collectors.toSet());
        form = new VmForm(ui, editing, used, done -> {
            ui.log().info(done);
            show(Page.VMS);
        }, () -> show(Page.VMS));
        navButtons.get(Page.VMS).setSelected(true);
        root.setCenter(form.node());
        return form;
    }

    private void chooseXlConfig() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Import an xl.cfg file");
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("xl configuration", "*.cfg"),
                new FileChooser.ExtensionFilter("All files", "*"));
        File f = chooser.showOpenDialog(root.getScene().getWindow());
        if (f != null) {
            importXlConfig(f.toPath());
        }
    }

    /** Reads an xl.cfg file and, once polydeskd has parsed it, opens the create form filled from it. */
    public void importXlConfig(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            ui.log().error("import " + file + ": " + e.getMessage());
            ui.notices().error("Could not read " + file + ": " + e.getMessage());
            return;
        }
        ui.log().info("import " + file);
        ui.request("import " + file.getFileName(), ui.toolstack().call(ToolstackApi.XLCFG_PARSE, new ToolstackApi.XlParse(text)),
                imported -> openForm(null).showImport(imported, file.toString()),
                e -> ui.notices().error("Could not import " + file.getFileName() + ": " + e.describe()));
    }

    private ToggleButton navButton(String text, String id, Page p) {
        ToggleButton b = new ToggleButton(text);
        b.setId(id);
        b.setToggleGroup(nav);
        b.setMaxWidth(Double.MAX_VALUE);
        b.getStyleClass().add("nav-button");
        b.setOnAction(e -> show(p));
        return b;
    }

    Node center() {
        return root.getCenter();
    }
}
