//! Whether another process holds the package manager's lock right now.
//!
//! apt, dpkg, rpm and apk take `fcntl` or `flock` locks on a lock file; the
//! kernel lists every held lock in `/proc/locks` by device and inode, so
//! the script prints the lock files' inodes and the `/proc/locks` lines
//! whose inode matches (`lock` lines). yum, dnf and zypper write pid files
//! instead; the script prints those whose process is alive (`pidfile`
//! lines). Patching a host whose lock is held fails or waits, so the plan
//! needs to know before it starts.
//!
// LIMITATION: lock lines are matched on the inode alone, not the device, so
// a lock on a file with the same inode number on another filesystem would
// count as held. Printing the lock file's major:minor (`stat -c %t:%T`) and
// comparing it with the `/proc/locks` device field would lift it.

/// Reads the `package-lock` section: `Some(true)` when a lock is held,
/// `Some(false)` when lock files were found and none is held, `None` when
/// the host has no lock file we know.
pub fn parse_package_lock(text: &str) -> Option<bool> {
    let mut has_lock_files = false;
    for line in text.lines() {
        match line.split_whitespace().next() {
            Some("lock" | "pidfile") => return Some(true),
            Some("file") => has_lock_files = true,
            _ => {}
        }
    }
    has_lock_files.then_some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_free_and_unknown() {
        let free = "file 382078 /var/lib/dpkg/lock\nfile 382079 /var/lib/dpkg/lock-frontend\n";
        assert_eq!(parse_package_lock(free), Some(false));
        let held = format!(
            "{free}lock /var/lib/dpkg/lock-frontend 1: POSIX  ADVISORY  WRITE 77 fe:01:382079 0 EOF\n"
        );
        assert_eq!(parse_package_lock(&held), Some(true));
        assert_eq!(parse_package_lock("pidfile /run/zypp.pid 4242\n"), Some(true));
        assert_eq!(parse_package_lock(""), None);
    }
}
