package org.polydesk.toolstack.cli;

import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.toolstack.ToolstackApi;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "events", description = "Follow VM lifecycle events until interrupted.")
final class EventsCommand implements Callable<Integer> {
    @ParentCommand
    Polyctl root;

    @Spec
    CommandSpec spec;

    @Option(names = "--count", description = "Stop after this many events.")
    Integer count;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (RpcClient c = root.connect()) {
            c.call(ToolstackApi.EVENTS_SUBSCRIBE);
            int seen = 0;
            RpcMessage msg;
            while ((count == null || seen < count) && (msg = c.nextNotification()) != null) {
                if (!ToolstackApi.EVENT.matches(msg)) {
                    continue;
                }
                LifecycleEvent e = ToolstackApi.EVENT.decode(msg);
                if (root.json) {
                    out.println(Json.mapper().writeValueAsString(e));
                } else {
                    out.printf("%d %s %s (slot %s)%s%n", e.seq(), e.type().wireName(), e.name(),
                            e.slot() == null ? "-" : e.slot(), e.detail() != null ? ": " + e.detail() : "");
                }
                out.flush();
                seen++;
            }
        }
        return 0;
    }
}
