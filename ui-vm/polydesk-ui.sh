#!/bin/bash
# Runs the control UI from this repository's build (mvn -pl ui-vm -am package first), with the JVM
# options the appliance uses. polydesk-ui.sh --help lists the options: --socket PATH, --window for
# an ordinary window on a development machine, --page, --width/--height.
# POLYDESK_UI_JAVA_OPTS adds JVM options (after ours, so they win).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# Installed (the .deb puts the jar beside this script) or in the repository after mvn package.
jar=$(ls "$here"/ui-vm.jar "$here"/target/ui-vm-*.jar 2>/dev/null | grep -v -e sources -e tests | head -n 1 || true)
[ -n "$jar" ] && [ -d "$(dirname "$jar")/lib" ] || {
    echo "polydesk-ui.sh: no build in $here/target; run: mvn -pl ui-vm -am package -DskipTests" >&2
    exit 1
}
# Memory: a small serial-collected heap, C1 only and only for code ten times as warm as by default
# (scripts/dom0-bench.sh: 4-5 MiB PSS less), a small code cache, two malloc arenas trimmed every
# 5 s; the UI is mostly idle (dom0-bench.sh measures it against issue 21's 120 MiB).
# Software rendering: there is no GPU for dom0's Xvnc.
# GDK would load Mesa (and LLVM, 40 MB) to look for GL visuals that software rendering never uses.
export GDK_GL=${GDK_GL:-disable}
export MALLOC_ARENA_MAX=2
# JavaFX unpacks its native libraries into ~/.openjfx and fontconfig keeps its cache in ~/.cache; a
# service user without a home (the .deb's polydesk-ui) uses systemd's CacheDirectory= instead.
cache_opt=
if [ -n "${CACHE_DIRECTORY:-}" ]; then
    cache_opt="-Djavafx.cachedir=${CACHE_DIRECTORY%%:*}/openjfx"
    export XDG_CACHE_HOME=${XDG_CACHE_HOME:-${CACHE_DIRECTORY%%:*}}
fi
# The JDK's class archive (CDS) is mapped where it was built (ArchiveRelocationMode=0), not moved:
# Debian's JDK 17 moves it by default, which writes every page of it, 10 MiB private to each JVM
# instead of shared by all (scripts/dom0-bench.sh: 5 MiB PSS less for each service). The archive's
# address is then known, a hardening given up for the memory; POLYDESK_JAVA_OPTS can say
# -XX:ArchiveRelocationMode=1 again.
# dom0's shared class archive (polydesk-toolstack's class-archive; POLYDESK_CLASS_ARCHIVE names another
# copy of it) says how to run the jar: with the archive, or recording the classes it is made from.
helper=${POLYDESK_CLASS_ARCHIVE:-/usr/libexec/polydesk/class-archive}
launch=
[ -x "$helper" ] && launch=$("$helper" args ui "$jar" org.polydesk.ui.app.Main)
[ -n "$launch" ] || launch="-jar $jar"
# shellcheck disable=SC2086
exec java -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -Xms16m -Xmx80m -XX:+UseSerialGC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 \
    -XX:-UsePerfData -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=10 -XX:ReservedCodeCacheSize=32m \
    -XX:MaxMetaspaceSize=80m -Xss512k -Xmn4m -XX:TrimNativeHeapInterval=5000 -Djdk.nio.maxCachedBufferSize=65536 \
    -Dprism.order=sw -Djdk.gtk.version=3 $cache_opt \
    ${POLYDESK_UI_JAVA_OPTS:-} $launch "$@"
