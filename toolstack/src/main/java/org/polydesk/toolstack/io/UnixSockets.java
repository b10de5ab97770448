package org.polydesk.toolstack.io;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Questions about UNIX socket files that the daemon and the backends both ask. */
public final class UnixSockets {
    private UnixSockets() {
    }

    /** Whether a process accepts connections on {@code socket}; a stale file left by a dead one does not. */
    public static boolean someoneListens(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
