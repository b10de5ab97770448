#!/bin/bash
# Input path latency: evdev frame read -> QMP message written, p50/p99, with a baseline in the same run.
#   bash input-server/bench.sh            20,000 frames (about 25 s)
#   bash input-server/bench.sh 100000     more frames
set -euo pipefail
cd "$(dirname "$0")/.."
# What its tests depend on (the toolstack too: its test jar holds TestPolydeskd), installed for the bench classpath.
mvn -q -o install -DskipTests -pl protocol,test-support,toolstack -am 2>/dev/null || mvn -q install -DskipTests -pl protocol,test-support,toolstack -am
mvn -q -o -pl input-server test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cd input-server
exec java -Djava.util.logging.config.file=src/test/resources/logging.properties \
    -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
    org.polydesk.input.bench.LatencyBenchmark "$@"
