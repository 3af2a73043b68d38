//! Package version ordering, exactly as each package manager orders it.
//!
//! A finding is only as good as the comparison behind it: one wrong answer
//! either hides a vulnerable host or flags a patched one. Each scheme lives in
//! its own module and is proven against the real tool (`dpkg`, `rpm`) or the
//! tool's own test vectors (apk). Versions are parsed once and compared many
//! times, so the parsed forms keep their pieces ready for comparison.

mod apk;
mod dpkg;
mod rpm;

use std::cmp::Ordering;
use std::fmt;

pub use apk::ApkVersion;
pub use dpkg::DpkgVersion;
pub use rpm::RpmVersion;

/// Which package manager's rules order the versions of an ecosystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VersionScheme {
    /// Debian and Ubuntu: `[epoch:]upstream[-revision]`, `~` sorts first.
    Dpkg,
    /// Red Hat, AlmaLinux, Rocky: `[epoch:]version-release`, rpmvercmp.
    Rpm,
    /// Alpine: `{digits}{.digits}{letter}{_suffix{n}}{-rN}`.
    Apk,
}

impl fmt::Display for VersionScheme {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            VersionScheme::Dpkg => "dpkg",
            VersionScheme::Rpm => "rpm",
            VersionScheme::Apk => "apk",
        })
    }
}

/// A version string that does not parse under its scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{version}` is not a valid {scheme} version: {reason}")]
pub struct VersionError {
    pub version: String,
    pub scheme: VersionScheme,
    pub reason: &'static str,
}

/// A parsed version of one scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    Dpkg(DpkgVersion),
    Rpm(RpmVersion),
    Apk(ApkVersion),
}

impl Version {
    pub fn parse(scheme: VersionScheme, text: &str) -> Result<Self, VersionError> {
        match scheme {
            VersionScheme::Dpkg => DpkgVersion::parse(text).map(Version::Dpkg),
            VersionScheme::Rpm => RpmVersion::parse(text).map(Version::Rpm),
            VersionScheme::Apk => ApkVersion::parse(text).map(Version::Apk),
        }
    }

    /// Orders two versions of the same scheme. Versions of different schemes
    /// never meet in practice (an index holds one scheme per ecosystem); they
    /// order by scheme so the relation stays total.
    pub fn compare(&self, other: &Version) -> Ordering {
        match (self, other) {
            (Version::Dpkg(a), Version::Dpkg(b)) => a.compare(b),
            (Version::Rpm(a), Version::Rpm(b)) => a.compare(b),
            (Version::Apk(a), Version::Apk(b)) => a.compare(b),
            _ => self.scheme().cmp(&other.scheme()),
        }
    }

    pub fn scheme(&self) -> VersionScheme {
        match self {
            Version::Dpkg(_) => VersionScheme::Dpkg,
            Version::Rpm(_) => VersionScheme::Rpm,
            Version::Apk(_) => VersionScheme::Apk,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Dpkg(version) => version.fmt(formatter),
            Version::Rpm(version) => version.fmt(formatter),
            Version::Apk(version) => version.fmt(formatter),
        }
    }
}

/// Compares two version strings under `scheme`, parsing both.
pub fn compare_strings(
    scheme: VersionScheme,
    left: &str,
    right: &str,
) -> Result<Ordering, VersionError> {
    let left = Version::parse(scheme, left)?;
    let right = Version::parse(scheme, right)?;
    Ok(left.compare(&right))
}
