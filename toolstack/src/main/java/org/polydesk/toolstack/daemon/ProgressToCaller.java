package org.polydesk.toolstack.daemon;

import java.util.logging.Logger;
import org.polydesk.protocol.install.InstallProgress;
import org.polydesk.protocol.rpc.RpcNotification;
import org.polydesk.protocol.rpc.RpcServer;
import org.polydesk.toolstack.install.Installer;

/**
 * A long job's progress (an install, an update) as notifications to the connection that started
 * it, each step also in polydeskd's log. It remembers the step it is at, so its details and its
 * end say where the job was.
 */
final class ProgressToCaller implements Installer.Progress {
    private final RpcServer.Connection caller;
    private final RpcNotification<InstallProgress> method;
    private final Logger log;
    private final String job;
    private int step;
    private int total;

    /** {@code job} names the work in the log ("install to /dev/vda"). */
    ProgressToCaller(RpcServer.Connection caller, RpcNotification<InstallProgress> method, Logger log, String job, int total) {
        this.caller = caller;
        this.method = method;
        this.log = log;
        this.job = job;
        this.total = total;
    }

    @Override
    public synchronized void step(int n, int total, String what) {
        this.step = n;
        this.total = total;
        log.info(job + ": [" + n + "/" + total + "] " + what);
        caller.send(method, new InstallProgress(InstallProgress.Kind.STEP, n, total, what));
    }

    @Override
    public synchronized void detail(String text) {
        caller.send(method, new InstallProgress(InstallProgress.Kind.DETAIL, step, total, text));
    }

    /** The job's last word: every step done. */
    synchronized void done(String text) {
        caller.send(method, new InstallProgress(InstallProgress.Kind.DONE, total, total, text));
    }

    /** The job's last word: it stopped at the current step. */
    synchronized void failed(String text) {
        caller.send(method, new InstallProgress(InstallProgress.Kind.FAILED, step, total, text));
    }
}
