package org.polydesk.toolstack.media;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.polydesk.protocol.media.MediaProgress;
import org.polydesk.protocol.media.Medium;
import org.polydesk.protocol.media.UsbIsoFile;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.toolstack.ToolstackApi;

/** media.*: the media library, the sticks it imports from, and the imports under way. */
public final class Media {
    private final MediaLibrary library;
    private final UsbSticks usb;
    private final MediaImports imports;

    public Media(Path directory, UsbSticks usb) {
        this.library = new MediaLibrary(directory);
        this.usb = usb;
        this.imports = new MediaImports(library, usb);
    }

    public List<Medium> list() throws RpcException {
        return library.list();
    }

    public List<UsbIsoFile> usbList() throws RpcException {
        return usb.isoFiles();
    }

    /** Checks the import and opens its source; the caller answers, then starts the job. */
    public MediaImports.Job prepareImport(ToolstackApi.MediaImport params, Consumer<MediaProgress> progress) throws RpcException {
        if (params == null) {
            throw org.polydesk.protocol.rpc.RpcException.invalidParam(ToolstackApi.MediaImport.URL,
                    "give either url, or usbDevice and usbFile (from media.usb.list)");
        }
        return imports.prepare(params, progress);
    }

    /** Deletes a medium no VM uses; {@code usersOf} names the VMs whose CD drives hold a file. */
    public void delete(ToolstackApi.MediaRef params, Function<Path, List<String>> usersOf) throws RpcException {
        String name = params == null ? null : params.name();
        Path file = library.file(name);
        List<String> users = usersOf.apply(file);
        if (!users.isEmpty()) {
            throw new RpcException(ErrorCode.WRONG_STATE, name + " is in the CD drive of " + users.stream()
                    .map(u -> "'" + u + "'").collect(java.util.stream.Collectors.joining(", "))
                    + "; eject it there, or take it out of the VM's definition, first");
        }
        library.delete(name);
    }
}
