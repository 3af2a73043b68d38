# patchpilot fact gathering, format version 1.
#
# Runs as one POSIX sh script (dash, busybox ash, bash) in one round trip,
# as `sh -c '<this text>'` (or fed to `sh -s` on stdin). Everything
# happens inside pp_main, which is called last with stdin from /dev/null, so
# no command can swallow the rest of a script that arrives on stdin.
#
# Output: a header line, then sections, each framed as
#   @@pp:begin NAME@@
#   <what the command printed, unchanged>
#   @@pp:end NAME rc=N@@        (always preceded by a newline of our own)
# Stderr goes to the script's own stderr, each step's part introduced by a
# line `@@pp:stderr NAME@@`; the reader attaches it to its section.
# A section that fails reports its exit status and the script carries on.
#
# The script runs on every host of a fan-out at once, so it avoids forks:
# steps run in the current shell (no command substitution per step), one-line
# files are read with the shell's own `read` and longer ones by a single awk,
# and `timeout` wraps only the steps that can hang (df on a dead network
# mount, package-manager network work).
# Set PP_REFRESH=1 in the environment to refresh package metadata first,
# and PP_PACKAGE_STATE to a previous run's `package-state` section to skip
# the package steps when that state has not changed.
# Define a function pp_watched ahead of the script to add its output as the
# `watched-files` section (the controller puts `sha256sum` of the watched
# files there).

pp_begin() {
	printf '@@pp:begin %s@@\n' "$1"
}

pp_end() {
	printf '\n@@pp:end %s rc=%s@@\n' "$1" "$2"
}

# pp_section NAME COMMAND [ARGS...]: runs one step in this shell; stdout
# goes straight out, stderr follows a marker naming the step.
pp_section() {
	pp_name=$1
	shift
	pp_begin "$pp_name"
	printf '@@pp:stderr %s@@\n' "$pp_name" >&2
	"$@"
	pp_end "$pp_name" "$?"
}

pp_has() {
	command -v "$1" >/dev/null 2>&1
}

# pp_limit SECONDS COMMAND [ARGS...]: bounds a step that can hang (a dead
# NFS mount under df, dnf waiting for a lock) when `timeout` exists.
pp_limit() {
	if [ "$pp_timeout" = yes ]; then
		timeout "$@"
	else
		shift
		"$@"
	fi
}

# Prints a small file without forking.
pp_cat() {
	while IFS= read -r pp_line || [ -n "$pp_line" ]; do
		printf '%s\n' "$pp_line"
	done <"$1"
}

# `uid=N` with the effective uid, from the shell's own status: no fork.
pp_uid() {
	# Uid: real effective saved filesystem
	# shellcheck disable=SC2034
	while read -r pp_key pp_real pp_effective pp_rest; do
		if [ "$pp_key" = "Uid:" ]; then
			echo "uid=$pp_effective"
			return 0
		fi
	done </proc/self/status
	echo "uid=$(id -u)"
}

pp_meta() {
	echo "version=1"
	pp_uid
	echo "package_manager=$pp_pm"
	echo "refresh=${PP_REFRESH:-0}"
	echo "timeout=$pp_timeout"
}

# pp_files NAME PATH [NAME PATH...]: one section per file, printed by one
# awk. The shell's `read` takes a system call per byte, which made the
# few kilobytes of os-release and /proc/meminfo cost more than starting
# awk (4.9 ms against 1.5 ms on a lab host). An unreadable file is that
# section's failure, with its own status and message, as with pp_section.
# The section named ipv4-addresses reads /proc/net/fib_trie, which lists
# every route (on a router, hundreds of thousands of lines): it prints
# only the host's own addresses, the leaves marked `/32 host LOCAL`, once.
pp_files() {
	awk 'BEGIN {
		for (i = 1; i + 1 < ARGC; i += 2) {
			name = ARGV[i]
			path = ARGV[i + 1]
			printf "@@pp:begin %s@@\n", name
			printf "@@pp:stderr %s@@\n", name >"/dev/stderr"
			leaf = ""
			while ((status = (getline line <path)) > 0) {
				if (name != "ipv4-addresses") {
					print line
				} else if (line ~ /^[ |]*\|-- /) {
					leaf = line
					sub(/.*-- /, "", leaf)
				} else if (line ~ /^ *\/32 host LOCAL$/ && !(leaf in seen)) {
					seen[leaf]
					print leaf
				}
			}
			close(path)
			rc = 0
			if (status < 0) {
				print "cannot read " path >"/dev/stderr"
				rc = 1
			}
			printf "\n@@pp:end %s rc=%d@@\n", name, rc
		}
		exit
	}' "$@"
}

# `SYSTEM RELEASE MACHINE`, then the build line, as `uname -srm; uname -v`
# print them; from /proc/sys/kernel when it has all four (Linux 6.1 added
# `arch`), which spares a process on every host.
pp_uname() {
	if [ -r /proc/sys/kernel/arch ] && [ -r /proc/sys/kernel/version ]; then
		IFS= read -r pp_system </proc/sys/kernel/ostype
		IFS= read -r pp_release </proc/sys/kernel/osrelease
		IFS= read -r pp_machine </proc/sys/kernel/arch
		echo "$pp_system $pp_release $pp_machine"
		pp_cat /proc/sys/kernel/version
	else
		uname -s -r -m
		uname -v
	fi
}

pp_hostname() {
	pp_cat /proc/sys/kernel/hostname 2>/dev/null || uname -n
}

# Free space with each file system's type (-T), so pseudo file systems can
# be told apart without reading the mount table as well. GNU df takes -l,
# local file systems only, and then never even stats a network mount, so a
# dead NFS server cannot hang it: it runs without the cost of `timeout`.
# Busybox df refuses -l and asks every mount: that one is bounded.
pp_df() {
	df -P -k -T -l 2>/dev/null || pp_limit 15 df -P -k -T
}

# Listening sockets: ss when present, else the kernel's tables filtered to
# listening TCP (state 0A) and unconnected UDP (state 07).
# One ss call for TCP and UDP: naming the owning processes (-p) means
# reading every /proc/PID/fd link on the host, ~60 ms on a machine with
# 900 processes, and two calls would pay it twice. The price is that -l
# also asks for closed TCP sockets, which the kernel answers by walking
# its connection hash table: ~2 ms more than two calls on an idle host.
# Netlink answers and /proc/PID/fd links cannot hang on a dead mount: no
# timeout.
pp_listen() {
	if pp_has ss; then
		ss -t -u -l -n -p
		return
	fi
	echo "# proc-net"
	awk 'FNR == 1 { p = FILENAME; sub(/.*\//, "", p); next }
		(p ~ /tcp/ && $4 == "0A") || (p ~ /udp/ && $4 == "07") { print p, $2 }' \
		/proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 2>/dev/null
}

pp_failed_units() {
	if [ -d /run/systemd/system ]; then
		pp_limit 10 systemctl list-units --state=failed --plain --no-legend --no-pager --full
	else
		echo "no-systemd"
	fi
}

pp_flag_file() {
	if [ -e "$1" ]; then
		echo "present"
		pp_cat "$1"
	else
		echo "absent"
	fi
}

pp_kernels() {
	for pp_f in /boot/vmlinuz-* /boot/vmlinux-* /boot/Image-*; do
		[ -e "$pp_f" ] && echo "boot ${pp_f#/boot/}"
	done
	for pp_d in /lib/modules/*; do
		[ -d "$pp_d/kernel" ] && echo "modules ${pp_d#/lib/modules/}"
	done
	return 0
}

# Package-manager locks: apt, dpkg, rpm and apk take fcntl or flock locks,
# which /proc/locks lists by inode; yum, dnf and zypper leave pid files.
pp_locks() {
	pp_files=
	for pp_f in /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/rpm/.rpm.lock \
		/usr/lib/sysimage/rpm/.rpm.lock /lib/apk/db/lock; do
		[ -e "$pp_f" ] && pp_files="$pp_files $pp_f"
	done
	# Most of the time nothing holds a lock: then say which files exist and
	# spare the two processes that match inodes.
	pp_any_lock=no
	while IFS= read -r pp_line; do
		pp_any_lock=yes
		break
	done </proc/locks
	if [ -n "$pp_files" ] && [ "$pp_any_lock" = no ]; then
		for pp_f in $pp_files; do
			echo "file - $pp_f"
		done
	elif [ -n "$pp_files" ]; then
		# The paths are our own constants; ls is the one portable way to an inode.
		# shellcheck disable=SC2086,SC2012
		ls -di $pp_files | awk '
			FNR == NR { file[$1] = $2; print "file", $1, $2; next }
			{
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^[0-9a-f]+:[0-9a-f]+:[0-9]+$/) {
						split($i, part, ":")
						if (part[3] in file) print "lock", file[part[3]], $0
					}
				}
			}' - /proc/locks
	fi
	for pp_f in /var/run/yum.pid /var/lib/dnf/rpmdb_lock.pid /run/zypp.pid /var/run/zypp.pid; do
		[ -r "$pp_f" ] || continue
		IFS= read -r pp_pid 2>/dev/null <"$pp_f"
		[ -n "$pp_pid" ] && [ -d "/proc/$pp_pid" ] && echo "pidfile $pp_f $pp_pid"
	done
	return 0
}

pp_refresh() {
	case $pp_pm in
	apt) pp_limit 300 apt-get update -qq ;;
	dnf) pp_limit 300 dnf -q -y makecache ;;
	yum) pp_limit 300 yum -q -y makecache fast ;;
	zypper) pp_limit 300 zypper -n -q refresh ;;
	apk) pp_limit 300 apk update -q ;;
	*) echo "no package manager" ;;
	esac
}

# The files whose change can change the package list or the pending
# updates, as `stat` sees them: name, inode, size and modification time to
# the nanosecond. Taken before the package steps (and after a refresh), so a
# change while they run shows as a change next time. apt's binary cache is
# left out: it is derived from these files, and `apt list` rewrites it after
# every dpkg run, which would make the next state differ for nothing. When the controller
# sent the state of its previous inventory in PP_PACKAGE_STATE and nothing
# changed, the package steps answer `# unchanged` and the controller keeps
# what it had: dpkg-query and apt are the dearest steps of the script.
pp_package_state() {
	set --
	case $pp_pm in
	apt)
		for pp_f in /var/lib/dpkg/status /var/lib/dpkg/arch /var/lib/dpkg/updates \
			/var/lib/apt/lists \
			/etc/apt/sources.list /etc/apt/sources.list.d /etc/apt/sources.list.d/* \
			/etc/apt/preferences /etc/apt/preferences.d /etc/apt/preferences.d/* \
			/etc/apt/apt.conf /etc/apt/apt.conf.d /etc/apt/apt.conf.d/*; do
			[ -e "$pp_f" ] && set -- "$@" "$pp_f"
		done
		;;
	*)
		# LIMITATION: only apt's inputs are known here; rpm, zypper and apk
		# hosts gather their packages every time. Listing their metadata
		# caches the same way, checked against live hosts, would lift it.
		echo "not applicable"
		return 0
		;;
	esac
	if [ -z "${PP_PACKAGE_STATE:-}" ]; then
		stat -L -c '%n %i %s %y' -- "$@"
		return
	fi
	pp_state=$(stat -L -c '%n %i %s %y' -- "$@") || return
	printf '%s\n' "$pp_state"
	[ "$pp_state" = "$PP_PACKAGE_STATE" ] && pp_unchanged=yes
	return 0
}

pp_packages() {
	if [ "$pp_unchanged" = yes ]; then
		echo "# unchanged"
		return 0
	fi
	case $pp_pm in
	apt)
		# The ${…} are dpkg-query's fields, not the shell's.
		# shellcheck disable=SC2016
		dpkg-query -W \
			-f='${binary:Package}\t${db:Status-Abbrev}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}\n'
		;;
	dnf | yum | zypper)
		pp_limit 60 rpm -qa --queryformat '%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH} %{SOURCERPM}\n'
		;;
	apk)
		awk '/^[PVAo]:/ || /^$/' /lib/apk/db/installed
		;;
	*) echo "no package manager" ;;
	esac
}

pp_updates() {
	if [ "$pp_unchanged" = yes ]; then
		echo "# unchanged"
		return 0
	fi
	case $pp_pm in
	apt)
		# dpkg's architectures as apt options, read from dpkg's own list:
		# without them apt runs `dpkg --print-foreign-architectures`, twice,
		# a quarter of what `apt list` costs. Without the file apt asks dpkg.
		set --
		if [ -r /var/lib/dpkg/arch ]; then
			while IFS= read -r pp_arch || [ -n "$pp_arch" ]; do
				[ -n "$pp_arch" ] && set -- "$@" -o "APT::Architectures::=$pp_arch"
			done </var/lib/dpkg/arch
		fi
		# `apt list` reads the cache without running the resolver: several
		# times cheaper than a simulated dist-upgrade on every host.
		if pp_has apt; then
			echo "# apt-list"
			apt -o Apt::Cmd::Disable-Script-Warning=true "$@" list --upgradable
		else
			pp_limit 120 apt-get -s -q -o Debug::NoLocking=true \
				-o APT::Get::Show-User-Simulation-Note=false "$@" dist-upgrade
		fi
		;;
	dnf | yum) pp_limit 120 "$pp_pm" -q -C check-update ;;
	zypper) pp_limit 120 zypper -n -q --terse --no-refresh list-updates ;;
	apk) apk list --upgradable 2>/dev/null || apk version -l '<' ;;
	*) echo "no package manager" ;;
	esac
}

# Security updates, where the package manager can tell them apart.
pp_security_updates() {
	case $pp_pm in
	dnf | yum) pp_limit 120 "$pp_pm" -q -C --security check-update ;;
	zypper) pp_limit 120 zypper -n -q --terse --no-refresh list-patches --category security ;;
	*) echo "not applicable" ;;
	esac
}

# zypper names the packages a patch fixes only in patch-info; keep just the
# lines that say which (Name, Category and the Conflicts block).
pp_security_patch_info() {
	pp_names=$(pp_limit 120 zypper -n -q --terse --no-refresh list-patches --category security |
		awk -F'|' 'NF >= 6 && $1 !~ /^-/ { gsub(/ /, "", $2); if ($2 != "Name" && $2 != "") print $2 }')
	[ -n "$pp_names" ] || return 0
	# Word splitting on the names is wanted; globbing on them is not.
	set -f
	# shellcheck disable=SC2086
	pp_limit 120 zypper -n -q --terse --no-refresh patch-info $pp_names | awk '
		/^Information for patch/ || /^(Name|Category) *:/ { print; block = 0; next }
		/^Conflicts/ { print; block = 1; next }
		block && /^[ \t]/ { print; next }
		{ block = 0 }'
	set +f
}

pp_reboot_tool() {
	case $pp_pm in
	dnf | yum)
		if pp_has needs-restarting; then
			pp_limit 60 needs-restarting -r
		else
			pp_limit 60 "$pp_pm" -q needs-restarting -r
		fi
		;;
	zypper) pp_limit 60 zypper -n needs-rebooting ;;
	*) echo "not applicable" ;;
	esac
}

# Processes still mapping deleted (upgraded) libraries or binaries, as
# `PID<tab>PATH (deleted)<tab>COMMAND`. One awk does the scan, the command
# names and the bound of 200 processes (grep, head and a read loop cost
# three processes more). It opens each file itself with getline, because
# awk's own file loop gives up at the first process that has exited or
# whose maps it may not read, and it stops at a process's first hit.
pp_deleted_libraries() {
	pp_limit 20 awk '
		BEGIN {
			pattern = " /(usr/)?(lib|lib32|lib64|libx32|bin|sbin|libexec)/[^ ]* [(]deleted[)]$"
			for (i = 1; i < ARGC && found < 200; i++) {
				maps = ARGV[i]
				while ((getline line <maps) > 0) {
					if (index(line, " (deleted)") && match(line, pattern)) {
						pid = substr(maps, 7, length(maps) - 11)
						comm = ""
						getline comm <("/proc/" pid "/comm")
						close("/proc/" pid "/comm")
						printf "%s\t%s\t%s\n", pid, substr(line, RSTART + 1, RLENGTH - 1), comm
						found++
						break
					}
				}
				close(maps)
			}
			exit
		}' /proc/[0-9]*/maps
}

pp_detect_package_manager() {
	if pp_has dpkg-query && [ -e /var/lib/dpkg/status ]; then
		pp_pm=apt
	elif pp_has zypper; then
		pp_pm=zypper
	elif pp_has dnf; then
		pp_pm=dnf
	elif pp_has yum; then
		pp_pm=yum
	elif pp_has apk; then
		pp_pm=apk
	else
		pp_pm=none
	fi
}

pp_main() {
	LC_ALL=C
	LANG=C
	export LC_ALL LANG
	unset LANGUAGE
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
	export PATH

	pp_timeout=no
	pp_has timeout && pp_timeout=yes
	pp_detect_package_manager

	echo "@@pp:gather v=1@@"
	pp_section meta pp_meta
	pp_os_release=/etc/os-release
	[ -r "$pp_os_release" ] || pp_os_release=/usr/lib/os-release
	pp_files os-release "$pp_os_release" boot-id /proc/sys/kernel/random/boot_id \
		uptime /proc/uptime meminfo /proc/meminfo loadavg /proc/loadavg \
		ipv4-addresses /proc/net/fib_trie ipv6-addresses /proc/net/if_inet6
	pp_section uname pp_uname
	pp_section hostname pp_hostname
	pp_section df pp_df
	pp_section listening pp_listen
	pp_section failed-units pp_failed_units
	pp_section reboot-required pp_flag_file /var/run/reboot-required
	pp_section reboot-required-pkgs pp_flag_file /var/run/reboot-required.pkgs
	pp_section reboot-needed pp_flag_file /run/reboot-needed
	pp_section kernels pp_kernels
	pp_section package-lock pp_locks
	if [ "${PP_REFRESH:-0}" = 1 ]; then
		pp_section refresh pp_refresh
	fi
	pp_unchanged=no
	pp_section package-state pp_package_state
	pp_section packages pp_packages
	pp_section updates pp_updates
	pp_section security-updates pp_security_updates
	if [ "$pp_pm" = zypper ]; then
		pp_section security-patch-info pp_security_patch_info
	fi
	pp_section reboot-tool pp_reboot_tool
	pp_section deleted-libraries pp_deleted_libraries
	# The controller defines pp_watched ahead of this script when the
	# inventory names files to watch: their digests ride the same round trip.
	if command -v pp_watched >/dev/null 2>&1; then
		pp_section watched-files pp_watched
	fi
	echo "@@pp:done@@"
}

pp_main </dev/null
