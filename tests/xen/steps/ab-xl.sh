# shellcheck shell=sh
# Steps a and b (sourced by run-in-dom0.sh after lib.sh): xl alone, before anything of ours.
# Sets xl_create_time (for g).

# --- a. infrastructure: xl talks to Xen and sees dom0 --------------------------------
t=$(now)
if xl info > "$OUT/xl-info.txt" 2>&1 && xl list > "$OUT/xl-list.txt" 2>&1 \
        && grep -q '^Domain-0 ' "$OUT/xl-list.txt"; then
    pass a-xl-info "$(since "$t")"
    grep -E '^(xen_version|xen_caps|virt_caps|total_memory|free_memory|nr_cpus) ' "$OUT/xl-info.txt" | sed 's/^/  /'
else
    fail a-xl-info "xl info / xl list failed or no Domain-0"
    indent "$OUT/xl-info.txt"; indent "$OUT/xl-list.txt"
fi

# --- b. xl baseline: a PVH guest by xl create ----------------------------------------
cat > /tmp/xl-pvh.cfg <<EOC
name = "xl-pvh"
type = "pvh"
kernel = "$G/vmlinuz"
ramdisk = "$G/initrd.img"
cmdline = "console=hvc0 quiet panic=-1 polydesk.colour=C03030"
memory = 256
vcpus = 1
on_reboot = "destroy"
EOC
xl_create_time=
t=$(now)
if timeout 120 xl create /tmp/xl-pvh.cfg > "$OUT/xl-create.txt" 2>&1; then
    xl_create_time=$(since "$t")
    if in_xl_list xl-pvh; then
        pass b-xl-create-pvh "$xl_create_time"
        xl list | sed 's/^/  /'
        xl list -l xl-pvh > "$OUT/xl-config-xl-pvh.json" 2>&1
    else
        fail b-xl-create-pvh "xl create returned 0 in $xl_create_time s but xl-pvh is not in xl list"
    fi
    t=$(now)
    if ! in_xl_list xl-pvh; then
        skip b-xl-destroy "xl-pvh already gone"
    elif timeout 60 xl destroy xl-pvh >> "$OUT/xl-create.txt" 2>&1 && wait_gone xl-pvh "" 10; then
        pass b-xl-destroy "$(since "$t")"
    else
        fail b-xl-destroy "xl destroy failed or xl-pvh still in xl list"
        indent "$OUT/xl-create.txt"
    fi
else
    fail b-xl-create-pvh "xl create failed (rc $?)"
    indent "$OUT/xl-create.txt"
    skip b-xl-destroy "nothing created"
fi
