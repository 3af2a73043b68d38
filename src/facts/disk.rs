//! Disk space per mounted filesystem, from `df -P -k -T`, with pseudo and
//! network filesystems left out by their type (older gather output has no
//! type column and carries the types from `/proc/self/mounts` instead).
//!
//! A full `/` or `/var` stops a patch run half way, so real local
//! filesystems matter; `tmpfs`, `squashfs` snaps (always 100 % full) and
//! container overlays would only drown them.

use std::collections::BTreeMap;

use crate::artifact::inventory::DiskUsage;

/// Filesystem types that hold no patchable data or are not local disks.
const SKIPPED_TYPES: &[&str] = &[
    "autofs",
    "binfmt_misc",
    "bpf",
    "cgroup",
    "cgroup2",
    "cifs",
    "configfs",
    "debugfs",
    "devpts",
    "devtmpfs",
    "efivarfs",
    "fusectl",
    "hugetlbfs",
    "iso9660",
    "mqueue",
    "nfs",
    "nfs4",
    "nfsd",
    "nsfs",
    "overlay",
    "proc",
    "pstore",
    "ramfs",
    "rpc_pipefs",
    "securityfs",
    "selinuxfs",
    "smb3",
    "smbfs",
    "squashfs",
    "sysfs",
    "tmpfs",
    "tracefs",
];

/// Parses `df -P -k` rows, with or without the `-T` type column (told by
/// the header). Columns are read from the right (capacity ends in `%` and
/// is preceded by three numbers), so a device name with spaces still
/// parses; the header and anything malformed are skipped.
pub fn parse_df(text: &str) -> Vec<DiskUsage> {
    parse_typed_df(text).into_iter().map(|row| row.usage).collect()
}

/// Each mount point's filesystem type, from `df -T` output; empty when
/// the output has no type column.
pub fn parse_df_types(text: &str) -> BTreeMap<String, String> {
    parse_typed_df(text).into_iter().filter_map(|row| Some((row.usage.mount, row.kind?))).collect()
}

struct DfRow {
    usage: DiskUsage,
    kind: Option<String>,
}

fn parse_typed_df(text: &str) -> Vec<DfRow> {
    let has_type_column = text.lines().next().is_some_and(|header| {
        let mut words = header.split_whitespace();
        words.next() == Some("Filesystem") && words.next() == Some("Type")
    });
    text.lines().filter_map(|line| parse_df_row(line, has_type_column)).collect()
}

fn parse_df_row(line: &str, has_type_column: bool) -> Option<DfRow> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let capacity = words.iter().position(|word| word.len() > 1 && word.ends_with('%'))?;
    let leading = if has_type_column { 5 } else { 4 };
    if capacity < leading || capacity + 1 >= words.len() {
        return None;
    }
    let kib = |index: usize| words[index].parse::<u64>().ok();
    let size = kib(capacity - 3)?;
    kib(capacity - 2)?;
    let available = kib(capacity - 1)?;
    let filesystem_end = capacity + 1 - leading;
    let usage = DiskUsage {
        mount: mount_after(line, words[capacity])?,
        filesystem: words[..filesystem_end].join(" "),
        size_bytes: size * 1024,
        available_bytes: available * 1024,
    };
    let kind = has_type_column.then(|| words[filesystem_end].to_string());
    Some(DfRow { usage, kind })
}

/// The mount point is the rest of the line after the capacity column, so
/// spaces inside it survive.
fn mount_after(line: &str, capacity: &str) -> Option<String> {
    let at = line.find(&format!(" {capacity} "))? + capacity.len() + 2;
    Some(line[at..].trim_start().to_string())
}

/// Parses the script's `mounts` section (`TYPE MOUNTPOINT` per line, as in
/// `/proc/self/mounts`) into mount point → type. Octal escapes are decoded.
pub fn parse_mount_types(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once(' '))
        .map(|(kind, mount)| (decode_octal_escapes(mount), kind.to_string()))
        .collect()
}

/// `/proc/mounts` writes space, tab, newline and backslash as `\040` etc.
fn decode_octal_escapes(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escape = bytes.get(index + 1..index + 4).filter(|_| bytes[index] == b'\\');
        let value = escape.and_then(|digits| {
            let digits = std::str::from_utf8(digits).ok()?;
            u8::from_str_radix(digits, 8).ok()
        });
        if let Some(byte) = value {
            decoded.push(byte);
            index += 4;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Keeps the df rows of real local filesystems in mount order. Like GNU
/// df, a device mounted more than once (bind mounts) is listed once, at
/// its shortest mount point, so busybox's df gives the same answer.
/// Without type information every row is kept. The root filesystem is
/// always kept, whatever its type: containers and live systems run on an
/// overlay or tmpfs root, and a full root stops a patch run all the same.
pub fn real_disks(rows: Vec<DiskUsage>, mount_types: &BTreeMap<String, String>) -> Vec<DiskUsage> {
    let mut disks: Vec<DiskUsage> = rows
        .into_iter()
        .filter(|row| {
            row.mount == "/"
                || mount_types.get(&row.mount).is_none_or(|kind| is_real_filesystem(kind))
        })
        .collect();
    disks.sort_by(|a, b| (&a.filesystem, a.mount.len()).cmp(&(&b.filesystem, b.mount.len())));
    disks.dedup_by(|later, first| {
        later.mount == first.mount
            || (later.filesystem.starts_with('/') && later.filesystem == first.filesystem)
    });
    disks.sort_by(|a, b| a.mount.cmp(&b.mount));
    disks
}

fn is_real_filesystem(kind: &str) -> bool {
    !SKIPPED_TYPES.contains(&kind) && !kind.starts_with("fuse.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn df_rows_parse_from_the_right() {
        let text = "Filesystem     1024-blocks    Used Available Capacity Mounted on\n\
                    /dev/vda         264212084 16582900  78702988      18% /\n\
                    my disk 100 50 50 50% /mnt/with space\n\
                    garbage line\n";
        let rows = parse_df(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].mount, "/");
        assert_eq!(rows[0].filesystem, "/dev/vda");
        assert_eq!(rows[0].available_bytes, 78_702_988 * 1024);
        assert_eq!(rows[1].filesystem, "my disk");
        assert_eq!(rows[1].mount, "/mnt/with space");
    }

    #[test]
    fn df_type_column_is_read_when_the_header_names_it() {
        let text = "Filesystem     Type     1024-blocks    Used Available Capacity Mounted on\n\
                    /dev/vda       ext4       264212084 47060156  48225732      50% /\n\
                    my disk        xfs              100       50        50      50% /mnt/a b\n\
                    tmpfs          tmpfs             10        0        10       0% /run\n";
        let rows = parse_df(text);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].filesystem, "/dev/vda");
        assert_eq!(rows[0].size_bytes, 264_212_084 * 1024);
        assert_eq!(rows[1].filesystem, "my disk");
        assert_eq!(rows[1].mount, "/mnt/a b");
        let types = parse_df_types(text);
        assert_eq!(types.get("/mnt/a b").map(String::as_str), Some("xfs"));
        let mounts: Vec<String> = real_disks(rows, &types).into_iter().map(|d| d.mount).collect();
        assert_eq!(mounts, ["/", "/mnt/a b"]);
    }

    #[test]
    fn df_without_type_column_has_no_types() {
        assert!(
            parse_df_types(
                "Filesystem 1024-blocks Used Available Capacity Mounted on\n\
                                /dev/vda 100 50 50 50% /\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn pseudo_filesystems_are_dropped_by_type() {
        let rows = parse_df(
            "tmpfs 10 0 10 0% /run\n/dev/sda1 100 50 50 50% /\n/dev/sdb 9 1 8 12% /srv/a b\n\
             snap 5 5 0 100% /snap/core/1\n",
        );
        let types =
            parse_mount_types("tmpfs /run\next4 /\nxfs /srv/a\\040b\nsquashfs /snap/core/1\n");
        let mounts: Vec<String> = real_disks(rows, &types).into_iter().map(|d| d.mount).collect();
        assert_eq!(mounts, ["/", "/srv/a b"]);
    }

    /// Lab hosts and containers have an overlay root; dropping it hid a full
    /// disk from the inventory.
    #[test]
    fn overlay_root_is_kept() {
        let rows = parse_df("overlay 262144 3504 258640 2% /\npplab-run 16384 8 16376 1% /run\n");
        let types = parse_mount_types("overlay /\ntmpfs /run\n");
        let disks = real_disks(rows, &types);
        assert_eq!(disks.len(), 1);
        assert_eq!(disks[0].mount, "/");
    }

    #[test]
    fn bind_mounts_of_one_device_count_once() {
        let rows = parse_df("/dev/vda 100 50 50 50% /run/netns\n/dev/vda 100 50 50 50% /\n");
        let disks = real_disks(rows, &BTreeMap::new());
        assert_eq!(disks.len(), 1);
        assert_eq!(disks[0].mount, "/");
    }
}
