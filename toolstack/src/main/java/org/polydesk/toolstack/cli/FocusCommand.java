package org.polydesk.toolstack.cli;

import org.polydesk.protocol.toolstack.ToolstackApi;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "focus", description = {"Move the screen, keyboard and mouse to a VM, or to the control UI with 'ui'.",
        "input-server must be running; it owns the focus."})
final class FocusCommand implements Callable<Integer> {
    @ParentCommand
    Polyctl root;


    @Parameters(paramLabel = "VM", description = "A VM's id, name or slot, or 'ui'.")
    String vm;

    @Override
    public Integer call() throws Exception {
        return root.print(root.call(ToolstackApi.FOCUS_SET, new ToolstackApi.VmRef(vm)), (now, out) -> {
            int slot = now.slot();
            out.println(slot == 0 ? "focus: the control UI (slot 0)" : "focus: slot " + slot + " (" + vm + ")");
        });
    }
}
