package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.RunningVm;
import org.polydesk.toolstack.backend.VmRuntimeDir;

/**
 * A restarted polydeskd takes back the domains that run on, as the definitions it hands the backend
 * say they run: a disc an earlier daemon put in is in the domain made for the guest's next reboot.
 */
class LibxlBackendRecoverTest {
    private static final UUID ID = UUID.fromString("5a1e0000-0000-4000-8000-000000000041");

    @TempDir
    Path run;

    @Test
    void aDiscPutInBeforeTheDaemonRestartedIsInTheDomainMadeForTheNextReboot() throws Exception {
        CountingXen xen = new CountingXen();
        RemadeDomains remade = new RemadeDomains();
        Path installer = Files.writeString(run.resolve("installer.iso"), "an installer");
        VmDefinition def = VmDefinition.builder().id(ID).name("Installer").slot(1).memoryMib(512).type(GuestType.HVM)
                .disks(List.of(new Disk(null, "raw", true, true, "hda"))).build();
        // The earlier daemon made the domain with its drive empty, then put the installer in.
        Files.createDirectories(VmRuntimeDir.of(run, ID).path());
        int domid = xen.runningDomainOf(ID, LibxlDomainConfig.of(def, VmRuntimeDir.of(run, ID), List.of(),
                run.resolve("empty-cd.iso")).toString());
        xen.cdromInsert(domid, LibxlDomainConfig.cdrom("hda", installer).toString());

        LibxlBackend backend = new LibxlBackend(xen, run, remade, null, null, run.resolve("proc"));
        List<RunningVm> back = backend.recover(List.of(def.withCdMedium(0, installer.toString())), Map.of());
        assertEquals(List.of(domid), back.stream().map(RunningVm::domid).toList(), "the running domain is taken back");

        xen.guestReboots(domid);
        int now = remade.next();
        assertNotEquals(domid, now);
        assertEquals(installer.toString(), xen.medium(now, "hda"), "the installer is in the rebooted guest's drive");
    }
}
