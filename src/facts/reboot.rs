//! Whether a host needs a reboot, and every reason found.
//!
//! No single signal is reliable everywhere, so several are read and each
//! that fires adds a reason: Debian's `/var/run/reboot-required(.pkgs)`,
//! SUSE's `/run/reboot-needed`, a kernel under `/boot` or `/lib/modules`
//! newer than the running one (or the running one gone), a Debian or Ubuntu
//! kernel package rebuilt under the same release, the distribution's own
//! tool (`needs-restarting -r`, `zypper needs-rebooting`), and processes
//! still mapping libraries or binaries that an upgrade deleted.

use std::cmp::Ordering;

use serde::Serialize;

use super::host::Uname;
use super::version::compare_releases;
use crate::artifact::inventory::Package;

/// What a distribution's own reboot check said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RebootHint {
    /// `None` when the tool was missing or its answer was not understood.
    pub required: Option<bool>,
    /// Packages the tool named as updated since boot.
    pub packages: Vec<String>,
}

/// A process that should be restarted because it runs replaced code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ProcessRestart {
    pub pid: u32,
    /// Program path or command line, as the tool showed it.
    pub command: String,
    /// The package the tool attributed it to, where it did.
    pub package: Option<String>,
}

/// A process found mapping a deleted library or binary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DeletedMapping {
    pub pid: u32,
    /// The process name from `/proc/PID/comm`.
    pub command: String,
    /// The first deleted file found in its maps.
    pub path: String,
}

/// Kernel releases the script found installed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InstalledKernels {
    /// From `/boot/vmlinuz-*` (and `vmlinux-*`, `Image-*`), prefix removed.
    pub boot: Vec<String>,
    /// From `/lib/modules/*` directories that hold a `kernel` tree.
    pub modules: Vec<String>,
}

/// Reads a flag-file section: `None` when the file is absent, else its
/// non-empty lines.
pub fn parse_flag_file(text: &str) -> Option<Vec<String>> {
    let mut lines = text.lines();
    if lines.next()? != "present" {
        return None;
    }
    Some(lines.map(str::trim).filter(|line| !line.is_empty()).map(str::to_string).collect())
}

/// Parses the script's `PID<TAB>PATH<TAB>COMM` lines.
pub fn parse_deleted_libraries(text: &str) -> Vec<DeletedMapping> {
    let mut mappings: Vec<DeletedMapping> = text
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, '\t');
            let pid = fields.next()?.trim().parse().ok()?;
            let path = fields.next()?.trim().trim_end_matches("(deleted)").trim_end();
            let command = fields.next().unwrap_or("").trim();
            Some(DeletedMapping { pid, command: command.to_string(), path: path.to_string() })
        })
        .collect();
    mappings.sort();
    mappings
}

/// Parses the script's `boot RELEASE-FILE` and `modules RELEASE` lines.
pub fn parse_kernels(text: &str) -> InstalledKernels {
    let mut kernels = InstalledKernels::default();
    for line in text.lines() {
        match line.split_once(' ') {
            Some(("boot", file)) => {
                let release = ["vmlinuz-", "vmlinux-", "Image-"]
                    .iter()
                    .find_map(|prefix| file.strip_prefix(prefix))
                    .unwrap_or(file);
                kernels.boot.push(release.to_string());
            }
            Some(("modules", release)) => kernels.modules.push(release.to_string()),
            _ => {}
        }
    }
    kernels
}

/// Compares the running kernel with those installed. Only release-shaped
/// names count (Alpine's `/boot/vmlinuz-lts` names a flavour, not a
/// release; RHEL's rescue image is not a candidate).
pub fn kernel_reason(running: &str, kernels: &InstalledKernels) -> Option<String> {
    let mut candidates: Vec<&str> = kernels
        .boot
        .iter()
        .chain(&kernels.modules)
        .map(String::as_str)
        .filter(|release| release.starts_with(|c: char| c.is_ascii_digit()))
        .filter(|release| !release.contains("rescue"))
        .collect();
    if candidates.is_empty() || running.is_empty() {
        return None;
    }
    candidates.sort_by(|a, b| compare_releases(a, b));
    let newest = candidates.last()?;

    if compare_releases(newest, running) == Ordering::Greater {
        Some(format!("kernel `{newest}` is installed but `{running}` is running"))
    } else if !candidates.contains(&running) {
        Some(format!("the running kernel `{running}` is no longer installed"))
    } else {
        None
    }
}

/// Debian and Ubuntu can rebuild a kernel package under the same release
/// (`6.1.0-18-amd64`); the build string names the version that booted.
pub fn kernel_rebuild_reason(uname: &Uname, packages: &[Package]) -> Option<String> {
    let image = format!("linux-image-{}", uname.release);
    let unsigned = format!("{image}-unsigned");
    let package = packages.iter().find(|p| p.name == image || p.name == unsigned)?;

    let booted_matches = if let Some(debian) = word_after(&uname.build, "Debian") {
        debian == package.version
    } else if let Some(upload) = ubuntu_upload(&uname.build) {
        package.version.rsplit('.').next() == Some(upload)
    } else {
        return None;
    };
    (!booted_matches).then(|| {
        format!(
            "package `{}` is at `{}` but the running kernel was built as `{}`",
            package.name, package.version, uname.build
        )
    })
}

fn word_after<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let mut words = text.split_whitespace();
    words.find(|w| *w == word)?;
    words.next()
}

/// `117` from `#117-Ubuntu SMP …`.
fn ubuntu_upload(build: &str) -> Option<&str> {
    build.split_whitespace().next()?.strip_prefix('#')?.strip_suffix("-Ubuntu")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kernels(boot: &[&str], modules: &[&str]) -> InstalledKernels {
        InstalledKernels {
            boot: boot.iter().map(|s| (*s).to_string()).collect(),
            modules: modules.iter().map(|s| (*s).to_string()).collect(),
        }
    }

    #[test]
    fn newer_kernel_under_boot_needs_a_reboot() {
        let installed = parse_kernels(
            "boot vmlinuz-6.1.0-18-amd64\nboot vmlinuz-6.1.0-21-amd64\nmodules 6.1.0-18-amd64\n",
        );
        let reason = kernel_reason("6.1.0-18-amd64", &installed).unwrap();
        assert!(reason.contains("`6.1.0-21-amd64` is installed"), "{reason}");
        assert_eq!(kernel_reason("6.1.0-21-amd64", &installed), None);
    }

    #[test]
    fn alpine_flavour_names_are_not_releases() {
        let installed = kernels(&["lts"], &["6.6.32-0-lts"]);
        assert!(kernel_reason("6.6.32-0-lts", &installed).is_none());
        let reason = kernel_reason("6.6.31-0-lts", &installed).unwrap();
        assert!(reason.contains("6.6.32-0-lts"), "{reason}");
    }

    #[test]
    fn removed_running_kernel_and_rescue_images() {
        let installed = kernels(&["0-rescue-abc", "5.14.0-70.13.1.el9_0.x86_64"], &[]);
        let reason = kernel_reason("5.14.0-503.15.1.el9_5.x86_64", &installed).unwrap();
        assert!(reason.contains("no longer installed"), "{reason}");
        assert_eq!(kernel_reason("5.14.0-1", &kernels(&[], &[])), None);
    }

    #[test]
    fn debian_same_release_rebuild_is_seen() {
        let uname = Uname {
            release: "6.1.0-18-amd64".into(),
            build: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)".into(),
            ..Uname::default()
        };
        let package = |version: &str| Package {
            name: "linux-image-6.1.0-18-amd64".into(),
            version: version.into(),
            arch: "amd64".into(),
            source_name: None,
            source_version: None,
        };
        assert_eq!(kernel_rebuild_reason(&uname, &[package("6.1.76-1")]), None);
        assert!(kernel_rebuild_reason(&uname, &[package("6.1.76-2")]).is_some());
    }

    #[test]
    fn ubuntu_upload_number_is_compared() {
        let uname = Uname {
            release: "5.15.0-107-generic".into(),
            build: "#117-Ubuntu SMP Fri Apr 26 12:26:49 UTC 2024".into(),
            ..Uname::default()
        };
        let package = Package {
            name: "linux-image-5.15.0-107-generic".into(),
            version: "5.15.0-107.117".into(),
            arch: "amd64".into(),
            source_name: Some("linux-signed".into()),
            source_version: None,
        };
        assert_eq!(kernel_rebuild_reason(&uname, &[package]), None);
    }

    #[test]
    fn deleted_library_lines_parse() {
        let text = "612\t/usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)\tsshd\nbad line\n";
        let mappings = parse_deleted_libraries(text);
        assert_eq!(mappings.len(), 1);
        assert_eq!(mappings[0].path, "/usr/lib/x86_64-linux-gnu/libssl.so.3");
        assert_eq!(mappings[0].command, "sshd");
        assert_eq!(parse_flag_file("absent\n"), None);
        assert_eq!(
            parse_flag_file("present\n*** System restart required ***\n"),
            Some(vec!["*** System restart required ***".to_string()])
        );
    }
}
