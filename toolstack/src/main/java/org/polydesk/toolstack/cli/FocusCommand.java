package org.polydesk.toolstack.cli;

import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.toolstack.ToolstackApi;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "focus", description = {"Move the screen, keyboard and mouse to a VM, or to the control UI with 'ui'.",
        "input-server must be running; it owns the focus."})
final class FocusCommand implements Callable<Integer> {
    @ParentCommand
    Polyctl root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VM", description = "A VM's id, name or slot, or 'ui'.")
    String vm;

    @Override
    public Integer call() throws Exception {
        FocusChanged now = root.call(ToolstackApi.FOCUS_SET, new ToolstackApi.VmRef(vm));
        if (root.json) {
            root.printJson(now);
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        int slot = now.slot();
        out.println(slot == 0 ? "focus: the control UI (slot 0)" : "focus: slot " + slot + " (" + vm + ")");
        out.flush();
        return 0;
    }
}
