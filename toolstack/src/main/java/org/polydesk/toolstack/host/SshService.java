package org.polydesk.toolstack.host;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.toolstack.ToolstackApi.SshLogins;
import org.polydesk.toolstack.process.BoundedCommand;

/**
 * host.ssh and host.ssh.set: the administrator's logins by ssh, which are sshd's systemd unit
 * enabled and running, or neither. Off on a new system (the image disables the unit); switched
 * through the host's systemctl, which only the appliance's polydeskd is given (--systemctl): a
 * developer's polydeskd never starts or stops its host's services.
 */
public final class SshService {
    /** Debian's unit of openssh-server. */
    public static final String UNIT = "ssh.service";
    /** sshd's first start makes its host keys, which takes a while on a slow (or emulated) CPU. */
    private static final Duration BOUND = Duration.ofSeconds(180);

    private final List<String> systemctl;

    /** {@code systemctl}: the command (and its first arguments) to run, or null where polydeskd does not manage the host. */
    public SshService(List<String> systemctl) {
        this.systemctl = systemctl == null ? null : List.copyOf(systemctl);
    }

    public SshLogins read() throws RpcException {
        if (systemctl == null) {
            return new SshLogins(false, false, false, "this polydeskd does not manage the host's services"
                    + " (it was started without --systemctl)");
        }
        BoundedCommand.Result enabled = run("is-enabled", UNIT);
        if (enabled.output().strip().isEmpty() || enabled.output().contains("No such file")
                || enabled.output().contains("not-found")) {
            return new SshLogins(false, false, false, "sshd is not installed (no " + UNIT + ")");
        }
        BoundedCommand.Result active = run("is-active", UNIT);
        return new SshLogins(true, enabled.ok() && firstLine(enabled).equals("enabled"),
                active.ok() && firstLine(active).equals("active"), null);
    }

    public SshLogins set(ToolstackApi.SshLoginsSet params) throws RpcException {
        if (params == null || params.enabled() == null) {
            throw RpcException.invalidParam(ToolstackApi.SshLoginsSet.ENABLED, "enabled must be true or false");
        }
        SshLogins now = read();
        if (!now.managed()) {
            throw new RpcException(ErrorCode.WRONG_STATE, "ssh logins cannot be switched here: " + now.problem());
        }
        boolean on = params.enabled();
        BoundedCommand.Result r = run(on ? "enable" : "disable", "--now", UNIT);
        if (!r.ok()) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "systemctl " + (on ? "enable" : "disable") + " --now "
                    + UNIT + " failed (exit " + r.exit() + "): " + r.output().strip());
        }
        SshLogins after = read();
        if (after.enabled() != on || after.active() != on) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "sshd is " + (after.enabled() ? "enabled" : "disabled")
                    + " and " + (after.active() ? "running" : "not running") + " after systemctl "
                    + (on ? "enable" : "disable") + " --now " + UNIT);
        }
        return after;
    }

    private BoundedCommand.Result run(String... args) throws RpcException {
        List<String> command = new ArrayList<>(systemctl);
        command.addAll(List.of(args));
        try {
            return BoundedCommand.run(command, null, BOUND);
        } catch (BoundedCommand.Failure e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, e.getMessage());
        }
    }

    private static String firstLine(BoundedCommand.Result r) {
        return r.output().strip().lines().findFirst().orElse("");
    }
}
