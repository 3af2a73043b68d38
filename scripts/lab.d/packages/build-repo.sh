#!/usr/bin/env bash
# Builds the lab's test packages and indexes them as a flat apt repository.
#
#   build-repo.sh OUT_DIR
#
# writes OUT_DIR/*.deb, OUT_DIR/Packages, OUT_DIR/Release and
# OUT_DIR/preinstall.list (the .deb files that `scripts/lab up` installs into
# the base, i.e. the OLD versions, so every host starts with upgrades
# pending). All packages are `Architecture: all`, shell or perl only (hosts
# have no python), and honour PPLAB_NO_START=1 (set while installing into the
# base image) by not starting daemons or flagging reboots.
#
# The packages, oldest version first:
#   libppcrypto1 (source ppcrypto)  1.0-1 (installed), 1.0-2, 1.1-1 = the
#                                   security fix (PPSA-2026-0001)
#   pp-common, pp-tools (source pptools)  1.0-1 (installed), 1.1-1; a chain:
#                                   pp-tools -> pp-common (>= same version)
#                                   -> libppcrypto1 (1.1-1 needs >= 1.1-1)
#   pp-webd    1.0-1 (installed), 1.1-1; perl daemon on 0.0.0.0:8081 with
#              GET /health (see pp-webd.pl for how to make it unhealthy)
#   pp-kernel  1.0-1 (installed), 1.1-1; configuring it writes
#              /var/run/reboot-required and appends to .pkgs
#   pp-fragile 1.0-1 (installed), 1.1-1; postinst exits 1 while
#              /etc/pp-fragile/fail exists (the `postinst` fault)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-repo.sh OUT_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Writes DEBIAN/control for a package tree.
# Args: DIR PACKAGE SOURCE VERSION DEPENDS SECTION SUMMARY DETAIL
write_control() {
    local dir=$1 package=$2 source=$3 version=$4 depends=$5 section=$6
    local summary=$7 detail=$8
    mkdir -p "$dir/DEBIAN"
    {
        echo "Package: $package"
        echo "Source: $source"
        echo "Version: $version"
        echo "Architecture: all"
        echo "Maintainer: patchpilot lab <lab@patchpilot.invalid>"
        echo "Section: $section"
        echo "Priority: optional"
        [[ -n $depends ]] && echo "Depends: $depends"
        echo "Description: $summary"
        echo " $detail"
    } > "$dir/DEBIAN/control"
}

# Writes an executable maintainer script. Args: DIR NAME, body on stdin.
write_script() {
    local path=$1/DEBIAN/$2
    {
        echo '#!/bin/sh'
        echo 'set -e'
        cat
    } > "$path"
    chmod 0755 "$path"
}

# Every package carries its version in a file, so a test can read it
# without dpkg.
write_version_file() {
    local dir=$1 package=$2 version=$3
    mkdir -p "$dir/usr/share/pplab"
    echo "$version" > "$dir/usr/share/pplab/$package.version"
}

build_deb() {
    local dir=$1
    dpkg-deb --root-owner-group -Zxz --build "$dir" "$out" > /dev/null
}

build_libppcrypto() {
    local version=$1 dir=$work/libppcrypto1_$1
    write_control "$dir" libppcrypto1 ppcrypto "$version" "" libs \
        "patchpilot lab stand-in for a crypto library" \
        "Version 1.1-1 is the security fix announced as PPSA-2026-0001."
    write_version_file "$dir" libppcrypto1 "$version"
    mkdir -p "$dir/usr/lib/ppcrypto"
    echo "ppcrypto $version (not a real library)" \
        > "$dir/usr/lib/ppcrypto/libppcrypto.so.1"
    build_deb "$dir"
}

build_pptools() {
    local version=$1 crypto_min=$2
    local dir=$work/pp-common_$version
    write_control "$dir" pp-common pptools "$version" \
        "libppcrypto1 (>= $crypto_min)" utils \
        "patchpilot lab shared files for pp-tools" \
        "Middle of the dependency chain pp-tools -> pp-common -> libppcrypto1."
    write_version_file "$dir" pp-common "$version"
    build_deb "$dir"

    dir=$work/pp-tools_$version
    write_control "$dir" pp-tools pptools "$version" \
        "pp-common (>= $version)" utils \
        "patchpilot lab command-line tools" \
        "Top of the dependency chain pp-tools -> pp-common -> libppcrypto1."
    write_version_file "$dir" pp-tools "$version"
    mkdir -p "$dir/usr/bin"
    printf '#!/bin/sh\necho "pp-tools %s"\n' "$version" > "$dir/usr/bin/pp-tool"
    chmod 0755 "$dir/usr/bin/pp-tool"
    build_deb "$dir"
}

build_pp_webd() {
    local version=$1 dir=$work/pp-webd_$1
    write_control "$dir" pp-webd pp-webd "$version" "" net \
        "patchpilot lab web daemon with a health check" \
        "Serves GET /health on port 8081; started at boot from /etc/pp-boot.d."
    write_version_file "$dir" pp-webd "$version"
    mkdir -p "$dir/usr/sbin" "$dir/etc/pp-boot.d" "$dir/etc/pp-webd"
    sed "s/@VERSION@/$version/g" "$here/pp-webd.pl" > "$dir/usr/sbin/pp-webd"
    chmod 0755 "$dir/usr/sbin/pp-webd"
    cat > "$dir/etc/pp-boot.d/pp-webd" <<'EOF'
#!/bin/sh
# Started by the lab host's PID 1 at boot (there is no init system).
exec start-stop-daemon --start --quiet --background --make-pidfile \
    --pidfile /run/pp-webd.pid --startas /usr/sbin/pp-webd \
    --output /var/log/pp-webd.log
EOF
    chmod 0755 "$dir/etc/pp-boot.d/pp-webd"
    write_script "$dir" postinst <<'EOF'
[ "$1" = configure ] || exit 0
[ -z "${PPLAB_NO_START:-}" ] || exit 0
start-stop-daemon --stop --quiet --oknodo --retry 5 --pidfile /run/pp-webd.pid
rm -f /run/pp-webd.pid
/etc/pp-boot.d/pp-webd
EOF
    write_script "$dir" prerm <<'EOF'
start-stop-daemon --stop --quiet --oknodo --retry 5 --pidfile /run/pp-webd.pid
rm -f /run/pp-webd.pid
EOF
    build_deb "$dir"
}

build_pp_kernel() {
    local version=$1 dir=$work/pp-kernel_$1
    write_control "$dir" pp-kernel pp-kernel "$version" "" kernel \
        "patchpilot lab stand-in for a kernel package" \
        "Installing or upgrading it flags the host as needing a reboot."
    write_version_file "$dir" pp-kernel "$version"
    write_script "$dir" postinst <<'EOF'
[ "$1" = configure ] || exit 0
[ -z "${PPLAB_NO_START:-}" ] || exit 0
echo '*** System restart required ***' > /var/run/reboot-required
echo pp-kernel >> /var/run/reboot-required.pkgs
EOF
    build_deb "$dir"
}

build_pp_fragile() {
    local version=$1 dir=$work/pp-fragile_$1
    write_control "$dir" pp-fragile pp-fragile "$version" "" misc \
        "patchpilot lab package whose postinst can be made to fail" \
        "Its postinst exits 1 while /etc/pp-fragile/fail exists."
    write_version_file "$dir" pp-fragile "$version"
    write_script "$dir" postinst <<'EOF'
[ "$1" = configure ] || exit 0
if [ -e /etc/pp-fragile/fail ]; then
    echo "pp-fragile: postinst failing on purpose (/etc/pp-fragile/fail exists)" >&2
    exit 1
fi
EOF
    build_deb "$dir"
}

# apt-ftparchive writes relative paths, so it runs inside the repository.
index_repo() {
    (
        cd "$out"
        apt-ftparchive packages . > Packages
        apt-ftparchive \
            -o APT::FTPArchive::Release::Origin=patchpilot-lab \
            -o APT::FTPArchive::Release::Label=patchpilot-lab \
            -o APT::FTPArchive::Release::Suite=pplab \
            -o APT::FTPArchive::Release::Codename=pplab \
            release . > Release.tmp
        mv Release.tmp Release
    )
}

main() {
    mkdir -p "$out"
    rm -f "$out"/*.deb
    build_libppcrypto 1.0-1
    build_libppcrypto 1.0-2
    build_libppcrypto 1.1-1
    build_pptools 1.0-1 1.0-1
    build_pptools 1.1-1 1.1-1
    build_pp_webd 1.0-1
    build_pp_webd 1.1-1
    build_pp_kernel 1.0-1
    build_pp_kernel 1.1-1
    build_pp_fragile 1.0-1
    build_pp_fragile 1.1-1
    index_repo
    (cd "$out" && ls -- *_1.0-1_all.deb) > "$out/preinstall.list"
}

main
