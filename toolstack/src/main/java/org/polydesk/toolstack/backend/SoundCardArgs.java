package org.polydesk.toolstack.backend;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.polydesk.protocol.vm.SoundCard;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * A VM's sound card as QEMU arguments, the same for the QEMU backend and for Xen's device model.
 * Its streams carry the VM's name and the QEMU's pid, by which polydeskd's audio policy finds them.
 * The card's own mixer is off: a guest turning its volume up must not undo what the policy set in dom0.
 */
public final class SoundCardArgs {
    private static final Logger LOG = Logger.getLogger(SoundCardArgs.class.getName());

    private SoundCardArgs() {
    }

    /** The arguments (none for a VM without a card); {@code soundServer} null: the card is there, silent. */
    public static List<String> of(VmDefinition def, Path soundServer) {
        List<String> a = new ArrayList<>();
        if (def.sound() == SoundCard.NONE) {
            return a;
        }
        String name = def.name().replace(",", ",,");
        a.addAll(List.of("-audiodev", soundServer == null ? "none,id=sound"
                : "pa,id=sound,server=unix:" + soundServer + ",out.stream-name=" + name + ",in.stream-name=" + name));
        if (def.sound() == SoundCard.AC97) {
            a.addAll(List.of("-device", "AC97,audiodev=sound"));
        } else {
            a.addAll(List.of("-device", "intel-hda", "-device", "hda-duplex,audiodev=sound,mixer=off"));
        }
        return a;
    }

    /**
     * dom0's sound server if it answers now, else null: QEMU's PulseAudio backend refuses to start
     * without one, and a VM must never fail to start for want of sound, so it then starts silent.
     */
    public static Path answering(Path server, VmDefinition def) {
        if (server == null || def.sound() == SoundCard.NONE) {
            return null;
        }
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(server))) {
            return server;
        } catch (IOException e) {
            LOG.info("'" + def.name() + "' starts silent: nothing answers at " + server + " (" + e.getMessage() + ")");
            return null;
        }
    }
}
