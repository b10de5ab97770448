package org.polydesk.toolstack.definition;

import java.nio.file.Path;
import java.util.UUID;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * The victim of {@link VmStoreCrashTest}: rewrites a few definitions in a loop, each time with a
 * higher generation (kept in memoryMib), and says on stdout which generation it is about to write
 * ("writing") and which one the store has committed ("committed").
 * Arguments: store directory, first generation, then the VM ids.
 */
public final class StoreWriterProcess {
    public static void main(String[] args) throws Exception {
        VmStore store = new VmStore(Path.of(args[0]));
        long generation = Long.parseLong(args[1]);
        System.out.println("ready");
        System.out.flush();
        while (true) {
            generation++;
            for (int i = 2; i < args.length; i++) {
                UUID id = UUID.fromString(args[i]);
                System.out.println("writing " + id + " " + generation);
                System.out.flush();
                store.save(VmDefinition.builder().id(id).name("vm-" + (i - 1)).slot(i - 1)
                        .memoryMib((int) (VmStoreCrashTest.BASE_MEMORY + generation)).build());
                System.out.println("committed " + id + " " + generation);
                System.out.flush();
            }
        }
    }
}
