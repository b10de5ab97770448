package org.polydesk.toolstack.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A test double of the host's systemctl for ssh.service, for polydeskd's {@code --systemctl}: it keeps
 * the unit's states in the files {@code enabled} and {@code active} of its folder and writes each call
 * to {@code calls} there, answering as systemctl does for Debian's unit. The real systemctl and sshd
 * are the ISO boot test's (ssh-off, admin-ssh).
 */
public final class SystemctlDouble {
    private SystemctlDouble() {
    }

    /**
     * Writes the script into {@code dir}; {@code installed} false answers as for a unit that is not
     * there, {@code enableFails} makes {@code enable --now} fail as sshd without host keys does.
     */
    public static Path write(Path dir, boolean installed, boolean enableFails) throws IOException {
        Path script = dir.resolve("systemctl");
        Files.writeString(script, """
                #!/bin/sh
                d=%1$s
                echo "$*" >> $d/calls
                [ -f $d/enabled ] || echo disabled > $d/enabled
                [ -f $d/active ] || echo inactive > $d/active
                if [ %2$s = no ]; then
                    echo "Failed to get unit file state for ssh.service: No such file or directory"; exit 1
                fi
                case "$*" in
                    "is-enabled ssh.service") cat $d/enabled; [ "$(cat $d/enabled)" = enabled ] ;;
                    "is-active ssh.service") cat $d/active; [ "$(cat $d/active)" = active ] ;;
                    "enable --now ssh.service")
                        if [ %3$s = yes ]; then echo "Job for ssh.service failed: sshd: no hostkeys available"; exit 1; fi
                        echo enabled > $d/enabled; echo active > $d/active ;;
                    "disable --now ssh.service") echo disabled > $d/enabled; echo inactive > $d/active ;;
                    *) echo "unknown call: $*"; exit 9 ;;
                esac
                """.formatted(dir, installed ? "yes" : "no", enableFails ? "yes" : "no"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }
}
