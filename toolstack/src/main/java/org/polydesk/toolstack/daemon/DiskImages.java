package org.polydesk.toolstack.daemon;

import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.toolstack.ToolstackApi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.polydesk.protocol.rpc.ErrorCode;

/**
 * {@code disk.create}: new empty disk images in polydeskd's image directory, made with
 * {@code qemu-img}. polydeskd owns the storage (the UI runs unprivileged, and on Xen the image must
 * be in dom0 where libxl opens it). An image is made under a temporary name and moved into place
 * without replacing anything, so a crash never leaves a half-made image under the real name and an
 * existing image is never overwritten.
 */
final class DiskImages {
    static final int MAX_GIB = 65536;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Path directory;
    private final String qemuImg;

    DiskImages(Path directory, String qemuImg) {
        this.directory = directory;
        this.qemuImg = qemuImg;
    }

    /** {@code {name, sizeGib, format: raw|qcow2}} → {@code {path}}. */
    ToolstackApi.DiskCreated create(ToolstackApi.DiskCreate params) throws RpcException {
        String name = params.name();
        Long size = params.sizeGib();
        String format = params.format() == null ? "qcow2" : params.format();
        if (name == null || !NAME.matcher(name).matches()) {
            throw RpcException.invalidParam(ToolstackApi.DiskCreate.NAME, "an image name is 1–64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit, not '" + name + "'");
        }
        if (size == null || size < 1 || size > MAX_GIB) {
            throw RpcException.invalidParam(ToolstackApi.DiskCreate.SIZE_GIB, "sizeGib must be a whole number from 1 to " + MAX_GIB);
        }
        if (!format.equals("raw") && !format.equals("qcow2")) {
            throw RpcException.invalidParam(ToolstackApi.DiskCreate.FORMAT, "format must be raw or qcow2, not '" + format + "'");
        }
        Path image = directory.resolve(name + "." + format);
        if (Files.exists(image)) {
            throw new RpcException(ErrorCode.STORE_FAILED, image + " exists already; choose another name");
        }
        Path tmp = directory.resolve("." + name + "." + format + ".new");
        try {
            Files.createDirectories(directory);
            Files.deleteIfExists(tmp);
            Process p = new ProcessBuilder(qemuImg, "create", "-q", "-f", format, tmp.toString(), size + "G")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("qemu-img did not finish within 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("qemu-img failed: " + out);
            }
            Files.move(tmp, image);
        } catch (FileAlreadyExistsException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, image + " exists already; choose another name");
        } catch (IOException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot create " + image + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException(ErrorCode.STORE_FAILED, "interrupted while creating " + image);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless and replaced next time
            }
        }
        return new ToolstackApi.DiskCreated(image.toString());
    }
}
