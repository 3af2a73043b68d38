//! RPM-based hosts (RHEL and its rebuilds, Fedora, Amazon Linux, Oracle
//! Linux, SUSE): installed packages from `rpm -qa --queryformat`, pending
//! updates from `dnf`/`yum check-update` and `repoquery`, reboot need from
//! `needs-restarting`, and installed kernels from `rpm -q --last`.
//!
//! Versions are written as rpm orders them, `[EPOCH:]VERSION-RELEASE`, with
//! the epoch only when it is not zero. The source package comes from the
//! `SOURCERPM` file name, because advisories (RHSA, ALSA) name source
//! packages too.

use super::reboot::{ProcessRestart, RebootHint};
use crate::artifact::inventory::{Package, PendingUpdate};

/// The `rpm -qa --queryformat` the gather script uses.
pub const RPM_QUERY_FORMAT: &str = "%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH} %{SOURCERPM}\\n";

/// Parses `rpm -qa --queryformat '%{NAME} %{EPOCH|EPOCHNUM} %{VERSION}
/// %{RELEASE} %{ARCH} %{SOURCERPM} [extra…]'` lines. `gpg-pubkey` entries
/// are keys, not packages, and are left out.
pub fn parse_rpm_query(text: &str) -> Vec<Package> {
    let mut packages: Vec<Package> = text
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [name, epoch, version, release, arch, source_rpm, ..] = fields[..] else {
                return None;
            };
            (name != "gpg-pubkey").then(|| package(name, epoch, version, release, arch, source_rpm))
        })
        .collect();
    packages.sort();
    packages
}

fn package(
    name: &str,
    epoch: &str,
    version: &str,
    release: &str,
    arch: &str,
    source_rpm: &str,
) -> Package {
    let full_version = evr(epoch, version, release);
    let (source_name, source_version) = split_source_rpm(source_rpm).unzip();
    let plain_version = format!("{version}-{release}");
    Package {
        name: name.to_string(),
        version: full_version,
        arch: arch.to_string(),
        source_name: source_name.filter(|source| source != name),
        source_version: source_version.filter(|source| *source != plain_version),
    }
}

/// `[EPOCH:]VERSION-RELEASE`, leaving out an epoch of `0` or `(none)`.
pub fn evr(epoch: &str, version: &str, release: &str) -> String {
    let epoch = epoch.trim_matches('"');
    if epoch.is_empty() || epoch == "0" || epoch == "(none)" {
        format!("{version}-{release}")
    } else {
        format!("{epoch}:{version}-{release}")
    }
}

/// `kernel-5.14.0-70.13.1.el9_0.src.rpm` → (`kernel`, `5.14.0-70.13.1.el9_0`).
pub fn split_source_rpm(source_rpm: &str) -> Option<(String, String)> {
    let stem =
        source_rpm.strip_suffix(".src.rpm").or_else(|| source_rpm.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    Some((name.to_string(), format!("{version}-{release}")))
}

/// Parses `dnf`/`yum check-update` output: `NAME.ARCH VERSION REPO` rows.
/// Long names make yum wrap a row onto the next line, which is rejoined;
/// the `Obsoleting Packages` list that may follow is not a list of updates.
/// The installed version is not printed; the caller fills it in.
pub fn parse_check_update(text: &str) -> Vec<PendingUpdate> {
    let mut updates = Vec::new();
    let mut pending_name: Option<&str> = None;
    for line in text.lines() {
        if line.starts_with("Obsoleting Packages") {
            break;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let row: Vec<&str> = match (pending_name.take(), words.len()) {
            (None, 1) if words[0].contains('.') && !line.starts_with(' ') => {
                pending_name = Some(words[0]);
                continue;
            }
            (Some(name), 2) if line.starts_with(' ') => vec![name, words[0], words[1]],
            (_, 3) => words,
            _ => continue,
        };
        if let Some(update) = check_update_row(&row) {
            updates.push(update);
        }
    }
    updates.sort();
    updates
}

fn check_update_row(row: &[&str]) -> Option<PendingUpdate> {
    let (name, arch) = row[0].rsplit_once('.')?;
    let version = row[1];
    let is_version = version.contains('-') && version.starts_with(|c: char| c.is_ascii_digit());
    if name.is_empty() || !is_version {
        return None;
    }
    Some(PendingUpdate {
        name: name.to_string(),
        installed_version: None,
        candidate_version: version.to_string(),
        arch: Some(arch.to_string()),
        origin: Some(row[2].to_string()),
        security: None,
    })
}

/// Parses `needs-restarting -r` (yum-utils, dnf-utils): it names the core
/// packages updated since boot and says whether a reboot is required. A
/// missing plugin or any other text gives `required: None`.
pub fn parse_needs_restarting_reboot(text: &str) -> RebootHint {
    let required = if text.contains("Reboot is required") {
        Some(true)
    } else if text.contains("Reboot should not be necessary") {
        Some(false)
    } else {
        None
    };
    let packages = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("* "))
        .map(|package| package.trim().to_string())
        .collect();
    RebootHint { required, packages }
}

/// Parses plain `needs-restarting`: `PID : COMMAND LINE` per process.
pub fn parse_needs_restarting(text: &str) -> Vec<ProcessRestart> {
    let mut processes: Vec<ProcessRestart> = text
        .lines()
        .filter_map(|line| {
            let (pid, command) = line
                .split_once(" : ")
                .or_else(|| line.trim_end().strip_suffix(" :").map(|pid| (pid, "")))?;
            Some(ProcessRestart {
                pid: pid.trim().parse().ok()?,
                command: command.trim().to_string(),
                package: None,
            })
        })
        .collect();
    processes.sort();
    processes
}

/// Parses `repoquery --pkgnarrow=installed --qf '%{NAME} %{EPOCH}
/// %{VERSION} %{RELEASE} %{ARCH} %{SOURCERPM} %{UI_FROM_REPO}'`: the same
/// columns as [`parse_rpm_query`] plus the repository, which is dropped.
pub fn parse_repoquery_installed(text: &str) -> Vec<Package> {
    parse_rpm_query(text)
}

/// Parses `repoquery --pkgnarrow=updates --qf '"%{NAME}" "%{EPOCH}"
/// "%{VERSION}" "%{RELEASE}" "%{REPO}"'` rows into updates (no arch).
pub fn parse_repoquery_updates(text: &str) -> Vec<PendingUpdate> {
    let mut updates: Vec<PendingUpdate> = text
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> =
                line.split("\" \"").map(|f| f.trim().trim_matches('"')).collect();
            let [name, epoch, version, release, repo] = fields[..] else {
                return None;
            };
            Some(PendingUpdate {
                name: name.to_string(),
                installed_version: None,
                candidate_version: evr(epoch, version, release),
                arch: None,
                origin: Some(repo.to_string()),
                security: None,
            })
        })
        .collect();
    updates.sort();
    updates
}

/// Parses `rpm -q --last kernel…`: installed kernel packages, newest
/// install first, as `NAME-VERSION-RELEASE.ARCH`.
pub fn parse_rpm_last(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|nvra| nvra.contains('-'))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpm_rows_with_epoch_and_source() {
        let packages = parse_rpm_query(
            "nginx 1 1.24.0 4.el9 x86_64 nginx-1.24.0-4.el9.src.rpm (none)\n\
             kernel-core 0 5.14.0 70.13.1.el9_0 x86_64 kernel-5.14.0-70.13.1.el9_0.src.rpm\n\
             gpg-pubkey (none) fd431d51 4ae0493b (none) (none)\n",
        );
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[0].name, "kernel-core");
        assert_eq!(packages[0].source_name.as_deref(), Some("kernel"));
        assert_eq!(packages[0].source_version, None);
        assert_eq!(packages[1].version, "1:1.24.0-4.el9");
        assert_eq!(packages[1].source_name, None);
    }

    #[test]
    fn wrapped_check_update_rows_are_rejoined() {
        let text = "\nsome-very-long-package-name-that-wraps.noarch\n\
                    \x20                                 1.2-3.el8     appstream\n\
                    glibc.x86_64   2.28-161.el8   baseos\n\
                    Obsoleting Packages\n\
                    grub2.x86_64   1:2.02-99.el8   baseos\n";
        let updates = parse_check_update(text);
        let names: Vec<&str> = updates.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["glibc", "some-very-long-package-name-that-wraps"]);
    }

    #[test]
    fn source_rpm_names_split() {
        assert_eq!(
            split_source_rpm("java-1.8.0-amazon-corretto-1.8.0_432.b06-1.amzn2.src.rpm"),
            Some(("java-1.8.0-amazon-corretto".to_string(), "1.8.0_432.b06-1.amzn2".to_string()))
        );
        assert_eq!(split_source_rpm("(none)"), None);
    }
}
