#!/bin/bash
# Fast tests of the system tests' scripts (no QEMU, no root): part of scripts/test.sh.
#   - every shell script parses (bash -n, or sh -n for the POSIX ones), and shellcheck finds no
#     error in it (when shellcheck is installed; scripts/setup.sh installs it);
#   - the Xen system test's verdict (tests/xen/evaluate-results.sh) on canned serial logs: all
#     required steps pass -> 0; a required SKIP -> non-zero, and the summary says so; that SKIP
#     allowed by --allow-skip -> 0; no results, a missing step, no DONE -> non-zero;
#   - the steps' wait helper (tests/xen/steps/lib.sh wait_for) under dash: a condition that comes
#     true ends the wait early, one that never does ends at the deadline;
#   - the ISO boot test's evaluation (iso/boot-test-lib.sh) on canned serial logs and results: a
#     boot report without a required POLYDESK-CHECK -> FAIL; a screen checker that raises or exits
#     2 -> broken (FAIL), one that says fail -> not yet; real screen-check.py on made-up screens;
#     required steps per phase, --allow-skip, no results;
#   - the image's initrd-early-files (the boot report's microcode check) on made-up initrds: the
#     uncompressed early archives listed, the compressed one not;
#   - the control UI's launcher (ui-vm/polydesk-ui-xvnc.sh, a real Xvnc, the UI stood in for): the
#     display server's screen file sets Xvnc's size and JavaFX's scale; a bad one is said and left.
# Prints PASS/FAIL per case and "N passed, N failed"; exits non-zero on a failure.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { echo "PASS $1"; passed=$((passed + 1)); }
no() { echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/    | /' "$2" | tail -n 30; failed=$((failed + 1)); }
# expect NAME WANT_RC(0|nonzero) OUTPUT_FILE GREP... : the last command's rc is in $rc.
expect() {
    local name=$1 want=$2 file=$3 re
    shift 3
    if { [ "$want" = 0 ] && [ "$rc" -ne 0 ]; } || { [ "$want" = nonzero ] && [ "$rc" -eq 0 ]; }; then
        no "$name: exit $rc, want $want" "$file"; return
    fi
    for re in "$@"; do
        grep -qE -- "$re" "$file" || { no "$name: no line matching '$re'" "$file"; return; }
    done
    ok "$name"
}
closing='^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$'

# --- every script parses; shellcheck finds no error ----------------------------------------
cd "$repo"
mapfile -t scripts < <({ git ls-files '*.sh'; git ls-files tests/xen/dom0-init tests/xen/viewer-guest-init tests/guest/init \
    distro/auto/config; ls tests/xen/steps/*.sh tests/wifi/*.sh tests/lib/*.sh iso/boot-test-lib.sh tests/xen/evaluate-results.sh 2>/dev/null; } | sort -u)
parse_bad=() sc_bad=()
for f in "${scripts[@]}"; do
    [ -f "$f" ] || continue
    first=$(head -n 3 "$f")
    if grep -qE '^#!/bin/sh|shellcheck shell=sh' <<< "$first"; then dialect=sh; sh -n "$f" 2>"$tmp/parse" || parse_bad+=("$f")
    else dialect=bash; bash -n "$f" 2>"$tmp/parse" || parse_bad+=("$f"); fi
    if command -v shellcheck > /dev/null; then
        opts=(-S error)
        grep -qE '^#!|shellcheck shell=' <<< "$first" || opts+=(-s "$dialect")
        shellcheck "${opts[@]}" "$f" > "$tmp/sc" 2>&1 || { sc_bad+=("$f"); cat "$tmp/sc" >> "$tmp/sc-all"; }
    fi
done
[ ${#parse_bad[@]} -eq 0 ] && ok "${#scripts[@]} scripts parse (bash -n / sh -n)" || no "scripts that do not parse: ${parse_bad[*]}"
if command -v shellcheck > /dev/null; then
    [ ${#sc_bad[@]} -eq 0 ] && ok "shellcheck -S error: none in ${#scripts[@]} scripts" || no "shellcheck errors in: ${sc_bad[*]}" "$tmp/sc-all"
else
    echo "NOTE shellcheck is not installed (apt-get install shellcheck): not run"
fi
python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' iso/screen-check.py && ok "iso/screen-check.py compiles" || no "iso/screen-check.py does not compile"

# --- Xen system test: evaluate-results.sh on canned serial logs -----------------------------
ev=tests/xen/evaluate-results.sh
mapfile -t req < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' tests/xen/required-steps | grep -v '^$')
[ ${#req[@]} -ge 30 ] && ok "tests/xen/required-steps lists ${#req[@]} steps" || no "tests/xen/required-steps lists only ${#req[@]} steps"
# Every required step is named by a step file (so it can report at all), and every step file
# reports only through pass / fail / skip / skip_all / verdict (no echo "PASS ..." of its own).
unnamed=()
for s in "${req[@]}"; do
    grep -qwF -- "$s" tests/xen/steps/*.sh || unnamed+=("$s")
done
[ ${#unnamed[@]} -eq 0 ] && ok "xen: every required step is reported by a step file" || no "xen: required steps no step file names: ${unnamed[*]}"
if grep -nE 'echo "?(PASS|FAIL|SKIP) ' tests/xen/steps/ab-xl.sh tests/xen/steps/c-*.sh tests/xen/steps/dg-*.sh \
        tests/xen/steps/h-*.sh tests/xen/steps/i-*.sh tests/xen/steps/j-*.sh > "$tmp/out"; then
    no "xen: step files print results of their own" "$tmp/out"
else ok "xen: step files report only through steps/lib.sh's helpers"; fi
if grep -nE '^[^#]*\bsleep [0-9]' tests/xen/steps/*.sh tests/xen/run-in-dom0.sh | grep -vE 'steps/lib.sh:|sleep 0\.1$' > "$tmp/out"; then
    no "xen: a fixed sleep outside wait_for (steps/lib.sh)" "$tmp/out"
else ok "xen: no fixed sleep in the steps outside wait_for (but the 0.1 s watch recorder of h)"; fi

# xen_log FILE [STEP=STATUS]...: a serial log (CRLF, as the console gives it) where every required
# step passes, except those given another status (SKIP, FAIL, or NONE: never reported).
xen_log() {
    local file=$1 s st
    shift
    local -A over=()
    for a in "$@"; do over[${a%%=*}]=${a#*=}; done
    {
        printf 'Xen 4.17\r\nPOLYDESK-DOM0 READY after 30 s of dom0 uptime\r\n'
        for s in "${req[@]}"; do
            st=${over[$s]:-PASS}
            case $st in
                PASS) printf 'PASS %s (1.0 s)\r\n  detail\r\n' "$s" ;;
                SKIP) printf 'SKIP %s: the HVM guest triple-faulted under TCG\r\n' "$s" ;;
                FAIL) printf 'FAIL %s: something broke\r\n' "$s" ;;
            esac
        done
        printf 'SUMMARY 1 passed, 0 failed, 0 skipped\r\nPOLYDESK-DOM0 DONE rc=0\r\n'
    } > "$file"
}
xen_log "$tmp/x-all.log"
bash $ev "$tmp/x-all.log" > "$tmp/out" 2>&1; rc=$?
expect "xen: all required steps pass -> exit 0" 0 "$tmp/out" "^${#req[@]} passed, 0 failed, 0 skipped$"
[ "$(tail -n 1 "$tmp/out")" = "${#req[@]} passed, 0 failed, 0 skipped" ] && ok "xen: the closing line is 'N passed, N failed, N skipped', last" \
    || no "xen: the last line is '$(tail -n 1 "$tmp/out")'"

xen_log "$tmp/x-skip.log" j-viewer-hello=SKIP
bash $ev "$tmp/x-skip.log" > "$tmp/out" 2>&1; rc=$?
expect "xen: one required step SKIPped -> non-zero, the summary names it" nonzero "$tmp/out" \
    '^FAIL j-viewer-hello: a required step was skipped' 'skipped without being allowed.*j-viewer-hello' ' 1 failed, 0 skipped$' "$closing"

bash $ev --allow-skip j-viewer-hello "$tmp/x-skip.log" > "$tmp/out" 2>&1; rc=$?
expect "xen: that SKIP allowed by --allow-skip -> 0, the summary says so" 0 "$tmp/out" \
    '^skipped as allowed \(--allow-skip\): j-viewer-hello$' ' 0 failed, 1 skipped$'

xen_log "$tmp/x-skip2.log" j-viewer-hello=SKIP j-viewer-frames=SKIP
bash $ev --allow-skip 'j-viewer-*' "$tmp/x-skip2.log" > "$tmp/out" 2>&1; rc=$?
expect "xen: --allow-skip takes a pattern" 0 "$tmp/out" 'skipped as allowed.*j-viewer-hello j-viewer-frames' ' 2 skipped$'
POLYDESK_XEN_ALLOW_SKIP=j-viewer-hello bash $ev "$tmp/x-skip2.log" > "$tmp/out" 2>&1; rc=$?
expect "xen: POLYDESK_XEN_ALLOW_SKIP allows only what it names" nonzero "$tmp/out" '^FAIL j-viewer-frames: a required step was skipped'

printf 'POLYDESK-DOM0 READY\r\nrun-in-dom0: starting\r\nPOLYDESK-DOM0 DONE rc=0\r\n' > "$tmp/x-none.log"
bash $ev --allow-skip '*' "$tmp/x-none.log" > "$tmp/out" 2>&1; rc=$?
expect "xen: no results -> non-zero (even with every skip allowed)" nonzero "$tmp/out" '^FAIL run: no results at all' "$closing"

xen_log "$tmp/x-missing.log" d-running=NONE
bash $ev "$tmp/x-missing.log" > "$tmp/out" 2>&1; rc=$?
expect "xen: a required step that never reported -> non-zero" nonzero "$tmp/out" '^FAIL d-running: a required step never reported'

xen_log "$tmp/x-fail.log" g-create-times=FAIL
bash $ev --allow-skip '*' "$tmp/x-fail.log" > "$tmp/out" 2>&1; rc=$?
expect "xen: a FAIL stays a FAIL whatever is allowed" nonzero "$tmp/out" '^FAIL g-create-times: something broke' ' 1 failed'

grep -v 'POLYDESK-DOM0 DONE' "$tmp/x-all.log" > "$tmp/x-nodone.log"
bash $ev "$tmp/x-nodone.log" > "$tmp/out" 2>&1; rc=$?
expect "xen: dom0 never said DONE -> non-zero" nonzero "$tmp/out" '^FAIL run: dom0 never finished'
printf 'POLYDESK-DOM0 ERROR: xenstored does not answer\r\n' > "$tmp/x-err.log"
bash $ev "$tmp/x-err.log" > "$tmp/out" 2>&1; rc=$?
expect "xen: dom0-init's ERROR -> non-zero" nonzero "$tmp/out" '^FAIL run: dom0 setup: POLYDESK-DOM0 ERROR: xenstored'
bash $ev --fail "timeout after 1800 s" "$tmp/x-all.log" > "$tmp/out" 2>&1; rc=$?
expect "xen: the runner's --fail (a timeout) -> non-zero" nonzero "$tmp/out" '^FAIL run: timeout after 1800 s'

# --- Wi-Fi system test: its steps name every required step; its runner's verdict is the Xen one's ----
mapfile -t wreq < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' tests/wifi/required-steps | grep -v '^$')
unnamed=()
for s in "${wreq[@]}"; do grep -qwF -- "$s" tests/wifi/wifi-steps.sh || unnamed+=("$s"); done
[ ${#wreq[@]} -ge 6 ] && [ ${#unnamed[@]} -eq 0 ] && ok "wifi: tests/wifi/wifi-steps.sh reports each of the ${#wreq[@]} required steps" \
    || no "wifi: required steps (${#wreq[@]}) that wifi-steps.sh does not name: ${unnamed[*]}"
{ printf 'POLYDESK-DOM0 READY\r\n'; for s in "${wreq[@]}"; do printf 'PASS %s (1.0 s)\r\n' "$s"; done
  printf 'POLYDESK-DOM0 DONE rc=0\r\n'; } > "$tmp/w-all.log"
POLYDESK_XEN_REQUIRED=tests/wifi/required-steps bash $ev "$tmp/w-all.log" > "$tmp/out" 2>&1; rc=$?
expect "wifi: all its required steps pass -> 0 (evaluate-results.sh with tests/wifi/required-steps)" 0 "$tmp/out" \
    "^${#wreq[@]} passed, 0 failed, 0 skipped$"
grep -v '^PASS w-join' "$tmp/w-all.log" > "$tmp/w-nojoin.log"
POLYDESK_XEN_REQUIRED=tests/wifi/required-steps bash $ev "$tmp/w-nojoin.log" > "$tmp/out" 2>&1; rc=$?
expect "wifi: w-join never reported -> non-zero" nonzero "$tmp/out" '^FAIL w-join: a required step never reported'

# --- the steps' wait helper, under dash as in dom0 ---------------------------------------------
if command -v dash > /dev/null; then sh=dash; else sh=sh; fi
P=$tmp/payload OUT=$tmp/payload/out $sh -c '
    . tests/xen/steps/lib.sh
    t=$(now); wait_for 1 "something that never comes" false; rc=$?
    echo "never: rc=$rc after $(since "$t") s"
    ( sleep 0.6; : > "$OUT/flag" ) & mkdir -p "$OUT"
    t=$(now); wait_for 10 "the flag" test -f "$OUT/flag"; rc=$?
    echo "comes: rc=$rc after $(since "$t") s"
    pass x-one 0.1; skip x-two "why"; fail x-three "why"
    echo "counts $passed $skipped $failed"
    skip_all "all of them" x-a x-b
    verdict x-ok "$(now)" ""; verdict x-bad "$(now)" " one; two;"
' > "$tmp/out" 2>&1
if grep -qE '^never: rc=1 after (1|1\.[0-9]|2\.[0-4]) s$' "$tmp/out" && grep -q 'deadline of 1 s passed' "$tmp/out"; then
    ok "wait_for: a condition that never comes ends at its deadline, saying so"
else no "wait_for: deadline" "$tmp/out"; fi
if grep -qE '^comes: rc=0 after (0\.[5-9]|1\.[0-9]|2\.[0-9]) s$' "$tmp/out"; then
    ok "wait_for: a condition that comes true ends the wait (not the deadline)"
else no "wait_for: condition" "$tmp/out"; fi
if grep -q '^PASS x-one (0.1 s)$' "$tmp/out" && grep -q '^SKIP x-two: why$' "$tmp/out" && grep -q '^FAIL x-three: why$' "$tmp/out" \
        && grep -q '^counts 1 1 1$' "$tmp/out" && grep -q '^SKIP x-b: all of them$' "$tmp/out" \
        && grep -qE '^PASS x-ok \(0\.[0-9] s\)$' "$tmp/out" && grep -q '^FAIL x-bad: one; two$' "$tmp/out"; then
    ok "steps/lib.sh: pass, skip, fail, skip_all, verdict print what evaluate-results.sh reads"
else no "steps/lib.sh result helpers" "$tmp/out"; fi
printf '7f0000000000-7f0000901000 rw-s 00000000 00:05 12 /dev/xen/gntdev\n7f1000000000-7f1000001000 r--p 0 08:01 1 /usr/lib/libc.so\n' > "$tmp/maps"
mkdir -p "$tmp/proc/4242"; cp "$tmp/maps" "$tmp/proc/4242/maps"
# gntdev_pages reads /proc/PID/maps: run its awk on the canned maps instead
m=$(sed -n '/^gntdev_pages()/,/^}/p' tests/xen/steps/lib.sh | sed "s#/proc/\$1/maps#$tmp/proc/\$1/maps#" > "$tmp/g.sh"; $sh -c ". $tmp/g.sh; gntdev_pages 4242")
[ "$m" = 2305 ] && ok "gntdev_pages: sums a process's /dev/xen/gntdev mappings from its maps (2305 pages)" || no "gntdev_pages gave '$m', want 2305"

# --- ISO boot test: boot-test-lib.sh ----------------------------------------------------------
# shellcheck source=iso/boot-test-lib.sh
. iso/boot-test-lib.sh
mapfile -t checks < <(required_checks)
[ ${#checks[@]} -ge 10 ] && ok "iso/required-checks lists ${#checks[@]} checks" || no "iso/required-checks lists only ${#checks[@]}"
# A serial log as QEMU logs it: systemd's prefix on the boot report's lines, CRLF.
boot_log() { # FILE MODE [CHECK-TO-LEAVE-OUT] [CHECK-TO-FAIL]
    local c
    {
        printf '(XEN) Xen version 4.17.5 (Debian)\r\n[   12.300000] polydesk-boot-report[812]: POLYDESK-BOOT START mode=%s\r\n' "$2"
        for c in "${checks[@]}"; do
            [ "$c" = "${3:-}" ] && continue
            if [ "$c" = "${4:-}" ]; then printf '[   20.100000] polydesk-boot-report[812]: POLYDESK-CHECK %s fail it broke\r\n' "$c"
            else printf '[   20.100000] polydesk-boot-report[812]: POLYDESK-CHECK %s ok all %s\r\n' "$c" "$c"; fi
        done
        printf '[   21.000000] polydesk-boot-report[812]: POLYDESK-BOOT DONE mode=%s\r\n' "$2"
    } > "$1"
}
boot_log "$tmp/b-all.log" live
boot_report_results bios-live live "$tmp/b-all.log" > "$tmp/out" 2>&1; rc=$?
if [ "$(grep -c '^PASS ' "$tmp/out")" -eq $(( ${#checks[@]} + 1 )) ] && ! grep -q '^FAIL' "$tmp/out" \
        && grep -q '^PASS bios-live/polydesk-display all polydesk-display$' "$tmp/out"; then
    ok "iso: a full boot report -> a PASS per required check and boot-mode"
else no "iso: full boot report" "$tmp/out"; fi
boot_log "$tmp/b-missing.log" live polydesk-ui
boot_report_results bios-live live "$tmp/b-missing.log" > "$tmp/out" 2>&1
grep -q '^FAIL bios-live/polydesk-ui the boot report has no POLYDESK-CHECK polydesk-ui' "$tmp/out" \
    && ok "iso: a boot report without a required POLYDESK-CHECK -> FAIL naming it" || no "iso: missing check" "$tmp/out"
boot_log "$tmp/b-fail.log" live "" polydeskd
boot_report_results uefi-live live "$tmp/b-fail.log" > "$tmp/out" 2>&1
grep -q '^FAIL uefi-live/polydeskd fail it broke' "$tmp/out" && ok "iso: a check that says fail -> FAIL" || no "iso: failed check" "$tmp/out"
boot_report_results bios-disk installed "$tmp/b-all.log" > "$tmp/out" 2>&1
grep -q '^FAIL bios-disk/boot-mode expected mode=installed' "$tmp/out" && ok "iso: the wrong boot mode -> FAIL" || no "iso: boot mode" "$tmp/out"

# The screen checker: fakes that raise, exit 2, say fail, say ok; and the real one.
printf 'P6\n4 4\n255\n' > "$tmp/tiny.ppm"; head -c 48 /dev/zero >> "$tmp/tiny.ppm"
printf 'raise RuntimeError("the checker broke")\n' > "$tmp/raises.py"
printf 'import sys\nprint("ok indicator 4x4: fine")\nsys.exit(2)\n' > "$tmp/exit2.py"
printf 'import sys\nprint("fail indicator 4x4: not the UI")\nsys.exit(1)\n' > "$tmp/says-fail.py"
printf 'import sys\nprint("ok indicator 4x4: fine")\nprint("ok ui-light 4x4: fine")\n' > "$tmp/says-ok.py"
printf '' > "$tmp/silent.py"
for c in raises:2 exit2:2 says-fail:1 says-ok:0 silent:2; do
    SCREEN_CHECKER=$tmp/${c%%:*}.py screen_verdict "$tmp/tiny.ppm" > "$tmp/out" 2>&1; rc=$?
    [ "$rc" = "${c#*:}" ] && ok "iso: screen_verdict with a checker that ${c%%:*} -> ${c#*:} ($(case ${c#*:} in 0) echo PASS;; 1) echo not the UI, FAIL;; 2) echo broken, FAIL;; esac))" \
        || no "iso: screen_verdict with ${c%%:*}: status $rc, want ${c#*:}" "$tmp/out"
done
# boot-test.sh's screendump() makes status 0 the only PASS: read it there.
if sed -n '/^screendump()/,/^}/p' iso/boot-test.sh | grep -qE '^ *0\) result PASS' \
        && sed -n '/^screendump()/,/^}/p' iso/boot-test.sh | grep -qE '^ *2\) result FAIL .*checker broke'; then
    ok "iso: boot-test.sh's screendump PASSes only on screen_verdict 0, a broken checker is a FAIL"
else no "iso: boot-test.sh screendump does not map screen_verdict as expected"; fi
printf 'P6\n64 48\n255\n' > "$tmp/black.ppm"; head -c $((64 * 48 * 3)) /dev/zero >> "$tmp/black.ppm"
SCREEN_CHECKER=iso/screen-check.py screen_verdict "$tmp/black.ppm" > "$tmp/out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q '^fail indicator' "$tmp/out" && ok "iso: the real screen-check.py on a black screen -> not the UI (1)" || no "iso: real checker on black: $rc" "$tmp/out"
printf 'P3\n1 1\n255\n0 0 0\n' > "$tmp/ascii.ppm"
SCREEN_CHECKER=iso/screen-check.py screen_verdict "$tmp/ascii.ppm" > "$tmp/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q 'Traceback' "$tmp/out" && ok "iso: the real screen-check.py raising on a non-P6 file -> broken (2)" || no "iso: real checker on P3: $rc" "$tmp/out"
python3 - "$tmp/ui.ppm" <<'PY'
import sys
w, h, b = 320, 200, 4
frame, light, side = (0x4A, 0x6F, 0xA5), (0xF4, 0xF4, 0xF4), (0x2B, 0x33, 0x40)
px = bytearray()
for y in range(h):
    for x in range(w):
        if x < b or y < b or x >= w - b or y >= h - b: c = frame
        elif x < b + w * 10 // 100: c = side
        else: c = light
        px += bytes(c)
open(sys.argv[1], 'wb').write(b'P6\n%d %d\n255\n' % (w, h) + px)
PY
SCREEN_CHECKER=iso/screen-check.py screen_verdict "$tmp/ui.ppm" > "$tmp/out" 2>&1; rc=$?
[ $rc = 0 ] && ok "iso: the real screen-check.py on a made-up UI screen -> 0" || no "iso: real checker on a UI screen: $rc" "$tmp/out"

# The verdict on keyed results, against the phases' required steps.
required_steps bios-live > "$tmp/req"
n_req=$(wc -l < "$tmp/req")
[ "$n_req" -eq $(( ${#checks[@]} + 7 )) ] && ok "iso: bios-live requires $n_req steps (boot, every check, boot-mode, screen, console-login, guest-lease)" || no "iso: bios-live requires $n_req" "$tmp/req"
required_steps bios-live,install,bios-disk,uefi-live,uefi-disk > "$tmp/req-all"
grep -qx 'install/polyctl-install' "$tmp/req-all" && grep -qx 'uefi-disk/admin-sudo' "$tmp/req-all" && grep -qx 'uefi-live/polydesk-group' "$tmp/req-all" \
    && ok "iso: every phase has its required steps ($(wc -l < "$tmp/req-all") in all)" || no "iso: required steps of all phases" "$tmp/req-all"
sed 's/^/PASS /; s/$/ 12 s: fine/' "$tmp/req" > "$tmp/r-all"
evaluate_boot_test "$tmp/r-all" bios-live "" > "$tmp/out" 2>&1; rc=$?
expect "iso: every required step passes -> 0" 0 "$tmp/out" "^$n_req passed, 0 failed, 0 skipped$"
grep -v 'screen-shows-ui' "$tmp/r-all" > "$tmp/r-noscreen"
evaluate_boot_test "$tmp/r-noscreen" bios-live "" > "$tmp/out" 2>&1; rc=$?
expect "iso: a required step missing -> non-zero" nonzero "$tmp/out" '^FAIL bios-live/screen-shows-ui: a required step never reported'
evaluate_boot_test "$tmp/r-noscreen" bios-live '*/screen-shows-ui' > "$tmp/out" 2>&1; rc=$?
expect "iso: that step allowed by --allow-skip -> 0, the summary says so" 0 "$tmp/out" 'skipped as allowed.*bios-live/screen-shows-ui' ' 0 failed, 1 skipped$'
: > "$tmp/r-none"
evaluate_boot_test "$tmp/r-none" bios-live '*' > "$tmp/out" 2>&1; rc=$?
expect "iso: no results -> non-zero" nonzero "$tmp/out" '^FAIL run: no results at all'
sed 's#^PASS bios-live/screen-shows-ui .*#FAIL bios-live/screen-shows-ui 30 s: the screen checker broke: RuntimeError#' "$tmp/r-all" > "$tmp/r-broke"
evaluate_boot_test "$tmp/r-broke" bios-live "" > "$tmp/out" 2>&1; rc=$?
expect "iso: a broken screen checker's FAIL -> non-zero" nonzero "$tmp/out" 'checker broke' ' 1 failed'

# --- the image's initrd-early-files: the boot report's microcode check reads the initrd's front only ---
early=distro/config/includes.chroot/usr/lib/polydesk/initrd-early-files
mkdir -p "$tmp/rd/amd/kernel/x86/microcode" "$tmp/rd/intel/kernel/x86/microcode" "$tmp/rd/main/usr/lib/firmware"
echo amd > "$tmp/rd/amd/kernel/x86/microcode/AuthenticAMD.bin"
echo intel > "$tmp/rd/intel/kernel/x86/microcode/GenuineIntel.bin"
mkdir -p "$tmp/rd/main/kernel/x86/microcode" && echo decoy > "$tmp/rd/main/kernel/x86/microcode/Decoy.bin"
head -c 3000000 /dev/urandom > "$tmp/rd/main/usr/lib/firmware/blob"
newc() { (cd "$1" && find . | LC_ALL=C sort | cpio --quiet -o -H newc); }
# As mkinitramfs writes it: each vendor's uncompressed archive (cpio pads each to 512 bytes), a
# block of zeros, then the compressed main archive.
{ newc "$tmp/rd/amd"; newc "$tmp/rd/intel"; head -c 512 /dev/zero; newc "$tmp/rd/main" | gzip -1; } > "$tmp/initrd"
$sh "$early" "$tmp/initrd" > "$tmp/out" 2>&1; rc=$?
expect "initrd-early-files: both vendors' uncompressed early archives listed" 0 "$tmp/out" \
    '^kernel/x86/microcode/AuthenticAMD\.bin$' '^kernel/x86/microcode/GenuineIntel\.bin$'
grep -q 'Decoy\|firmware' "$tmp/out" && no "initrd-early-files listed the compressed archive's files" "$tmp/out" \
    || ok "initrd-early-files: the compressed archive is not listed (a decoy microcode file in it)"
newc "$tmp/rd/main" | gzip -1 > "$tmp/initrd-plain"
$sh "$early" "$tmp/initrd-plain" > "$tmp/out" 2>&1; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/out" ] && ok "initrd-early-files: an initrd with no early archive -> nothing listed" \
    || no "initrd-early-files on an initrd with no early archive: exit $rc" "$tmp/out"
$sh "$early" "$tmp/no-such-initrd" > "$tmp/out" 2>&1; rc=$?
expect "initrd-early-files: no such file -> a clear error" nonzero "$tmp/out" 'cannot read .*no-such-initrd'

# --- the control UI's launcher: the display server's screen file sets Xvnc's size and the UI's scale ---
# A stand-in for the UI prints what it was started with: the X screen's size and the JavaFX options.
cat > "$tmp/ui-stub" <<'STUB'
#!/bin/bash
xdpyinfo | grep -o 'dimensions: *[0-9]*x[0-9]*'
echo "java options: ${POLYDESK_UI_JAVA_OPTS:-none}"
STUB
chmod +x "$tmp/ui-stub"
ui_display=:$((90 + $$ % 9))
echo "1600x900 2" > "$tmp/screen"
POLYDESK_UI="$tmp/ui-stub" POLYDESK_KEYBOARD_FILE=/nonexistent timeout 60 bash ui-vm/polydesk-ui-xvnc.sh \
    --vnc-socket "$tmp/ui-vnc.sock" --display "$ui_display" --screen-file "$tmp/screen" --wait-screen 1 > "$tmp/out" 2>&1; rc=$?
expect "ui: the screen file gives Xvnc 1600x900 and the UI scale 2" 0 "$tmp/out" 'dimensions: *1600x900' 'glass.gtk.uiScale=2 '
# The scale changes while the UI runs: the launcher ends (systemd starts it again at the new one).
printf '#!/bin/bash\necho "java options: ${POLYDESK_UI_JAVA_OPTS:-none}"\nexec sleep 50\n' > "$tmp/ui-stays"
chmod +x "$tmp/ui-stays"
echo "1600x900 2" > "$tmp/screen"
( sleep 4; echo "1600x900 1" > "$tmp/screen" ) &
changer=$!
POLYDESK_UI="$tmp/ui-stays" POLYDESK_KEYBOARD_FILE=/nonexistent timeout 40 bash ui-vm/polydesk-ui-xvnc.sh \
    --vnc-socket "$tmp/ui-vnc.sock" --display "$ui_display" --screen-file "$tmp/screen" --wait-screen 1 > "$tmp/out" 2>&1; rc=$?
wait $changer
expect "ui: the screen's scale changes from 2 to 1 -> the launcher ends, saying so" 0 "$tmp/out" 'glass.gtk.uiScale=2 ' \
    'the screen.s scale is now 1 \(was 2\); the UI starts again at it'
echo "4096x2160 3" > "$tmp/screen-bad"
POLYDESK_UI="$tmp/ui-stub" POLYDESK_KEYBOARD_FILE=/nonexistent timeout 60 bash ui-vm/polydesk-ui-xvnc.sh \
    --vnc-socket "$tmp/ui-vnc.sock" --display "$ui_display" --geometry 1024x768 --screen-file "$tmp/screen-bad" \
    --wait-screen 1 > "$tmp/out" 2>&1; rc=$?
expect "ui: a screen file with a scale not offered -> said, 1x, the geometry given" 0 "$tmp/out" 'no screen in .*screen-bad' \
    'dimensions: *1024x768' 'java options: none'

# --- dom0's shared class archive (toolstack's class-archive): learnt, made, mapped by two JVMs ----
ca=$repo/toolstack/src/deb/libexec/class-archive
if command -v javac > /dev/null; then
    w=$tmp/class-archive
    mkdir -p "$w/src/lib" "$w/src/a" "$w/src/b" "$w/a/lib" "$w/b/lib" "$w/classes"
    echo 'package lib; public class Greeter { public static String hello(String n) { return "hello " + n; } }' > "$w/src/lib/Greeter.java"
    echo 'package lib; public class OnlyA { public static String tag() { return "!"; } }' > "$w/src/lib/OnlyA.java"
    for s in a b; do
        extra=; [ $s = a ] && extra=' + lib.OnlyA.tag()'
        echo "package $s; public class Main { public static void main(String[] x) { System.out.println(lib.Greeter.hello(\"$s\")$extra); } }" > "$w/src/$s/Main.java"
    done
    javac -d "$w/classes" "$w"/src/*/*.java
    (cd "$w/classes" && jar cf "$w/a/lib/common.jar" lib/Greeter.class && jar cf "$w/a/lib/only-a.jar" lib/OnlyA.class \
        && cp -p "$w/a/lib/common.jar" "$w/b/lib/" && printf 'Class-Path: lib/common.jar lib/only-a.jar\n' > m \
        && jar cfem "$w/a/a.jar" a.Main m a/Main.class && printf 'Class-Path: lib/common.jar\n' > m && jar cfem "$w/b/b.jar" b.Main m b/Main.class)
    export POLYDESK_CLASS_ARCHIVE_DIR=$w/cache
    lists_mode=1777; getent group polydesk > /dev/null && lists_mode=1770 # (the appliance's: group polydesk only)
    run_as() { # NAME JAR MAIN: as a launcher runs it, with class loading logged
        # shellcheck disable=SC2046
        java -XX:+UseSerialGC -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -Xlog:class+load=info:file="$w/$1.load" \
            $("$ca" args "$1" "$2" "$3")
    }
    sh "$ca" make "$w/a/a.jar" "$w/b/b.jar" > "$w/out" 2>&1; rc=$?
    { echo "args: $(sh "$ca" args a "$w/a/a.jar" a.Main)"; stat -c 'lists %a' "$w/cache/lists"; } >> "$w/out"
    expect "class-archive: no archive yet: the JVMs are told to record their classes" 0 "$w/out" \
        'the services record the classes they load' "^args: -XX:DumpLoadedClassList=$w/cache/lists/a.classlist -jar $w/a/a.jar$" "^lists $lists_mode$"
    { run_as a "$w/a/a.jar" a.Main && run_as b "$w/b/b.jar" b.Main; } > "$w/out" 2>&1; rc=$?
    printf 'lib/Unfinish' >> "$w/cache/lists/b.classlist" # a JVM killed mid-line
    echo 'some/Custom id: 9 super: 0 source: /elsewhere.jar' >> "$w/cache/lists/a.classlist"
    lf='@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.DirectMethodHandle$Holder invokeStatic L9_L' # a's alone
    grep -vxF "$lf" "$w/cache/lists/b.classlist" > "$w/b.list" && cat "$w/b.list" > "$w/cache/lists/b.classlist"
    echo "$lf" >> "$w/cache/lists/a.classlist"
    expect "class-archive: the JVMs run while recording" 0 "$w/out" '^hello a!$' '^hello b$'
    sh "$ca" make "$w/a/a.jar" "$w/b/b.jar" > "$w/out" 2>&1; rc=$?
    { echo "classpath: $(cat "$w/cache/archive/classpath")"; [ -d "$w/cache/lists" ] && echo "lists left"
      grep -c -e '^lib/Unfinish' -e 'source:' -e '^a/Main$' -e '^b/Main$' "$w/cache/archive/classes"; grep -x 'lib/Greeter' "$w/cache/archive/classes"
      echo "forms of one JVM: $(grep -cxF "$lf" "$w/cache/archive/classes")"
      echo "args: $(sh "$ca" args b "$w/b/b.jar" b.Main)"; } >> "$w/out"
    expect "class-archive: made from the classes both lists name (and the method-handle forms either names), on the jars both libs hold alike" 0 "$w/out" \
        "dom0.jsa \([0-9]+ KiB, [0-9]+ lines of 2 services' classes" "^classpath: $w/cache/archive/lib/common.jar$" '^0$' '^lib/Greeter$' \
        '^forms of one JVM: 1$' \
        "^args: -XX:SharedArchiveFile=$w/cache/archive/dom0.jsa .* -cp $w/cache/archive/lib/common.jar:$w/b/b.jar b.Main$"
    grep -q 'lists left' "$w/out" && no "class-archive: the used lists are removed" "$w/out"
    cp -p "$w/cache/archive/classpath" "$w/classpath" && : > "$w/cache/archive/classpath" && touch -r "$w/classpath" "$w/cache/archive/classpath"
    echo "args: $(sh "$ca" args b "$w/b/b.jar" b.Main)" > "$w/out"; rc=0; cp -p "$w/classpath" "$w/cache/archive/classpath"
    expect "class-archive: no library alike in all: the class path is the jar alone (no empty entry, the working directory)" 0 "$w/out" \
        " -cp $w/b/b.jar b.Main$"
    { run_as a "$w/a/a.jar" a.Main && run_as b "$w/b/b.jar" b.Main; } > "$w/out" 2>&1; rc=$?
    grep -h 'lib.Greeter\|lib.OnlyA' "$w/a.load" "$w/b.load" >> "$w/out"
    expect "class-archive: both JVMs take the shared library class from the archive, the one lib only one holds from its jar" 0 "$w/out" \
        '^hello a!$' '^hello b$' 'lib.Greeter source: shared objects file' 'lib.OnlyA source: .*only-a.jar'
    [ "$(grep -c 'lib.Greeter source: shared objects file' "$w/out")" -eq 2 ] || no "class-archive: lib.Greeter shared in both" "$w/out"
    cp -p "$w/b/b.jar" "$w/b.jar.kept" && cp -p "$w/b.jar.kept" "$w/b/b.jar" # a package built before the archive, installed after
    { echo "args: $(sh "$ca" args b "$w/b/b.jar" b.Main)"; sh "$ca" current "$w/cache/archive/dom0.jsa" "$w/a/a.jar" && echo "a current"
      sh "$ca" current "$w/cache/archive/dom0.jsa" "$w/b/b.jar" || echo "b not current"; } > "$w/out" 2>&1; rc=0
    expect "class-archive: a jar that came after the archive, though built before it, runs without it" 0 "$w/out" \
        "^args: -jar $w/b/b.jar$" '^a current$' '^b not current$'
    sleep 1; touch "$w/b/b.jar" # an update of one service (a second later: dash compares whole seconds)
    echo "before: $(sh "$ca" args b "$w/b/b.jar" b.Main)" > "$w/out"; rc=0
    sh "$ca" make "$w/a/a.jar" "$w/b/b.jar" >> "$w/out" 2>&1 || rc=$?
    [ -e "$w/cache/archive" ] && echo "stale archive kept" >> "$w/out"
    echo "after: $(sh "$ca" args b "$w/b/b.jar" b.Main)" >> "$w/out"
    expect "class-archive: a jar newer than the archive runs without it, and at the next boot the archive is learnt again" 0 "$w/out" \
        "^before: -jar $w/b/b.jar$" 'the services record the classes they load' "^after: -XX:DumpLoadedClassList=$w/cache/lists/b.classlist -jar $w/b/b.jar$"
    grep -q 'stale archive kept' "$w/out" && no "class-archive: a stale archive is removed" "$w/out"
    unset POLYDESK_CLASS_ARCHIVE_DIR
else
    echo "NOTE javac is not installed: class-archive not tested"
fi

# --- polyctl's archive (toolstack's polyctl-cds): made through polyctl's launcher, mapped by it ----
toolstack_jar=$(ls "$repo"/toolstack/target/toolstack-*.jar 2> /dev/null | grep -v -e tests -e sources | head -n 1)
if [ -n "$toolstack_jar" ] && [ "$(id -u)" = 0 ] && command -v unshare > /dev/null; then
    w=$tmp/polyctl-cds
    mkdir -p "$w/state" "$w/run"
    # a real polydeskd to call (QEMU backend, no VM), in a network namespace of its own
    POLYDESK_CLASS_ARCHIVE=/nonexistent POLYDESK_JAR=$toolstack_jar unshare -n "$repo/toolstack/src/deb/bin/polydeskd" \
        --state-dir "$w/state" --run-dir "$w/run" --no-autostart > "$w/polydeskd.log" 2>&1 &
    daemon=$!
    polyctl_env() { POLYDESK_JAR=$toolstack_jar POLYDESK_POLYCTL=$repo/toolstack/src/deb/bin/polyctl POLYDESK_POLYCTL_CDS=$w/polyctl.jsa "$@"; }
    polyctl_env sh "$repo/toolstack/src/deb/libexec/polyctl-cds" "$w/run/polydeskd.sock" > "$w/out" 2>&1; rc=$?
    polyctl_env env JDK_JAVA_OPTIONS="-Xlog:class+load=info:file=$w/load" "$repo/toolstack/src/deb/bin/polyctl" \
        --socket "$w/run/polydeskd.sock" vm list >> "$w/out" 2>&1 || echo "polyctl failed" >> "$w/out"
    grep -h 'org.polydesk.toolstack.cli.Polyctl source' "$w/load" >> "$w/out" 2>&1
    expect "polyctl-cds: the archive is made through polyctl's launcher, and polyctl maps it" 0 "$w/out" \
        "^polyctl-cds: $w/polyctl.jsa \([0-9]+ KiB, [0-9]+ classes\)$" 'org.polydesk.toolstack.cli.Polyctl source: shared objects file'
    grep -q 'polyctl failed' "$w/out" && no "polyctl-cds: polyctl vm list answers with the archive" "$w/out"
    polyctl_env env POLYDESK_POLYCTL=/bin/false sh "$repo/toolstack/src/deb/libexec/polyctl-cds" "$w/run/polydeskd.sock" > "$w/out" 2>&1; rc=$?
    expect "polyctl-cds: an archive newer than the jar is kept as it is" 0 "$w/out"
    [ -s "$w/out" ] && no "polyctl-cds: a fresh archive: nothing said, nothing made" "$w/out"
    kill "$daemon" 2> /dev/null; wait "$daemon" 2> /dev/null
else
    echo "NOTE toolstack's jar is not built (mvn package) or not root (a network namespace): polyctl-cds not tested"
fi

echo "script tests: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
