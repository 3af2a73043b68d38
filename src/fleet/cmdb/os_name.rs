//! Comparing an operating system as a CMDB writes it with what a host says.
//!
//! CMDBs hold free text: "Debian 12", "Debian GNU/Linux 12 (bookworm)",
//! "RHEL 9", "Red Hat Enterprise Linux Server release 7.9 (Maipo)",
//! "SUSE Linux Enterprise Server 15 SP5", "Windows Server 2022 Datacenter".
//! Both sides are reduced to a family and a version; they agree when the
//! families are equal and one version is a prefix of the other, so a CMDB
//! that records only "RHEL 9" does not contradict a host on 9.4.

use crate::artifact::inventory::OsInfo;

/// A normalised OS: `debian` + `[12]`, `rhel` + `[9, 4]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OsName {
    pub family: &'static str,
    pub version: Vec<u64>,
}

/// Longest spellings first, so "windows server" wins over "windows".
const FAMILIES: &[(&str, &str)] = &[
    ("red hat enterprise linux", "rhel"),
    ("suse linux enterprise server", "sles"),
    ("suse linux enterprise desktop", "sles"),
    ("windows server", "windows-server"),
    ("opensuse leap", "opensuse-leap"),
    ("amazon linux", "amzn"),
    ("oracle linux", "ol"),
    ("rocky linux", "rocky"),
    ("alma linux", "almalinux"),
    ("almalinux", "almalinux"),
    ("alpine linux", "alpine"),
    ("mac os x", "macos"),
    ("red hat", "rhel"),
    ("redhat", "rhel"),
    ("windows", "windows"),
    ("alpine", "alpine"),
    ("centos", "centos"),
    ("debian", "debian"),
    ("fedora", "fedora"),
    ("ubuntu", "ubuntu"),
    ("rocky", "rocky"),
    ("macos", "macos"),
    ("oracle", "ol"),
    ("rhel", "rhel"),
    ("sles", "sles"),
    ("sled", "sles"),
    ("amzn", "amzn"),
    ("alma", "almalinux"),
    ("os x", "macos"),
];

/// Family of an os-release `ID`.
fn family_of_id(id: &str, pretty_name: &str) -> Option<&'static str> {
    let id = id.trim().to_ascii_lowercase();
    if id == "windows" && pretty_name.to_ascii_lowercase().contains("server") {
        return Some("windows-server");
    }
    let family = match id.as_str() {
        "debian" => "debian",
        "ubuntu" => "ubuntu",
        "rhel" => "rhel",
        "centos" => "centos",
        "rocky" => "rocky",
        "almalinux" => "almalinux",
        "ol" => "ol",
        "sles" | "sled" => "sles",
        "opensuse-leap" => "opensuse-leap",
        "alpine" => "alpine",
        "amzn" => "amzn",
        "fedora" => "fedora",
        "windows" => "windows",
        "macos" => "macos",
        _ => return None,
    };
    Some(family)
}

/// Parses free text such as a CMDB column or os-release `PRETTY_NAME`.
pub(crate) fn parse(text: &str) -> Option<OsName> {
    let lower = text.to_ascii_lowercase();
    let (position, spelling, family) = FAMILIES
        .iter()
        .filter_map(|(spelling, family)| {
            word_position(&lower, spelling).map(|at| (at, *spelling, *family))
        })
        .min_by_key(|(at, spelling, _)| (*at, std::cmp::Reverse(spelling.len())))?;

    let rest = &lower[position + spelling.len()..];
    Some(OsName { family, version: version_numbers(rest) })
}

/// Where `word` starts in `text` as a whole word.
fn word_position(text: &str, word: &str) -> Option<usize> {
    text.match_indices(word).map(|(at, _)| at).find(|at| {
        let before = text[..*at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphabetic)
    })
}

/// The first dotted number (`7.9`, `22.04.4`, `2022`), plus a service pack
/// (`15 SP5` → 15.5) as SUSE writes it.
fn version_numbers(text: &str) -> Vec<u64> {
    let Some(start) = text.find(|c: char| c.is_ascii_digit()) else {
        return Vec::new();
    };
    let dotted: String =
        text[start..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let mut version: Vec<u64> = dotted.split('.').map_while(|part| part.parse().ok()).collect();

    let after = &text[start + dotted.len()..];
    let service_pack = after
        .trim_start()
        .strip_prefix("sp")
        .map(|pack| pack.chars().take_while(char::is_ascii_digit).collect::<String>());
    if let Some(pack) = service_pack.and_then(|pack| pack.parse().ok()) {
        if version.len() == 1 {
            version.push(pack);
        }
    }
    version
}

/// Ways the observed OS may be named: from `ID` + `VERSION_ID`, and from
/// `PRETTY_NAME` (Windows' build number says less than "Server 2022").
fn observed_names(os: &OsInfo) -> Vec<OsName> {
    let mut names = Vec::new();
    if let Some(family) = family_of_id(&os.id, &os.pretty_name) {
        names.push(OsName { family, version: version_numbers(&os.version_id) });
    }
    names.extend(parse(&os.pretty_name));
    names
}

/// Whether the CMDB's text agrees with the observed OS.
pub(crate) fn agrees(cmdb: &str, observed: &OsInfo) -> bool {
    let Some(recorded) = parse(cmdb) else {
        return normalised(cmdb) == normalised(&os_text(observed))
            || normalised(cmdb) == normalised(&format!("{} {}", observed.id, observed.version_id));
    };
    observed_names(observed).iter().any(|name| {
        name.family == recorded.family && prefix_compatible(&name.version, &recorded.version)
    })
}

fn prefix_compatible(left: &[u64], right: &[u64]) -> bool {
    left.iter().zip(right).all(|(left, right)| left == right)
}

fn normalised(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase()
}

/// How the observed OS is shown in a mismatch.
pub(crate) fn os_text(os: &OsInfo) -> String {
    if os.pretty_name.trim().is_empty() {
        format!("{} {}", os.id, os.version_id).trim().to_string()
    } else {
        os.pretty_name.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(id: &str, version_id: &str, pretty_name: &str) -> OsInfo {
        OsInfo {
            id: id.into(),
            version_id: version_id.into(),
            pretty_name: pretty_name.into(),
            codename: None,
            id_like: Vec::new(),
        }
    }

    #[test]
    fn debian_spellings_all_agree() {
        let debian = os("debian", "12", "Debian GNU/Linux 12 (bookworm)");
        for text in
            ["Debian 12", "debian 12", "Debian GNU/Linux 12 (bookworm)", "  DEBIAN   12 ", "Debian"]
        {
            assert!(agrees(text, &debian), "{text}");
        }
        assert!(!agrees("Debian 11", &debian));
        assert!(!agrees("Ubuntu 12", &debian));
    }

    #[test]
    fn less_precise_cmdb_versions_do_not_contradict() {
        let rhel = os("rhel", "9.4", "Red Hat Enterprise Linux 9.4 (Plow)");
        assert!(agrees("RHEL 9", &rhel));
        assert!(agrees("Red Hat Enterprise Linux Server release 9.4", &rhel));
        assert!(!agrees("RHEL 9.2", &rhel));
        assert!(!agrees("Red Hat Enterprise Linux 8", &rhel));
        let ubuntu = os("ubuntu", "22.04", "Ubuntu 22.04.4 LTS");
        assert!(agrees("Ubuntu 22.04", &ubuntu));
        assert!(agrees("ubuntu 22.04.4 lts", &ubuntu));
    }

    #[test]
    fn suse_service_packs_and_windows_years() {
        let sles = os("sles", "15.5", "SUSE Linux Enterprise Server 15 SP5");
        assert!(agrees("SUSE Linux Enterprise Server 15 SP5", &sles));
        assert!(agrees("SLES 15", &sles));
        assert!(!agrees("SLES 15 SP4", &sles));
        let windows = os("windows", "10.0.20348", "Microsoft Windows Server 2022 Datacenter");
        assert!(agrees("Windows Server 2022 Standard", &windows));
        assert!(!agrees("Windows Server 2019", &windows));
        assert!(!agrees("Windows 10", &windows));
    }

    #[test]
    fn unknown_families_fall_back_to_normalised_text() {
        let gentoo = os("gentoo", "2.15", "Gentoo Linux");
        assert!(agrees("gentoo  linux", &gentoo));
        assert!(!agrees("Slackware 15", &gentoo));
    }

    #[test]
    fn os_release_ids_map_to_families() {
        assert!(agrees("Oracle Linux 9", &os("ol", "9.4", "")));
        assert!(agrees("Amazon Linux 2023", &os("amzn", "2023", "")));
        assert!(agrees("Rocky Linux 9", &os("rocky", "9.3", "")));
    }
}
