#!/bin/bash
# Display server benchmarks, each printing figures against a memcpy measured in the same run:
#   bash display-server/bench.sh decode [regex]    JMH: 1080p Raw and ZRLE decode
#   bash display-server/bench.sh pipeline [regex]  JMH: 1080p decode + compose + framebuffer sink
#   bash display-server/bench.sh switch [count]    focus event -> new frame in the sink, p50/p99
#   bash display-server/bench.sh viewer [regex]    JMH: 1080p frames through the viewer's shared region
#   bash display-server/bench.sh kms [rounds]      in a test guest at 3840x2160: compose + flip, switch, idle CPU
#   bash display-server/bench.sh                   the first four
set -euo pipefail
cd "$(dirname "$0")/.."
# What its tests depend on (the toolstack too: its test jar holds TestPolydeskd), installed for the bench classpath.
mvn -q -o install -DskipTests -pl protocol,test-support,toolstack -am 2>/dev/null || mvn -q install -DskipTests -pl protocol,test-support,toolstack -am
mvn -q -Pbench -pl display-server test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cd display-server
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
which=${1:-all}
[ $# -gt 0 ] && shift
case "$which" in
    decode) exec java -cp "$cp" org.polydesk.display.rfb.DecodeBenchmark "$@" ;;
    pipeline) exec java -cp "$cp" org.polydesk.display.rfb.PipelineBenchmark "$@" ;;
    switch) exec java -Xmx1g -cp "$cp" org.polydesk.display.server.SwitchLatencyBenchmark "$@" ;;
    viewer) exec java -cp "$cp" org.polydesk.display.viewer.RegionBenchmark "$@" ;;
    kms) exec java -Dpolydesk.repo=.. -cp "$cp" org.polydesk.display.sink.KmsBenchmark "$@" ;;
    all)
        java -cp "$cp" org.polydesk.display.rfb.DecodeBenchmark | tail -n 6
        java -cp "$cp" org.polydesk.display.rfb.PipelineBenchmark | tail -n 5
        java -Xmx1g -cp "$cp" org.polydesk.display.server.SwitchLatencyBenchmark
        java -cp "$cp" org.polydesk.display.viewer.RegionBenchmark | tail -n 4 ;;
    *) echo "usage: bench.sh [decode|pipeline|switch|viewer|kms|all] [args]" >&2; exit 2 ;;
esac
