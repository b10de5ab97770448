#!/bin/bash
# Issue 18's network figures, each with a baseline measured in the same run (NetworkBenchmark):
# VM start -> DHCP lease of a test guest on polydeskd's 'default' network, against the time to the
# guest's earliest serial line; and iperf3's TCP throughput of the NAT path as a ratio to a plain
# veth pair. Everything runs in network namespaces the benchmark makes and deletes. Needs root.
#   flock /tmp/polydesk-heavy.lock bash toolstack/bench.sh           3 starts; iperf3 10 s, 1 stream
#   flock /tmp/polydesk-heavy.lock bash toolstack/bench.sh 5 20 4    5 starts; iperf3 20 s, 4 streams
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "toolstack/bench.sh makes network namespaces: run it as root" >&2; exit 1; }
. scripts/need-packages.sh
need_packages iperf3 iproute2 nftables dnsmasq-base busybox-static qemu-system-x86
mvn -q -o -pl toolstack -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
# The test guest is built (and cached) here, so that its progress does not mix with the figures.
bash tests/guest/build-guest.sh >/dev/null
cd toolstack
exec java -Dpolydesk.repo=.. -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
    org.polydesk.toolstack.network.NetworkBenchmark "$@"
