#!/bin/sh
# Customize hook for the lab's base image, run by mmdebstrap on the machine
# side with the image root as $1 (see build_base_image in scripts/lab).
#
# Everything here is host-independent: per-host identity (hostname, host key,
# machine-id, /etc/hosts) is written by host-init.sh at first boot, and the
# per-lab secrets (controller key, ops password) by `scripts/lab up`. This
# file is part of the base-image cache key, so editing it rebuilds the base.
set -eu
root=$1

# The lab's flat repository is the hosts' only package source. Its Release
# file is unsigned, hence `Trusted: yes`.
rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
cat > "$root/etc/apt/sources.list.d/pplab.sources" <<'EOF'
# patchpilot lab repository, served by `scripts/lab up` from the controller.
Types: deb
URIs: http://127.100.0.1:8080/
Suites: ./
Trusted: yes
EOF
cat > "$root/etc/apt/apt.conf.d/99pplab" <<'EOF'
// patchpilot lab: no translations, no recommends, fail fast on a dead repo.
Acquire::Languages "none";
Acquire::http::Timeout "10";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
EOF

# sshd tuned for hundreds of parallel connections and cheap logins: no PAM
# session stack, no DNS, no motd, one ed25519 host key written per host.
rm -f "$root"/etc/ssh/ssh_host_*
cat > "$root/etc/ssh/sshd_config" <<'EOF'
# patchpilot lab sshd configuration (scripts/lab.d/base-customize.sh)
Port 22
ListenAddress 0.0.0.0
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile /run/sshd.pid
LogLevel INFO
MaxStartups 500:30:1000
MaxSessions 100
LoginGraceTime 30
UseDNS no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PrintMotd no
PrintLastLog no
X11Forwarding no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
EOF

# `ops` is an unprivileged login whose sudo rights require a password
# (set per lab by `scripts/lab up`), for testing sudo with a password on stdin.
chroot "$root" useradd --uid 1000 --user-group --create-home \
    --shell /bin/sh ops
rm -f "$root"/home/ops/.bashrc "$root"/home/ops/.bash_logout
cat > "$root/etc/sudoers.d/pplab-ops" <<'EOF'
# patchpilot lab: ops may run anything as root, with its password.
Defaults:ops !lecture
ops ALL=(ALL:ALL) ALL
EOF
chmod 0440 "$root/etc/sudoers.d/pplab-ops"
install -d -m 0700 "$root/root/.ssh"
install -d -m 0700 -o 1000 -g 1000 "$root/home/ops/.ssh"

# Login shells stay trivial: a heavy rc file multiplies per-command cost.
printf '# patchpilot lab: intentionally empty\n' > "$root/root/.bashrc"
printf '# patchpilot lab: intentionally empty\n' > "$root/root/.profile"
printf '# patchpilot lab: intentionally empty\n' > "$root/home/ops/.profile"

# There is no init system in a lab host: PID 1 is host-init.sh, which
# reboots the host (new boot id, services restarted) on SIGUSR1.
cat > "$root/usr/sbin/reboot" <<'EOF'
#!/bin/sh
# patchpilot lab reboot shim: asks this host's PID 1 (scripts/lab.d/
# host-init.sh) for an emulated reboot. Like systemd's reboot it returns at
# once; the host goes down a moment later and comes back with a new boot id.
case "${0##*/} $*" in
shutdown*-h*|shutdown*-P*|shutdown*--poweroff*|poweroff*|halt*)
    echo "${0##*/}: only reboot is emulated in the patchpilot lab" >&2
    exit 1 ;;
shutdown*-c*)
    echo "${0##*/}: no pending shutdown" >&2
    exit 1 ;;
esac
echo "${0##*/}: emulated reboot of $(cat /etc/hostname) in 1 s" >&2
setsid sh -c 'sleep 1; kill -USR1 1' </dev/null >/dev/null 2>&1 &
exit 0
EOF
chmod 0755 "$root/usr/sbin/reboot"
for name in shutdown poweroff halt; do
    ln -sf reboot "$root/usr/sbin/$name"
done

# Packages drop start-up scripts here; host-init.sh runs them at each boot.
install -d -m 0755 "$root/etc/pp-boot.d"

# No DNS in the lab (glibc falls back to 127.0.0.1, which stays local).
: > "$root/etc/resolv.conf"
: > "$root/etc/machine-id"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/apt/archives/*.deb "$root"/var/log/apt/* \
    "$root"/var/log/dpkg.log "$root"/var/log/alternatives.log
