//! Which operating-system release an advisory speaks about, and which hosts
//! run it.
//!
//! Advisory feeds name releases in their own ways (`Debian:12`,
//! `Ubuntu:22.04:LTS`, `Ubuntu:Pro:16.04:LTS`, `AlmaLinux:9`,
//! `Rocky Linux:8`, `Red Hat:rhel_eus:9.2::appstream`, `Alpine:v3.18`, a CSAF
//! CPE, a Debian codename). All of them are reduced to a [`Distro`]: a family
//! plus a release string. A host matches a release when its os-release
//! `VERSION_ID` equals it or extends it by dot-separated parts, so
//! `AlmaLinux:9` covers 9.4 while `rhel_eus:9.2` covers only 9.2.x.

use std::fmt;

use super::version::VersionScheme;
use crate::artifact::inventory::OsInfo;

/// A distribution family whose packages patchpilot can match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Debian,
    Ubuntu,
    Alpine,
    AlmaLinux,
    Rocky,
    Rhel,
}

impl Family {
    pub fn scheme(self) -> VersionScheme {
        match self {
            Family::Debian | Family::Ubuntu => VersionScheme::Dpkg,
            Family::Alpine => VersionScheme::Apk,
            Family::AlmaLinux | Family::Rocky | Family::Rhel => VersionScheme::Rpm,
        }
    }

    /// Whether advisories of this family name source packages whose
    /// versions are source versions (Debian, Ubuntu, Alpine origins).
    pub fn names_source_packages(self) -> bool {
        matches!(self, Family::Debian | Family::Ubuntu | Family::Alpine)
    }

    /// The family of an os-release `ID`.
    // LIMITATION: `ID_LIKE` is not consulted, so CentOS Stream, Oracle Linux
    // and other rebuilds are reported as `no-advisory-data` rather than
    // matched against Red Hat or AlmaLinux advisories; a per-fleet
    // `--treat-as ol=rhel` mapping would lift it once someone has checked
    // that the release strings of those rebuilds order like RHEL's.
    pub fn from_os_id(id: &str) -> Option<Family> {
        match id {
            "debian" => Some(Family::Debian),
            "ubuntu" => Some(Family::Ubuntu),
            "alpine" => Some(Family::Alpine),
            "almalinux" => Some(Family::AlmaLinux),
            "rocky" => Some(Family::Rocky),
            "rhel" => Some(Family::Rhel),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Family::Debian => "Debian",
            Family::Ubuntu => "Ubuntu",
            Family::Alpine => "Alpine",
            Family::AlmaLinux => "AlmaLinux",
            Family::Rocky => "Rocky Linux",
            Family::Rhel => "Red Hat",
        }
    }
}

/// One release of one family, e.g. Debian `12` or AlmaLinux `9`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Distro {
    pub family: Family,
    /// Dot-separated release, without any `v` prefix: `12`, `22.04`, `3.18`, `9.2`.
    pub release: String,
}

impl fmt::Display for Distro {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}", self.family.label(), self.release)
    }
}

impl Distro {
    pub fn new(family: Family, release: &str) -> Self {
        Distro { family, release: release.to_string() }
    }

    /// The release keys a host can be matched under, most general first:
    /// `9.4` gives `9` and `9.4`; `3.18.4` gives `3`, `3.18` and `3.18.4`.
    pub fn keys_for_host(os: &OsInfo) -> Vec<Distro> {
        let Some(family) = Family::from_os_id(&os.id) else {
            return Vec::new();
        };
        let version = os.version_id.trim().trim_start_matches('v');
        let mut keys = Vec::new();
        let mut end = 0;
        for part in version.split('.') {
            if part.is_empty() {
                break;
            }
            end += part.len();
            keys.push(Distro::new(family, &version[..end]));
            end += 1;
        }
        keys
    }
}

/// Why an ecosystem string is not one patchpilot matches.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ecosystem `{ecosystem}` is not a supported operating-system release")]
pub struct UnsupportedEcosystem {
    pub ecosystem: String,
}

/// Parses an OSV ecosystem string.
pub fn parse_osv_ecosystem(ecosystem: &str) -> Result<Distro, UnsupportedEcosystem> {
    let unsupported = || UnsupportedEcosystem { ecosystem: ecosystem.to_string() };
    let mut parts = ecosystem.split(':');
    let name = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();

    let (family, release) = match name {
        "Debian" => (Family::Debian, rest.first().copied()),
        "Ubuntu" => (Family::Ubuntu, rest.iter().copied().find(|part| is_release(part))),
        "Alpine" => (Family::Alpine, rest.first().map(|part| part.trim_start_matches('v'))),
        "AlmaLinux" => (Family::AlmaLinux, rest.first().copied()),
        "Rocky Linux" => (Family::Rocky, rest.first().copied()),
        "Red Hat" => (Family::Rhel, red_hat_release(&rest)),
        _ => return Err(unsupported()),
    };
    match release {
        Some(release) if is_release(release) => Ok(Distro::new(family, release)),
        _ => Err(unsupported()),
    }
}

/// `Red Hat:enterprise_linux:9::appstream`, `Red Hat:rhel_eus:9.2::baseos`;
/// other Red Hat products (OpenShift, Satellite…) are not operating systems.
fn red_hat_release<'a>(rest: &[&'a str]) -> Option<&'a str> {
    match rest {
        [product, release, ..]
            if matches!(*product, "enterprise_linux" | "rhel_eus" | "rhel_aus" | "rhel_e4s") =>
        {
            Some(release)
        }
        _ => None,
    }
}

/// The release in a Red Hat CPE: `cpe:/o:redhat:enterprise_linux:8::baseos`.
pub fn parse_red_hat_cpe(cpe: &str) -> Option<Distro> {
    let parts: Vec<&str> = cpe.trim_start_matches("cpe:/").split(':').collect();
    match parts.as_slice() {
        [_, "redhat", product, release, ..] => red_hat_release(&[product, release])
            .filter(|release| is_release(release))
            .map(|release| Distro::new(Family::Rhel, release)),
        _ => None,
    }
}

/// Debian release codenames and their numbers, for the security tracker's
/// `[bookworm]` lines.
pub fn debian_release_of_codename(codename: &str) -> Option<&'static str> {
    const CODENAMES: [(&str, &str); 14] = [
        ("woody", "3.0"),
        ("sarge", "3.1"),
        ("etch", "4.0"),
        ("lenny", "5.0"),
        ("squeeze", "6.0"),
        ("wheezy", "7"),
        ("jessie", "8"),
        ("stretch", "9"),
        ("buster", "10"),
        ("bullseye", "11"),
        ("bookworm", "12"),
        ("trixie", "13"),
        ("forky", "14"),
        ("duke", "15"),
    ];
    CODENAMES.iter().find(|(name, _)| *name == codename).map(|(_, release)| *release)
}

fn is_release(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distro(text: &str) -> String {
        parse_osv_ecosystem(text).map(|distro| distro.to_string()).unwrap_or_default()
    }

    #[test]
    fn osv_ecosystems_of_every_supported_family_parse() {
        assert_eq!(distro("Debian:12"), "Debian:12");
        assert_eq!(distro("Debian:3.0"), "Debian:3.0");
        assert_eq!(distro("Ubuntu:22.04:LTS"), "Ubuntu:22.04");
        assert_eq!(distro("Ubuntu:Pro:16.04:LTS"), "Ubuntu:16.04");
        assert_eq!(distro("Ubuntu:25.04"), "Ubuntu:25.04");
        assert_eq!(distro("Alpine:v3.18"), "Alpine:3.18");
        assert_eq!(distro("AlmaLinux:9"), "AlmaLinux:9");
        assert_eq!(distro("Rocky Linux:8"), "Rocky Linux:8");
        assert_eq!(distro("Red Hat:rhel_eus:9.2::appstream"), "Red Hat:9.2");
        assert_eq!(distro("Red Hat:enterprise_linux:9::baseos"), "Red Hat:9");
    }

    #[test]
    fn other_ecosystems_are_unsupported_not_errors_of_the_record() {
        assert!(parse_osv_ecosystem("PyPI").is_err());
        assert!(parse_osv_ecosystem("Red Hat:ocp_tools:4.12").is_err());
        assert!(parse_osv_ecosystem("Debian").is_err());
    }

    #[test]
    fn host_keys_cover_every_release_prefix() {
        let os = OsInfo { id: "almalinux".into(), version_id: "9.4".into(), ..OsInfo::default() };
        let keys: Vec<String> =
            Distro::keys_for_host(&os).iter().map(ToString::to_string).collect();
        assert_eq!(keys, ["AlmaLinux:9", "AlmaLinux:9.4"]);
        let os = OsInfo { id: "debian".into(), version_id: "12".into(), ..OsInfo::default() };
        assert_eq!(Distro::keys_for_host(&os), [Distro::new(Family::Debian, "12")]);
        let os = OsInfo { id: "windows".into(), version_id: "10".into(), ..OsInfo::default() };
        assert!(Distro::keys_for_host(&os).is_empty());
    }

    #[test]
    fn red_hat_cpes_and_debian_codenames_resolve() {
        assert_eq!(
            parse_red_hat_cpe("cpe:/o:redhat:enterprise_linux:8::baseos"),
            Some(Distro::new(Family::Rhel, "8"))
        );
        assert_eq!(parse_red_hat_cpe("cpe:/a:redhat:openshift:4.12::el8"), None);
        assert_eq!(debian_release_of_codename("bullseye"), Some("11"));
    }
}
