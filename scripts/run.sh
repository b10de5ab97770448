#!/bin/bash
# Sets up a fresh Debian 12 machine, builds Polydesk and starts polydeskd with the QEMU backend,
# with two example VMs (the test guest, one red, one blue). Ctrl+C stops the daemon; the VMs go
# on running (as on a real host) and a restarted daemon takes them back; stop them with polyctl.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
mvn -B -ntp -q install -DskipTests
guest=$(bash tests/guest/build-guest.sh | tail -n 1)

state=${POLYDESK_STATE:-/var/lib/polydesk/vms}
run=${POLYDESK_RUN:-/run/polydesk}
jar=toolstack/target/toolstack-0.1.0-SNAPSHOT.jar
polyctl() { java -XX:TieredStopAtLevel=1 -cp "$jar" org.polydesk.toolstack.cli.Polyctl --socket "$run/polydeskd.sock" "$@"; }

java -jar "$jar" --state-dir "$state" --run-dir "$run" &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null' INT TERM
for _ in $(seq 100); do [ -S "$run/polydeskd.sock" ] && break; sleep 0.1; done

example() { # NAME SLOT COLOUR
    polyctl vm show "$1" >/dev/null 2>&1 || polyctl vm create --name "$1" --slot "$2" --colour "#$3" --memory 256 \
        --kernel "$guest/vmlinuz" --ramdisk "$guest/initrd.img" \
        --cmdline "console=ttyS0 quiet panic=-1 polydesk.colour=$3"
    [ "$(polyctl vm show "$1" --json | grep -o '"state" : "[a-z]*"')" = '"state" : "running"' ] || polyctl vm start "$1"
}
example "Example red" 1 C03030
example "Example blue" 2 3050C0
polyctl vm list
echo "polydeskd runs (pid $daemon). Try: java -cp $jar org.polydesk.toolstack.cli.Polyctl --socket $run/polydeskd.sock --help"
wait $daemon
