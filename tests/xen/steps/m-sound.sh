# shellcheck shell=sh
# Steps m (sourced by run-in-dom0.sh after l, when polydeskd is up; issue 22): an HVM guest's sound
# card on Xen, through our device model (package polydesk-device-model, installed by step c), into
# dom0's sound server (the image's sound-server script, with a null sink as dom0's output here).
#   m-sound-server    the sound server answers, polydeskd sees it, and dom0 has our device model
#   m-sound-hvm       tone, an HVM test guest playing 440 Hz (polydesk.tone=440) on its HD Audio card:
#                     its device model's stream, named after the VM and carrying that QEMU's pid, is in
#                     the sound server; polyctl audio show counts it; dom0's output, recorded, is
#                     a 440 Hz tone (by its zero crossings)
#   m-sound-restart   the sound server killed and started again while tone plays: the same device
#                     model process (not restarted) makes its stream anew, and 440 Hz is heard again

sound_run=/run/polydesk-sound
sound_pid=
dm=/usr/lib/polydesk/qemu/qemu-system-x86_64
pactl_() { pactl --server "unix:$sound_run/pulse/native" "$@"; }
sound_answers() { pactl_ info > /dev/null 2>&1; }
server_up_says() { [ "$(pc audio show --json 2>/dev/null | jq -r .serverUp)" = "$1" ]; }
sound_start() {
    # A null sink stands for the PC's speakers; WirePlumber's settings are the image's.
    mkdir -p "$OUT/sound-config/pipewire/pipewire.conf.d"
    cp -r "$P/sound/wireplumber" "$OUT/sound-config/"
    cat > "$OUT/sound-config/pipewire/pipewire.conf.d/50-xen-test.conf" <<'EOF'
context.objects = [
    { factory = adapter args = { factory.name = support.null-audio-sink node.name = polydesk_xen_out
        node.description = "test output" media.class = Audio/Sink audio.position = [ FL FR ] priority.session = 2000 } }
]
EOF
    XDG_CONFIG_HOME=$OUT/sound-config POLYDESK_SOUND_RUN=$sound_run "$P/sound/sound-server" >> "$OUT/sound-server.log" 2>&1 &
    sound_pid=$!
}
# dm_pid DOMAIN: the device model QEMU of that domain (its -xen-domid argument).
dm_pid() {
    for _p in /proc/[0-9]*; do
        if tr '\0' ' ' < "$_p/cmdline" 2>/dev/null | grep -q -- "-xen-domid $1 "; then echo "${_p#/proc/}"; return; fi
    done
}
# stream_of PID: the index of a sink input of that process named tone (the VM's name).
stream_of() {
    pactl_ list sink-inputs 2>/dev/null | awk -v pid="\"$1\"" '
        /^Sink Input #/ { idx = substr($3, 2); name = ""; p = "" }
        $1 == "media.name" { name = $3 }
        $1 == "application.process.id" { p = $3 }
        name == "\"tone\"" && p == pid { print idx; exit }'
}
has_stream() { [ -n "$(stream_of "$1")" ]; }
tone_follow() {
    follow_serial tone "$OUT/tone-serial.log"
    grep -q 'POLYDESK-TONE PLAYING' "$OUT/tone-serial.log" 2>/dev/null
}
# heard_hz FILE: records dom0's output for 3 s into FILE (mono, 48 kHz) and prints the frequency of
# what was loud and in how many 10 ms blocks: the sign changes of the signal (with a hysteresis of
# 1000), counted in the blocks whose peak is over 2000; "0 N" with fewer than 10 such blocks.
heard_hz() {
    timeout 3 parec --server "unix:$sound_run/pulse/native" -d polydesk_xen_out.monitor --raw \
        --format=s16le --rate=48000 --channels=1 > "$1" 2>/dev/null
    od -An -v -t d2 -w2 "$1" | awk '
        { s = $1; i++
          st = s > 1000 ? 1 : (s < -1000 ? -1 : 0)
          if (st != 0) { if (last != 0 && st != last) t++; last = st }
          a = s < 0 ? -s : s; if (a > peak) peak = a
          if (i % 480 == 0) { if (peak > 2000) { blocks++; x += t } t = 0; peak = 0 } }
        END { if (blocks < 10) { print "0", blocks + 0; exit } printf "%d %d\n", x / 2 / (blocks * 0.01), blocks }'
}
# tone_heard FILE: 440 Hz (±10 %) in at least a tenth of a second of loud blocks.
tone_heard() {
    set -- "$1" $(heard_hz "$1")
    info "dom0's output: $2 Hz in $3 loud 10 ms blocks"
    [ "$2" -ge 396 ] && [ "$2" -le 484 ]
}

# --- m-sound-server ------------------------------------------------------------------------------
t=$(now)
why=
[ -x "$dm" ] || why="$why no $dm (polydesk-device-model not installed);"
if [ ! -x "$P/sound/sound-server" ]; then
    why="$why no sound server in the payload;"
else
    sound_start
    wait_for 30 "the sound server" sound_answers || why="$why nothing answers at $sound_run/pulse/native;"
    wait_for 30 "polydeskd to see the sound server" server_up_says true || why="$why polyctl audio show does not say the server is up;"
fi
sound_ok=
[ -z "$why" ] && sound_ok=1
verdict m-sound-server "$t" "$why"
[ -z "$why" ] || { indent "$OUT/sound-server.log"; pc audio show >> "$OUT/m-sound.txt" 2>&1; indent "$OUT/m-sound.txt"; }

# --- m-sound-hvm ---------------------------------------------------------------------------------
t=$(now)
why=
tone_pid=
if [ -z "$sound_ok" ]; then
    skip m-sound-hvm "no sound server or device model (m-sound-server)"
else
    pc audio policy mix >> "$OUT/m-sound.txt" 2>&1   # no input server here, so no VM is in front
    if pc vm create --name tone --type hvm --memory 256 --sound hda --kernel "$G/vmlinuz" --ramdisk "$G/initrd.img" \
            --cmdline "console=ttyS0 quiet panic=-1 polydesk.colour=30C030 polydesk.tone=440" >> "$OUT/m-sound.txt" 2>&1 \
       && pc vm start tone >> "$OUT/m-sound.txt" 2>&1; then
        wait_every 2 600 "tone playing (its serial)" tone_follow || why="$why tone never said POLYDESK-TONE PLAYING;"
        tone_pid=$(dm_pid "$(xl domid tone 2>/dev/null)")
        info "tone: domain $(xl domid tone 2>/dev/null), device model pid ${tone_pid:-none}: $(tr '\0' ' ' < "/proc/$tone_pid/cmdline" 2>/dev/null | cut -c1-60)"
        [ -n "$tone_pid" ] || why="$why no device model process for tone;"
        case "$(readlink "/proc/$tone_pid/exe" 2>/dev/null)" in
            "$dm") ;;
            *) why="$why tone's device model is $(readlink "/proc/$tone_pid/exe" 2>/dev/null), not ours;" ;;
        esac
        if [ -z "$why" ]; then
            wait_for 60 "tone's stream in the sound server" has_stream "$tone_pid" \
                || why="$why no sink input named tone from pid $tone_pid;"
            streams=$(pc audio show --json | jq -r '.vms[] | select(.name == "tone") | .streams')
            [ "${streams:-0}" -ge 1 ] || why="$why polyctl audio show counts ${streams:-no} streams of tone;"
            wait_every 1 90 "440 Hz in dom0's output" tone_heard "$OUT/m-before.raw" || why="$why dom0's output is not 440 Hz;"
        fi
    else
        why="polyctl vm create/start tone failed;"
    fi
    verdict m-sound-hvm "$t" "$why"
    [ -z "$why" ] || { indent "$OUT/m-sound.txt"; indent "$OUT/tone-serial.log" 15; indent "$OUT/polydeskd.log" 15;
        pactl_ list sink-inputs > "$OUT/sink-inputs.txt" 2>&1; indent "$OUT/sink-inputs.txt" 40; }
fi

# --- m-sound-restart -----------------------------------------------------------------------------
t=$(now)
why=
if [ -z "$sound_ok" ] || [ -z "$tone_pid" ] || ! has_stream "$tone_pid"; then
    skip m-sound-restart "tone has no stream (m-sound-hvm)"
else
    before=$(stream_of "$tone_pid")
    kill "$sound_pid"
    wait "$sound_pid" 2>/dev/null
    wait_for 30 "polydeskd to see the sound server gone" server_up_says false || why="$why polyctl audio show still says up;"
    sound_start
    wait_for 30 "the sound server again" sound_answers || why="$why the sound server did not come back;"
    wait_for 60 "tone's stream made anew by the same device model" has_stream "$tone_pid" \
        || why="$why no new sink input from pid $tone_pid (the device model did not reconnect);"
    alive "$tone_pid" || why="$why the device model process $tone_pid is gone;"
    [ "$(state tone)" = running ] || why="$why tone is $(state tone), not running;"
    info "tone's stream: #$before before, #$(stream_of "$tone_pid") after the restart"
    wait_every 1 90 "440 Hz in dom0's output again" tone_heard "$OUT/m-after.raw" || why="$why dom0's output is not 440 Hz after the restart;"
    verdict m-sound-restart "$t" "$why"
    [ -z "$why" ] || { indent "$OUT/sound-server.log"; indent "/var/log/xen/qemu-dm-tone.log" 15; }
fi
stop_serial tone
pc vm destroy tone > /dev/null 2>&1
[ -n "$sound_pid" ] && kill "$sound_pid" 2>/dev/null
