#!/bin/bash
# Issue 22's figure (SoundBenchmark): a focus change -> the audio policy applied to the VMs'
# streams in dom0's sound server (the image's own, run with directories of its own), p50/p99,
# against one bare pactl mute measured in the same run. No QEMU: two players stand for the VMs.
#   bash toolstack/sound-bench.sh          100 switches
#   bash toolstack/sound-bench.sh 500      500 switches
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/need-packages.sh
need_packages pipewire pipewire-pulse wireplumber pulseaudio-utils
mvn -q -o -pl toolstack -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cd toolstack
exec java -Dpolydesk.repo=.. -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
    org.polydesk.toolstack.sound.SoundBenchmark "$@"
