package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.audio.AudioPolicy;
import org.polydesk.protocol.audio.AudioStatus;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.testsupport.TestSoundServer;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * The Sound page against a real polydeskd (stub backend) told to use a real sound server (the
 * image's own, as this test's child): it says the server answers, lists the VMs, and what is set
 * on it (the policy, a VM's volume, mute and microphone) is what polydeskd then has; when the
 * server dies the page says so (polydeskd's audio event), and VMs start silent.
 */
class SoundPageUiTest {
    @TempDir
    Path tmp;
    UiFixture ui;
    TestSoundServer sound;

    @AfterEach
    void close() throws Exception {
        if (ui != null) {
            ui.close();
        }
        if (sound != null) {
            sound.close();
        }
    }

    @SuppressWarnings("unchecked")
    private List<String> rows() {
        return UiFixture.fx(() -> ((TableView<AudioStatus.Vm>) ui.robot.lookup("#sound-table").query()).getItems()
                .stream().map(v -> v.name() + " " + v.volume() + (v.muted() ? " muted" : "") + (v.microphone() ? " mic" : ""))
                .toList());
    }

    @Test
    void theSettingsSetHereAreWhatPolydeskdHasAndALostServerIsShown() throws Exception {
        sound = new TestSoundServer(tmp.resolve("sound")).start();
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp.resolve("daemon"), "--stub-backend",
                "--sound-server", sound.socket.toString())).open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        for (String name : List.of("Office", "Music")) {
            ui.rpc(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(VmDefinition.builder().name(name).memoryMib(256).build()));
        }

        ui.robot.clickOn("#nav-sound");
        ui.await("the sound server answering", 15, () -> ui.text("#sound-server").startsWith("dom0's sound server answers"),
                () -> ui.text("#sound-server"));
        ui.await("both VMs listed", 10, () -> rows().size() == 2, this::rows);
        assertEquals(List.of("Office 100", "Music 100"), rows(), "full volume, not muted, no microphone at first");
        assertTrue(UiFixture.fx(() -> ui.robot.lookup("#sound-apply").query().isDisabled()), "nothing to set before a VM is chosen");

        ui.robot.clickOn("Music");
        UiFixture.fx(() -> {
            ((Spinner<Integer>) ui.robot.lookup("#sound-volume").query()).getValueFactory().setValue(40);
            return null;
        });
        ui.robot.clickOn("#sound-muted");
        ui.robot.clickOn("#sound-microphone");
        ui.robot.clickOn("#sound-apply");
        ui.await("Music's new settings listed", 10, () -> rows().contains("Music 40 muted mic"), this::rows);
        AudioStatus.Vm music = ui.rpc(ToolstackApi.AUDIO_STATUS, null).vms().stream()
                .filter(v -> v.name().equals("Music")).findFirst().orElseThrow();
        assertEquals(40, music.volume());
        assertTrue(music.muted() && music.microphone(), "polydeskd has what the page set: " + music);
        assertFalse(UiFixture.fx(() -> ((CheckBox) ui.robot.lookup("#sound-muted").query()).isDisabled()));

        ui.robot.clickOn("#sound-policy");
        ui.robot.clickOn("Every VM at once");
        ui.await("the policy changed in polydeskd", 10,
                () -> ui.rpc(ToolstackApi.AUDIO_STATUS, null).policy() == AudioPolicy.MIX, () -> ui.text("#sound-problem"));

        sound.kill();
        ui.await("the lost server shown", 15, () -> ui.text("#sound-server").startsWith("dom0's sound server does not answer"),
                () -> ui.text("#sound-server"));
        assertTrue(ui.text("#sound-server").contains("VMs started now are silent"), ui.text("#sound-server"));
    }
}
