#!/bin/bash
# Sets up a fresh Debian 12 machine and runs Polydesk's tests: unit tests, the RPC and CLI tests
# against a real polydeskd, and the QEMU tests that boot the small test guest.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
# The guest is built (and cached) before Maven so its progress shows here, not inside a test.
bash tests/guest/build-guest.sh >/dev/null
mvn -B -ntp verify "$@"
bash scripts/check-debs.sh
# The system tests' scripts: their verdicts on canned logs, wait helper, parse and shellcheck
# (fast; the system tests themselves are tests/xen/run-xen-system-test.sh and iso/boot-test.sh).
bash tests/scripts/run.sh
# The ISO's configuration and the Xen patch series (fast; the ISO build, its boot test and
# the Xen build are their own commands: iso/build.sh, iso/boot-test.sh, hypervisor-patches/build.sh).
bash iso/check.sh
bash hypervisor-patches/check.sh
