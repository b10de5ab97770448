# shellcheck shell=sh
# Step i (sourced by run-in-dom0.sh, after the polydeskd steps): the viewer's frame region as
# Xen grants, gntalloc in a guest, gntdev in dom0.
# A PV guest boots dom0's own kernel and initramfs with dom0's root disk (the outer QEMU's third
# drive, /dev/vdc: the cached image once more, as a snapshot) as its read-only root and the
# viewer's disk (/payload/viewer/guest.img: our switcher-viewer and viewer-guest-init) as xvdb.
# The channel is a Xen PV channel: /dev/hvc1 in the guest, QEMU's UNIX socket here. xl 4.17
# gives its first channel devid 0, which libxl refuses ("Primary console has invalid
# configuration") and skips: so a stand-in comes first and ours is the second, console 1.
V=$P/viewer
isteps="i-viewer-guest-created i-viewer-limit-explained i-viewer-grants-mapped i-viewer-frames-match"
if [ ! -f "$V/guest.img" ] || [ ! -f "$V/dom0/ViewerGrantsDom0.class" ]; then
    skip_all "no viewer payload (mvn package of switcher-viewer and display-server)" $isteps
elif [ ! -b /dev/vdc ]; then
    skip_all "no /dev/vdc (the guest's root disk)" $isteps
else
    kernel=$(ls /boot/vmlinuz-* | sort -V | tail -n1)
    cat > /tmp/viewer-guest.cfg <<EOC
name = "viewer-guest"
type = "pv"
kernel = "$kernel"
ramdisk = "/boot/initrd.img-${kernel#/boot/vmlinuz-}"
cmdline = 'root=/dev/xvda ro console=hvc0 quiet init=/bin/sh -- -c "mount -t ext4 -o ro /dev/xvdb /mnt && exec sh /mnt/viewer-guest-init"'
memory = 1024
vcpus = 2
disk = [ "format=raw,vdev=xvda,access=ro,target=/dev/vdc", "format=raw,vdev=xvdb,access=ro,target=$V/guest.img" ]
channel = [ "connection=pty,name=org.polydesk.xl-devid-0", "connection=socket,path=/run/viewer-guest.sock,name=org.polydesk.viewer" ]
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
EOC
    glog=/var/log/xen/console/guest-viewer-guest.log
    t=$(now)
    if ! timeout 120 xl create /tmp/viewer-guest.cfg > "$OUT/viewer-guest-create.txt" 2>&1; then
        fail i-viewer-guest-created "xl create of the viewer guest failed"
        indent "$OUT/viewer-guest-create.txt"
        skip_all "the viewer guest was not created" i-viewer-limit-explained i-viewer-grants-mapped i-viewer-frames-match
    else
        domid=$(xl domid viewer-guest)
        pass i-viewer-guest-created "$(since "$t")"
        info "viewer guest is domain $domid"
        java -cp "$V/dom0:$V/display-server/display-server.jar:$V/display-server/lib/*" ViewerGrantsDom0 \
            /run/viewer-guest.sock "$domid" 1024 768 3 > "$OUT/viewer-dom0.txt" 2>&1 &
        dom0_pid=$!
        # Mapped: dom0's side has the guest's 2305 pages (1024x768, three buffers, and the
        # header page) mapped from gntdev, as its /proc/PID/maps shows; the most it mapped is
        # kept (it unmaps when it closes). The wait ends when it is, or dom0's side or the guest is done.
        # the guest is done, gone, or stuck in its initramfs's shell (no root disk)
        guest_finished() { has_line "$glog" 'VIEWER-GUEST DONE|\(initramfs\)' || ! in_xl_list viewer-guest; }
        mapped_max=0
        mapped_or_gone() {
            _n=$(gntdev_pages "$dom0_pid")
            [ "$_n" -gt "$mapped_max" ] && mapped_max=$_n
            [ "$mapped_max" -ge 2305 ] || ! alive "$dom0_pid" || guest_finished
        }
        wait_for 900 "dom0's side to map the guest's 2305 granted pages" mapped_or_gone
        wait_every 1 900 "the viewer guest to finish" guest_finished
        info "guest finished after $(since "$t") s"
        tr -d '\r' < "$glog" > "$OUT/viewer-guest.log" 2>/dev/null
        if grep -q '^VIEWER-GUEST refused rc=1' "$OUT/viewer-guest.log" \
                && grep -q 'gntalloc refused to grant dom0 2305 pages.*at most 1024 pages.*/etc/modprobe.d/polydesk-viewer.conf' \
                    "$OUT/viewer-guest.log"; then
            pass i-viewer-limit-explained "$(since "$t")"
        else
            fail i-viewer-limit-explained "the viewer did not refuse with gntalloc's default limit, saying what to do"
        fi
        grep -E '^VIEWER-GUEST (\||gntalloc limit|refused)' "$OUT/viewer-guest.log" | sed 's/^/  /'
        # dom0's side ends by itself once its frames are written (it gives up after 15 minutes)
        wait_every 1 60 "dom0's side to finish" not alive "$dom0_pid"
        kill "$dom0_pid" 2>/dev/null
        if [ "$mapped_max" -ge 2305 ]; then
            pass i-viewer-grants-mapped "$(since "$t")"
            info "dom0's side had $mapped_max pages of /dev/xen/gntdev mapped (its /proc/PID/maps)"
        else
            fail i-viewer-grants-mapped "dom0's side had at most $mapped_max of the guest's 2305 granted pages mapped from gntdev (/proc/$dom0_pid/maps)"
        fi
        grep -E '^(attached|wrote|closed)|says hello|viewer (broke|channel)' "$OUT/viewer-dom0.txt" | sed 's/^/  dom0: /'
        grep -E '^VIEWER-GUEST (probe|frame|DONE)' "$OUT/viewer-guest.log" | sed 's/^/  /'
        # The pages' contents: what dom0 wrote into the mapped pages is what the guest read from
        # its granted ones (CRC-32 of each frame on both ends).
        matched=0
        for k in 1 2 3; do
            wrote=$(sed -n "s/^wrote frame $k crc32 \([0-9a-f]*\)$/\1/p" "$OUT/viewer-dom0.txt")
            read=$(sed -n "s/^VIEWER-GUEST frame $k buffer [0-3] crc32 \([0-9a-f]*\)$/\1/p" "$OUT/viewer-guest.log")
            [ -n "$wrote" ] && [ "$wrote" = "$read" ] && matched=$((matched + 1))
        done
        if [ $matched -eq 3 ] && grep -q '^VIEWER-GUEST DONE rc=0' "$OUT/viewer-guest.log"; then
            pass i-viewer-frames-match "$(since "$t")"
        else
            fail i-viewer-frames-match "$matched of 3 frames read in the guest with the CRC-32 dom0 wrote"
            indent "$OUT/viewer-guest.log" 30
            indent "$OUT/viewer-dom0.txt" 30
        fi
        in_xl_list viewer-guest && xl destroy viewer-guest > /dev/null 2>&1
    fi
fi
