#!/bin/sh
# PID 1 of one patchpilot lab host.
#
# `scripts/lab up` starts this with dash inside the host's network namespace
# and fresh UTS, IPC, mount and PID namespaces:
#
#   host-init.sh NAME DIR FAULT_DIR DISK_SIZE REBOOT_DELAY
#
# It stays outside the host's root (so it can use the machine's mount and ip)
# and runs every host process chrooted into DIR/root, an overlay of the shared
# read-only base over a size-limited tmpfs (DIR/rw). Everything it mounts
# lives in this mount namespace and vanishes when it exits.
#
# Signals (sent by `scripts/lab` from the machine, or by the host's
# /usr/sbin/reboot shim as `kill -USR1 1`):
#   USR1      emulated reboot: kill every other process of the host, clear
#             /run, new boot id, start sshd and boot hooks again after
#             REBOOT_DELAY seconds. The disk (overlay upper) survives.
#   USR2      reconcile: start sshd unless FAULT_DIR/sshd exists (the `sshd`
#             fault keeps it down).
#   TERM/INT  halt: kill everything and exit (the namespaces go with it).
#
# Process spawning is kept low on purpose (a fork costs ~2 ms here and a lab
# starts hundreds of hosts): files are written with shell builtins, mounts
# come from one `mount -a -T DIR/fstab`, the network from one `ip -b`.
set -u
name=$1 dir=$2 faults=$3 disk=$4 reboot_delay=$5
root=$dir/root
rw=$dir/rw
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

log() {
    echo "host-init[$name]: $*"
}

# Record our PID as the machine sees it: /proc is still the machine's here.
record_machine_pid() {
    read -r machine_pid _ < /proc/self/stat
    echo "$machine_pid" > "$dir/pid1"
}

# route_localnet lets 127.100.x.y travel over eth0 (see FACTS.md); the
# batch file also shrinks the local 127/8 route to 127.0/16.
setup_network() {
    echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet
    echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
    echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6
    echo "$name" > /proc/sys/kernel/hostname
    ip -b "$dir/net.batch"
}

new_boot_id() {
    read -r boot_id < /proc/sys/kernel/random/uuid
    echo "$boot_id" > "$rw/boot_id"
}

mount_filesystems() {
    mount -t tmpfs -o "size=$disk,mode=0755" pplab-rw "$rw"
    mkdir "$rw/upper" "$rw/work"
    new_boot_id
    mount -a -T "$dir/fstab"
}

# Copies a text file with builtins only (no cat, no cp: no fork).
copy_text() {
    while IFS= read -r line || [ -n "$line" ]; do
        printf '%s\n' "$line"
    done < "$1" > "$2"
}

# Host identity goes into the overlay's upper layer on first boot only; an
# emulated reboot keeps the disk, like a real one.
write_identity_once() {
    [ -e "$root/etc/ssh/ssh_host_ed25519_key" ] && return 0
    (umask 077 && copy_text "$dir/ssh_host_ed25519_key" \
        "$root/etc/ssh/ssh_host_ed25519_key")
    copy_text "$dir/ssh_host_ed25519_key.pub" \
        "$root/etc/ssh/ssh_host_ed25519_key.pub"
    echo "$name" > "$root/etc/hostname"
    copy_text "$dir/hosts" "$root/etc/hosts"
    read -r uuid < /proc/sys/kernel/random/uuid
    old_ifs=$IFS
    IFS=-
    # shellcheck disable=SC2086 # split the UUID on dashes on purpose
    set -- $uuid
    IFS=$old_ifs
    echo "$1$2$3$4$5" > "$root/etc/machine-id"
}

start_sshd() {
    if [ -e "$faults/sshd" ]; then
        log "sshd kept down by the sshd fault"
        return 0
    fi
    if [ -n "${sshd_pid:-}" ] && kill -0 "$sshd_pid" 2>/dev/null; then
        return 0
    fi
    chroot "$root" /usr/sbin/sshd -D -e &
    sshd_pid=$!
}

# Packages (pp-webd) drop executables into /etc/pp-boot.d to be started at
# boot, since there is no init system in a lab host.
run_boot_hooks() {
    for hook in "$root"/etc/pp-boot.d/*; do
        [ -x "$hook" ] || continue
        chroot "$root" "${hook#"$root"}" || log "boot hook ${hook##*/} failed"
    done
}

boot() {
    mkdir -p "$root/run/sshd" "$root/run/lock"
    start_sshd
    run_boot_hooks
}

reboot_host() {
    log "emulated reboot: stopping every process"
    kill -KILL -1 2>/dev/null
    wait
    sshd_pid=
    umount -l "$root/run"
    mount -t tmpfs -o size=16m,mode=0755,nosuid,nodev pplab-run "$root/run"
    new_boot_id
    sleep "$reboot_delay"
    log "emulated reboot: booting"
    boot
}

halt_host() {
    log "halting"
    kill -KILL -1 2>/dev/null
    exit 0
}

# Signal handlers only note the request; the main loop acts on it, since a
# trapped signal interrupts `wait`.
pending=
trap 'pending="$pending reboot"' USR1
trap 'pending="$pending reconcile"' USR2
trap 'pending="$pending halt"' TERM INT

main() {
    record_machine_pid
    setup_network
    mount_filesystems
    write_identity_once
    boot
    log "up"
    while :; do
        # `wait` reaps every child, orphans included, while any job runs;
        # it returns early (status > 128) when a trapped signal arrives.
        wait
        status=$?
        requests=$pending
        pending=
        case $requests in *halt*) halt_host ;; esac
        case $requests in *reboot*) reboot_host ;; esac
        case $requests in *reconcile*) start_sshd ;; esac
        if [ -z "$requests" ] && [ "$status" -lt 128 ]; then
            # No job left (sshd stopped by a fault): keep one sleeper so
            # that `wait` blocks instead of spinning.
            sleep 2147483647 &
        fi
    done
}

main
