//! End of life: is the OS a host runs still supported, and for how long?
//!
//! A host on an unsupported release gets no more security fixes, so no
//! amount of patching makes it safe; the inventory flags it, and flags
//! releases within `--eol-warn-days` of their end. The release tables come
//! from endoflife.date (embedded snapshot, see `data/endoflife/SOURCE.md`;
//! `--eol-data DIR` replaces products with newer files), and every artifact
//! records which snapshot was used and its date.
//!
//! "Supported" means security updates still reach the host as installed.
//! By default that includes extended support only where it is free and
//! arrives through the normal update channel (Debian LTS, published to the
//! regular security suite); paid programmes (Ubuntu ESM, RHEL ELS, SUSE
//! LTSS, Windows ESU) count only when the site says it has them
//! ([`ExtendedSupport::Include`]).
//!
//! "Today" is always passed in, never read from the clock here, so reports
//! are reproducible.

mod matching;
mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Unit;
use jiff::civil::Date;

use crate::artifact::inventory::{EolSource, EolStatus, OsInfo};

pub use table::{EMBEDDED_DATA_DATE, Release, SupportEnd};

/// Why a release table could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum EolError {
    #[error("cannot read end-of-life data `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse { path: PathBuf, line: usize, column: usize, message: String },

    #[error("{}: releases[{index}]: {message}", path.display())]
    Release { path: PathBuf, index: usize, message: String },

    #[error("`{}` holds no endoflife.date product files (`*.md`)", path.display())]
    NoProducts { path: PathBuf },
}

/// Which extended-support programmes count as support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExtendedSupport {
    /// Standard support only.
    Exclude,
    /// Extended support that needs no subscription (Debian LTS).
    #[default]
    Free,
    /// Every extended programme (the site pays for ESM, ELS, LTSS, ESU).
    Include,
}

/// How releases are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EolPolicy {
    /// Releases ending within this many days are `approaching`.
    pub warn_days: u32,
    pub extended: ExtendedSupport,
}

impl Default for EolPolicy {
    fn default() -> Self {
        EolPolicy { warn_days: 90, extended: ExtendedSupport::Free }
    }
}

/// Products whose extended support reaches hosts without a subscription.
const FREE_EXTENDED: &[&str] = &["debian"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EolState {
    Supported,
    /// Support ends within the warning window.
    Approaching,
    Unsupported,
}

impl EolState {
    pub fn as_str(self) -> &'static str {
        match self {
            EolState::Supported => "supported",
            EolState::Approaching => "approaching",
            EolState::Unsupported => "unsupported",
        }
    }
}

/// Which support period a release is in today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupportPhase {
    Standard,
    /// Past `eol`, within counted extended support (`eoes`).
    Extended,
    Ended,
}

/// The verdict for one host's OS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EolAssessment {
    pub product: String,
    pub cycle: String,
    /// End of the support that counts under the policy.
    pub end: SupportEnd,
    pub phase: SupportPhase,
    pub state: EolState,
    /// Days from today until `end` (negative once past); `None` without a date.
    pub days_left: Option<i64>,
}

impl EolAssessment {
    /// The artifact's form.
    pub fn to_status(&self) -> EolStatus {
        EolStatus {
            product: self.product.clone(),
            cycle: self.cycle.clone(),
            eol_date: match self.end {
                SupportEnd::On(date) => Some(date.to_string()),
                SupportEnd::Ended | SupportEnd::Ongoing => None,
            },
            state: self.state.as_str().to_string(),
            days_left: self.days_left,
        }
    }
}

/// Release tables of every known product, and where they came from.
#[derive(Debug, Clone)]
pub struct EolTable {
    products: BTreeMap<String, Vec<Release>>,
    source: EolSource,
}

impl EolTable {
    /// The snapshot compiled into patchpilot.
    pub fn embedded() -> Result<Self, EolError> {
        let source =
            EolSource { origin: "embedded".to_string(), data_date: EMBEDDED_DATA_DATE.to_string() };
        Ok(EolTable { products: table::embedded_products()?, source })
    }

    /// The embedded snapshot with every product found in `dir` (endoflife.date
    /// `products/*.md` files) replaced by the newer file. The data date becomes
    /// the newest release date in those files, a lower bound on their age.
    pub fn with_overrides(dir: &Path) -> Result<Self, EolError> {
        let overrides = table::directory_products(dir)?;
        let data_date = table::newest_date(overrides.values().flatten())
            .map_or_else(|| EMBEDDED_DATA_DATE.to_string(), |date| date.to_string());

        let mut products = table::embedded_products()?;
        products.extend(overrides);
        let source = EolSource { origin: dir.display().to_string(), data_date };
        Ok(EolTable { products, source })
    }

    /// Provenance for the artifact.
    pub fn source(&self) -> &EolSource {
        &self.source
    }

    pub fn releases(&self, product: &str) -> Option<&[Release]> {
        self.products.get(product).map(Vec::as_slice)
    }

    /// The product and release the host runs, when known.
    pub fn release_for(&self, os: &OsInfo) -> Option<(&'static str, &Release)> {
        let product = matching::product_for(os)?;
        let release = matching::release_for(product, os, self.products.get(product)?)?;
        Some((product, release))
    }

    /// Judges the host's OS on `today`; `None` when the OS or release is not
    /// in the tables.
    pub fn assess(&self, os: &OsInfo, today: Date, policy: &EolPolicy) -> Option<EolAssessment> {
        let (product, release) = self.release_for(os)?;
        let counts_extended = match policy.extended {
            ExtendedSupport::Exclude => false,
            ExtendedSupport::Free => FREE_EXTENDED.contains(&product),
            ExtendedSupport::Include => true,
        };
        let extended = release.extended_end.filter(|_| counts_extended);
        let end = extended.unwrap_or(release.end);

        let days_left = match end {
            SupportEnd::On(date) => Some(days_between(today, date)),
            SupportEnd::Ended | SupportEnd::Ongoing => None,
        };
        Some(EolAssessment {
            product: product.to_string(),
            cycle: release.cycle.clone(),
            end,
            phase: phase(today, release.end, end),
            state: state(end, days_left, policy.warn_days),
            days_left,
        })
    }

    /// [`EolTable::assess`] in the artifact's form.
    pub fn status(&self, os: &OsInfo, today: Date, policy: &EolPolicy) -> Option<EolStatus> {
        self.assess(os, today, policy).map(|assessment| assessment.to_status())
    }
}

fn days_between(today: Date, end: Date) -> i64 {
    today.until((Unit::Day, end)).map_or(0, |span| i64::from(span.get_days()))
}

fn state(end: SupportEnd, days_left: Option<i64>, warn_days: u32) -> EolState {
    match (end, days_left) {
        (SupportEnd::Ended, _) => EolState::Unsupported,
        (_, Some(days)) if days < 0 => EolState::Unsupported,
        (_, Some(days)) if days <= i64::from(warn_days) => EolState::Approaching,
        _ => EolState::Supported,
    }
}

fn phase(today: Date, standard_end: SupportEnd, counted_end: SupportEnd) -> SupportPhase {
    let within = |end: SupportEnd| match end {
        SupportEnd::On(date) => today <= date,
        SupportEnd::Ended => false,
        SupportEnd::Ongoing => true,
    };
    if within(standard_end) {
        SupportPhase::Standard
    } else if within(counted_end) {
        SupportPhase::Extended
    } else {
        SupportPhase::Ended
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    const TODAY: Date = date(2026, 8, 22);

    fn os(id: &str, version_id: &str, pretty_name: &str) -> OsInfo {
        OsInfo {
            id: id.into(),
            version_id: version_id.into(),
            pretty_name: pretty_name.into(),
            codename: None,
            id_like: Vec::new(),
        }
    }

    fn table() -> EolTable {
        EolTable::embedded().expect("embedded data is valid")
    }

    fn assess(os_info: &OsInfo, policy: EolPolicy) -> EolAssessment {
        table().assess(os_info, TODAY, &policy).expect("release is in the table")
    }

    fn summary(os_info: &OsInfo) -> (String, String, Option<i64>) {
        let assessed = assess(os_info, EolPolicy::default());
        (assessed.cycle, assessed.state.as_str().to_string(), assessed.days_left)
    }

    #[test]
    fn the_embedded_source_records_the_snapshot_date() {
        let source = table().source().clone();
        assert_eq!((source.origin.as_str(), source.data_date.as_str()), ("embedded", "2026-08-22"));
        let readme = include_str!("../../data/endoflife/SOURCE.md");
        assert!(readme.contains(&format!("data date {EMBEDDED_DATA_DATE}")));
    }

    #[test]
    fn debian_10_is_unsupported_on_2026_08_22() {
        let buster = os("debian", "10", "Debian GNU/Linux 10 (buster)");
        assert_eq!(summary(&buster), ("10".into(), "unsupported".into(), Some(-783)));
        let status = table().status(&buster, TODAY, &EolPolicy::default()).expect("known");
        assert_eq!(status.eol_date.as_deref(), Some("2024-06-30"));
    }

    #[test]
    fn debian_12_is_supported_through_lts_but_not_by_the_security_team() {
        let bookworm = os("debian", "12", "Debian GNU/Linux 12 (bookworm)");
        let free = assess(&bookworm, EolPolicy::default());
        assert_eq!(
            (free.state, free.phase, free.days_left),
            (EolState::Supported, SupportPhase::Extended, Some(678))
        );
        assert_eq!(free.end, SupportEnd::On(date(2028, 6, 30)));

        let strict = assess(
            &bookworm,
            EolPolicy { extended: ExtendedSupport::Exclude, ..EolPolicy::default() },
        );
        assert_eq!((strict.state, strict.days_left), (EolState::Unsupported, Some(-42)));
        assert_eq!(summary(&os("debian", "13", "Debian GNU/Linux 13 (trixie)")).1, "supported");
    }

    #[test]
    fn ubuntu_lts_releases_and_paid_esm() {
        assert_eq!(
            summary(&os("ubuntu", "22.04", "Ubuntu 22.04.4 LTS")),
            ("22.04".into(), "supported".into(), Some(222))
        );
        let focal = os("ubuntu", "20.04", "Ubuntu 20.04.6 LTS");
        assert_eq!(summary(&focal).1, "unsupported");
        let with_esm = assess(
            &focal,
            EolPolicy { extended: ExtendedSupport::Include, ..EolPolicy::default() },
        );
        assert_eq!((with_esm.state, with_esm.phase), (EolState::Supported, SupportPhase::Extended));
    }

    #[test]
    fn rhel_point_releases_map_to_their_major() {
        assert_eq!(
            summary(&os("rhel", "9.4", "Red Hat Enterprise Linux 9.4 (Plow)")),
            ("9".into(), "supported".into(), Some(2109))
        );
        assert_eq!(
            summary(&os("rhel", "7.9", "Red Hat Enterprise Linux Server 7.9 (Maipo)")).1,
            "unsupported"
        );
        assert_eq!(summary(&os("rocky", "9.3", "Rocky Linux 9.3 (Blue Onyx)")).0, "9");
        assert_eq!(summary(&os("almalinux", "8.10", "AlmaLinux 8.10")).0, "8");
        assert_eq!(summary(&os("ol", "9.4", "Oracle Linux Server 9.4")).0, "9");
    }

    #[test]
    fn alpine_patch_versions_map_to_their_branch() {
        let (cycle, state, days) = summary(&os("alpine", "3.20.1", "Alpine Linux v3.20"));
        assert_eq!(cycle, "3.20");
        assert_eq!(state, "unsupported");
        assert!(days.is_some_and(|days| days < 0));
        assert_eq!(
            summary(&os("alpine", "3.21.3", "Alpine Linux v3.21")),
            ("3.21".into(), "approaching".into(), Some(71))
        );
        assert_eq!(summary(&os("alpine", "3.22.0", "Alpine Linux v3.22")).1, "supported");
    }

    #[test]
    fn windows_server_by_name_and_by_build() {
        let by_name = os("windows", "10.0.20348", "Microsoft Windows Server 2022 Datacenter");
        assert_eq!(summary(&by_name), ("2022".into(), "supported".into(), Some(1879)));
        let semi_annual = os("windows", "10.0.17763.6189", "Microsoft Windows Server Datacenter");
        assert_eq!(summary(&semi_annual).0, "1809-sac");
        let by_build = os("windows", "10.0.20348.2582", "Microsoft Windows Server Datacenter");
        assert_eq!(summary(&by_build).0, "2022");
        assert_eq!(
            summary(&os("windows", "6.3.9600", "Windows Server 2012 R2 Standard")),
            ("2012-r2".into(), "unsupported".into(), Some(-1047))
        );
    }

    #[test]
    fn windows_clients_by_build_and_edition() {
        assert_eq!(
            summary(&os("windows", "10.0.26100.4061", "Microsoft Windows 11 Pro")).0,
            "11-24h2-w"
        );
        assert_eq!(
            summary(&os("windows", "10.0.26100", "Microsoft Windows 11 Enterprise")).0,
            "11-24h2-e"
        );
        assert_eq!(
            summary(&os("windows", "10.0.26100", "Microsoft Windows 11 Enterprise LTSC")).0,
            "11-24h2-e-lts"
        );
        assert_eq!(summary(&os("windows", "10.0.19045", "Microsoft Windows 10 Pro")).0, "10-22h2");
    }

    #[test]
    fn sles_macos_amazon_and_fedora_cycles() {
        assert_eq!(summary(&os("sles", "15.5", "SUSE Linux Enterprise Server 15 SP5")).0, "15.5");
        assert_eq!(summary(&os("sles", "15", "SUSE Linux Enterprise Server 15")).0, "15.0");
        assert_eq!(summary(&os("macos", "14.5", "macOS 14.5")).0, "14");
        assert_eq!(summary(&os("macos", "10.15.7", "macOS 10.15.7")).0, "10.15");
        assert_eq!(summary(&os("amzn", "2023", "Amazon Linux 2023.5")).0, "2023");
        assert_eq!(summary(&os("amzn", "2", "Amazon Linux 2")).1, "unsupported");
        assert_eq!(summary(&os("fedora", "40", "Fedora Linux 40")).0, "40");
    }

    #[test]
    fn macos_without_an_announced_end_is_supported_with_no_countdown() {
        assert_eq!(
            summary(&os("macos", "26.6.2", "macOS 26.6.2")),
            ("26".into(), "supported".into(), None)
        );
    }

    #[test]
    fn unknown_systems_and_releases_have_no_verdict() {
        let table = table();
        let policy = EolPolicy::default();
        assert!(table.assess(&os("gentoo", "2.15", "Gentoo"), TODAY, &policy).is_none());
        assert!(
            table
                .assess(&os("debian", "", "Debian GNU/Linux trixie/sid"), TODAY, &policy)
                .is_none()
        );
        assert!(table.assess(&os("centos", "9", "CentOS Stream 9"), TODAY, &policy).is_none());
        assert!(table.assess(&os("ubuntu", "99.04", "Ubuntu 99.04"), TODAY, &policy).is_none());
    }

    #[test]
    fn a_directory_of_newer_files_overrides_the_embedded_product() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let newer = "---\ntitle: Debian\nreleases:\n  - releaseCycle: \"12\"\n    releaseDate: 2023-06-10\n    eol: 2026-09-01\n    latestReleaseDate: 2026-09-20\n---\n";
        std::fs::write(dir.path().join("debian.md"), newer).expect("write override");

        let table = EolTable::with_overrides(dir.path()).expect("valid override");
        assert_eq!(table.source().data_date, "2026-09-20");
        assert_eq!(table.source().origin, dir.path().display().to_string());
        let bookworm = os("debian", "12", "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(summary_with(&table, &bookworm), ("approaching".into(), Some(10)));
        assert!(table.releases("ubuntu").is_some(), "other products stay embedded");
    }

    #[test]
    fn an_override_directory_without_product_files_is_an_error() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let error = EolTable::with_overrides(dir.path()).expect_err("empty").to_string();
        assert!(error.ends_with("holds no endoflife.date product files (`*.md`)"), "{error}");
    }

    fn summary_with(table: &EolTable, os_info: &OsInfo) -> (String, Option<i64>) {
        let assessed = table.assess(os_info, TODAY, &EolPolicy::default()).expect("known");
        (assessed.state.as_str().to_string(), assessed.days_left)
    }

    #[test]
    fn warning_windows_are_inclusive() {
        assert_eq!(state(SupportEnd::On(TODAY), Some(0), 90), EolState::Approaching);
        assert_eq!(state(SupportEnd::On(TODAY), Some(90), 90), EolState::Approaching);
        assert_eq!(state(SupportEnd::On(TODAY), Some(91), 90), EolState::Supported);
        assert_eq!(state(SupportEnd::Ended, None, 90), EolState::Unsupported);
    }
}
