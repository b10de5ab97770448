#!/bin/bash
# Coverage-guided fuzzing (Jazzer) of everything that parses untrusted bytes, one target at a time:
#   bash scripts/fuzz.sh [TARGET|all] [SECONDS]      (default: all, 180 s each)
# Prints, per target: executions, edges covered (libFuzzer's "cov"), findings, and the fuzzing
# JVM's peak RSS (libFuzzer's "rss"). A finding is saved as crash-* (or timeout-*) in the target's
# inputs directory under src/test/resources, where mvn verify then runs it as a regression test:
# fix the parser, keep the file (renamed to say what it is). The corpus grown while fuzzing stays
# in <module>/.cifuzz-corpus/ (not committed) and seeds the next run. Logs: target/fuzz/TARGET.log.
# mvn verify runs only the committed seeds and findings (JAZZER_FUZZ unset, jazzer.hooks=false).
set -euo pipefail
cd "$(dirname "$0")/.."

# target  module  Class#method  inputs directory (under src/test/resources)
TARGETS="
rfb-stream      display-server org.polydesk.display.rfb.RfbFuzzTest#serverStream          org/polydesk/display/rfb/RfbFuzzTestInputs/serverStream
rfb-messages    display-server org.polydesk.display.rfb.RfbFuzzTest#messages              org/polydesk/display/rfb/RfbFuzzTestInputs/messages
viewer-channel  protocol       org.polydesk.protocol.viewer.ViewerFuzzTest#channel         org/polydesk/protocol/viewer/ViewerFuzzTestInputs/channel
viewer-region   protocol       org.polydesk.protocol.viewer.ViewerFuzzTest#region          org/polydesk/protocol/viewer/ViewerFuzzTestInputs/region
rpc             protocol       org.polydesk.protocol.rpc.RpcFramingFuzzTest#lines          org/polydesk/protocol/rpc/RpcFramingFuzzTestInputs/lines
qmp             protocol       org.polydesk.protocol.qmp.QmpClientFuzzTest#afterGreeting   org/polydesk/protocol/qmp/QmpClientFuzzTestInputs/afterGreeting
xlcfg           toolstack      org.polydesk.toolstack.xlcfg.XlConfigFuzzTest#importText    org/polydesk/toolstack/xlcfg/XlConfigFuzzTestInputs/importText
"

usage() {
    echo "usage: $0 [TARGET|all] [SECONDS]   targets: all $(echo "$TARGETS" | awk 'NF {printf "%s ", $1}')" >&2
    exit 2
}
which=${1:-all}
seconds=${2:-180}
[[ $seconds =~ ^[0-9]+$ ]] || usage
if [ "$which" != all ] && ! echo "$TARGETS" | awk '{print $1}' | grep -qx -- "$which"; then
    usage
fi

mkdir -p target/fuzz
summary=target/fuzz/summary.txt
printf '%-15s %10s %8s %9s %10s %8s\n' target execs edges findings "peak RSS" seconds | tee "$summary"
found=0
while read -r name module test inputs; do
    [ -n "$name" ] || continue
    [ "$which" = all ] || [ "$which" = "$name" ] || continue
    dir="$module/src/test/resources/$inputs"
    before=$(find "$dir" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' \) 2>/dev/null | wc -l)
    log=target/fuzz/$name.log
    extra=()
    # Coverage of Jackson's parser too: the JSON-RPC target is mostly Jackson.
    [ "$name" = rpc ] && extra=(-Djazzer.instrument='org.polydesk.**,com.fasterxml.jackson.**')
    start=$(date +%s)
    # JAZZER_FUZZ=1: fuzz this one test; jazzer.hooks: the agent with its coverage instrumentation;
    # JUnit's own @Timeout would time the whole run, so it is off: libFuzzer's -timeout (from the
    # same @Timeout) limits each input instead.
    JAZZER_FUZZ=1 mvn -B -ntp -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
        -Djazzer.hooks=true -Djazzer.max_duration="${seconds}s" -Djunit.jupiter.execution.timeout.mode=disabled \
        -DargLine=-Xmx1g "${extra[@]}" > "$log" 2>&1 || true
    took=$(( $(date +%s) - start ))
    stats=$(grep -aE '^#[0-9]+[[:space:]]+(INITED|NEW|REDUCE|pulse|DONE)' "$log" | tail -1 || true)
    execs=$(grep -aoE 'Done [0-9]+ runs' "$log" | tail -1 | awk '{print $2}' || true)
    [ -n "$execs" ] || execs=$(echo "$stats" | sed -E 's/^#([0-9]+).*/\1/')
    edges=$(echo "$stats" | grep -oE 'cov: [0-9]+' | awk '{print $2}')
    rss=$(grep -aoE 'rss: [0-9]+Mb' "$log" | awk '{print $2}' | sed 's/Mb//' | sort -n | tail -1)
    after=$(find "$dir" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' \) 2>/dev/null | wc -l)
    findings=$((after - before))
    if [ -z "$stats" ]; then
        findings="run failed"
        found=1
    elif [ "$findings" -gt 0 ] || grep -aq '== Java Exception\|ERROR: libFuzzer' "$log"; then
        found=1
    fi
    printf '%-15s %10s %8s %9s %8s MiB %7s\n' "$name" "${execs:-?}" "${edges:-?}" "$findings" "${rss:-?}" "$took" | tee -a "$summary"
done <<< "$TARGETS"
[ "$found" = 0 ] || echo "findings or a failed run: see target/fuzz/*.log" >&2
exit "$found"
