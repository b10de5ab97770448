package org.polydesk.display.rfb;

import java.nio.file.Path;

/** Where an RFB server listens: a UNIX socket (QEMU's {@code vnc.sock}) or a TCP host and port. */
public sealed interface RfbEndpoint {

    record Unix(Path path) implements RfbEndpoint {
        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    record Tcp(String host, int port) implements RfbEndpoint {
        public Tcp {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("TCP port out of range: " + port);
            }
        }

        @Override
        public String toString() {
            return "tcp:" + host + ":" + port;
        }
    }

    static RfbEndpoint unix(Path path) {
        return new Unix(path);
    }

    static RfbEndpoint tcp(String host, int port) {
        return new Tcp(host, port);
    }
}
