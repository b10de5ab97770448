package org.polydesk.display.rfb;

/** What the server said about itself in the handshake: protocol version, initial size, format, name. */
public record ServerInfo(String version, int width, int height, PixelFormat pixelFormat, String name) {
}
