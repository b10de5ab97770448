#!/bin/bash
# Decode benchmarks (JMH): 1080p full-frame Raw and ZRLE against a memcpy of the same frame.
#   bash display-server/bench.sh                 all benchmarks (about a minute)
#   bash display-server/bench.sh 'memcpy|rawFrame'   a regular expression of benchmark names
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q install -DskipTests -pl protocol -am
mvn -q -Pbench -pl display-server test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cd display-server
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
    org.polydesk.display.rfb.DecodeBenchmark "$@"
