package org.polydesk.toolstack.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A made-up /sys and /dev: disks, their partitions, sizes (also for the daemon's install.* tests). */
public final class FakeSys {
    public final Path sys;
    public final Path dev;

    public FakeSys(Path root) throws IOException {
        sys = Files.createDirectories(root.resolve("sys"));
        dev = Files.createDirectories(root.resolve("dev"));
        Files.createDirectories(sys.resolve("class/block"));
        Files.createDirectories(sys.resolve("block"));
    }

    public FakeSys disk(String name, long bytes, String... partitions) throws IOException {
        Path d = Files.createDirectories(sys.resolve("devices/virtual/block").resolve(name));
        Files.writeString(d.resolve("size"), (bytes / 512) + "\n");
        Files.writeString(d.resolve("ro"), "0\n");
        Files.createDirectories(d.resolve("device"));
        Files.writeString(d.resolve("device/model"), "QEMU HARDDISK   \n");
        Files.createSymbolicLink(sys.resolve("block").resolve(name), d);
        Files.createSymbolicLink(sys.resolve("class/block").resolve(name), d);
        Files.createFile(dev.resolve(name));
        int n = 1;
        for (String p : partitions) {
            Path pd = Files.createDirectories(d.resolve(p));
            Files.writeString(pd.resolve("partition"), n++ + "\n");
            Files.createSymbolicLink(sys.resolve("class/block").resolve(p), pd);
            Files.createFile(dev.resolve(p));
        }
        return this;
    }

    /** Marks a whole disk removable, as the kernel does for a USB stick. */
    public FakeSys removable(String name) throws IOException {
        Files.writeString(sys.resolve("block").resolve(name).resolve("removable"), "1\n");
        return this;
    }

    public FakeSys readOnly(String name) throws IOException {
        Files.writeString(sys.resolve("block").resolve(name).resolve("ro"), "1\n");
        return this;
    }

    public BlockDevices devices(String mounts) {
        return new BlockDevices(sys, dev, mounts.replace("/dev/", dev + "/"), "");
    }
}
