package org.polydesk.toolstack.gpu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The kernel's sysfs as the GPU code reads and writes it, rooted at {@code /sys} or at a tree a test
 * builds. Every change to the host goes through {@link #write} or {@link #writeConfig}, and every
 * wait through {@link #pause}: a test double overrides those three to record the writes and play
 * the kernel's part.
 */
public class Sysfs {
    public static final Path DEFAULT_ROOT = Path.of("/sys");
    static final Pattern ADDRESS = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]");

    private final Path root;

    public Sysfs(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path pciDevices() {
        return root.resolve("bus/pci/devices");
    }

    public Path pciDevice(String address) {
        return pciDevices().resolve(address);
    }

    public Path pciDriver(String driver) {
        return root.resolve("bus/pci/drivers").resolve(driver);
    }

    public Path platformDevice(String name) {
        return root.resolve("bus/platform/devices").resolve(name);
    }

    public Path platformDriver(String driver) {
        return root.resolve("bus/platform/drivers").resolve(driver);
    }

    public Path vtconsoles() {
        return root.resolve("class/vtconsole");
    }

    /** The driver a device (PCI or platform) is bound to, from its {@code driver} link. */
    public Optional<String> driverOf(Path device) throws IOException {
        Path link = device.resolve("driver");
        return Files.isSymbolicLink(link) ? Optional.of(Files.readSymbolicLink(link).getFileName().toString())
                : Optional.empty();
    }

    public String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII).strip();
    }

    /** Writes an attribute as {@code echo value > file} does; an attribute that is not there is an error. */
    public void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** {@code length} bytes of a device's configuration space from {@code offset}. */
    public byte[] readConfig(String address, int offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(pciDevice(address).resolve("config"), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(length);
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                // read on
            }
            if (buf.hasRemaining()) {
                throw new IOException("the configuration space of " + address + " ends before " + (offset + length));
            }
            return buf.array();
        }
    }

    public void writeConfig(String address, int offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(pciDevice(address).resolve("config"), StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf, offset + buf.position());
            }
        }
    }

    /** The hardware needs time (a bus reset, a power-state change); tests skip the wait. */
    public void pause(Duration d) throws IOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the hardware", e);
        }
    }

    /** The bridge a PCI function sits behind, from where its directory really is under /sys/devices. */
    public Optional<String> parentBridge(String address) throws IOException {
        Path parent = pciDevice(address).toRealPath().getParent();
        String name = parent == null ? "" : parent.getFileName().toString();
        return ADDRESS.matcher(name).matches() ? Optional.of(name) : Optional.empty();
    }

    /** Every PCI function below a bridge, on its secondary bus and the buses beyond it. */
    public List<String> functionsBehind(String bridge) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(pciDevice(bridge).toRealPath())) {
            walk.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> ADDRESS.matcher(n).matches() && !n.equals(bridge))
                    .sorted().forEach(out::add);
        }
        return out;
    }
}
