//! Matching installed packages against advisories, fast enough for a fleet.
//!
//! Advisories are indexed once by release and package name, so each
//! installed package costs one or two hash look-ups and most cost nothing
//! more. A package's version is parsed only when some advisory names it.
//! Debian, Ubuntu and Alpine advisories name *source* packages and give
//! source versions, so a binary package is looked up under its source name
//! and compared by its source version (a binNMU's `+b1` does not count);
//! Ubuntu's per-advisory binary lists catch hosts whose inventory lacks the
//! source name. Red Hat-family advisories name binary rpms directly.

use std::collections::HashSet;

use ahash::AHashMap as HashMap;
use std::collections::hash_map::Entry;

use super::Advisory;
use super::affected::{Affected, Verdict, lowest};
use super::ecosystem::Distro;
use super::installed::InstalledPackage;
use super::version::{Version, VersionError};
use crate::artifact::inventory::OsInfo;
#[cfg(test)]
use crate::artifact::inventory::Package;

/// Points at one affected entry of one advisory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct EntryRef {
    advisory: u32,
    affected: u32,
}

/// The look-up tables of one release.
#[derive(Debug, Default)]
struct ReleaseTable {
    /// Small number identifying the table in cache keys.
    id: u16,
    /// Keyed by the package the advisory names.
    by_package: HashMap<String, Vec<EntryRef>>,
    /// Keyed by binary packages listed as built from it.
    by_binary: HashMap<String, Vec<EntryRef>>,
}

/// All advisories, indexed by release and package.
#[derive(Debug, Default)]
pub struct AdvisoryIndex {
    advisories: Vec<Advisory>,
    tables: HashMap<Distro, ReleaseTable>,
    duplicates: usize,
}

/// One installed package inside one advisory.
#[derive(Debug, Clone, Copy)]
pub struct PackageMatch<'a> {
    /// Index into the host's package list.
    pub package: usize,
    /// Index into [`AdvisoryIndex::advisories`].
    pub advisory: usize,
    /// The first entry that matched, for the names and ecosystem it gives.
    pub affected: &'a Affected,
    /// The lowest fixed version above the installed one, if one exists.
    pub fixed: Option<&'a Version>,
}

/// Verdicts already worked out, by installed package and release, so that
/// hosts running the same package builds (most of a fleet) cost one hash
/// look-up per package. The cache owns its keys, so hosts can be parsed,
/// assessed and dropped one at a time; it borrows only from the index
/// (`'a`). One cache per worker thread.
#[derive(Debug, Default)]
pub struct MatchCache<'a> {
    hasher: ahash::RandomState,
    /// By hash of the key, stored inline so a hit touches as little memory
    /// as possible (the look-up runs once per installed package).
    verdicts: HashMap<u64, CachedVerdict<'a>>,
    /// Entries whose hash is taken by a different key; practically empty.
    collided: Vec<CachedVerdict<'a>>,
}

#[derive(Debug)]
struct CachedVerdict<'a> {
    key: CacheKey,
    result: Result<Vec<CachedMatch<'a>>, VersionError>,
}

/// The host's release tables, and the package name, source name and
/// compared version in one allocation, separated by NUL (`\u{1}` stands
/// for "no source name"; neither occurs in package names).
#[derive(Debug, PartialEq, Eq)]
struct CacheKey {
    tables: u64,
    text: Box<str>,
}

const NO_SOURCE: &str = "\u{1}";

impl CacheKey {
    fn new(tables: u64, package: &impl InstalledPackage, version: &str) -> Self {
        let source = package.source_name().unwrap_or(NO_SOURCE);
        let text = [package.name(), source, version].join("\0").into_boxed_str();
        CacheKey { tables, text }
    }

    fn is(&self, tables: u64, package: &impl InstalledPackage, version: &str) -> bool {
        let (name, source) = (package.name(), package.source_name().unwrap_or(NO_SOURCE));
        if self.tables != tables || self.text.len() != name.len() + source.len() + version.len() + 2
        {
            return false;
        }
        let text = self.text.as_bytes();
        let (first, rest) = text.split_at(name.len());
        let (second, third) = rest[1..].split_at(source.len());
        first == name.as_bytes() && second == source.as_bytes() && &third[1..] == version.as_bytes()
    }
}

#[derive(Debug, Clone, Copy)]
struct CachedMatch<'a> {
    advisory: usize,
    affected: &'a Affected,
    fixed: Option<&'a Version>,
}

/// Everything matched on one host.
#[derive(Debug, Default)]
pub struct HostMatches<'a> {
    /// The releases whose advisories were checked.
    pub coverage: Vec<Distro>,
    pub matches: Vec<PackageMatch<'a>>,
    /// Installed versions that do not parse, with the reason.
    pub unparsable: Vec<VersionError>,
}

impl AdvisoryIndex {
    /// Indexes advisories; a later advisory with an id already seen is
    /// dropped (the same DSA may come from OSV and from the tracker list).
    pub fn new(advisories: Vec<Advisory>) -> Self {
        let mut index = AdvisoryIndex::default();
        let mut seen = HashSet::new();
        for advisory in advisories {
            if !seen.insert(advisory.id.clone()) {
                index.duplicates += 1;
                continue;
            }
            index.insert(advisory);
        }
        index
    }

    fn insert(&mut self, advisory: Advisory) {
        let advisory_number = u32::try_from(self.advisories.len()).unwrap_or(u32::MAX);
        for (affected_number, affected) in advisory.affected.iter().enumerate() {
            let entry = EntryRef {
                advisory: advisory_number,
                affected: u32::try_from(affected_number).unwrap_or(u32::MAX),
            };
            let next_id = u16::try_from(self.tables.len()).unwrap_or(u16::MAX);
            let table = self
                .tables
                .entry(affected.distro.clone())
                .or_insert_with(|| ReleaseTable { id: next_id, ..ReleaseTable::default() });
            table.by_package.entry(affected.package.clone()).or_default().push(entry);
            for binary in &affected.binaries {
                table.by_binary.entry(binary.clone()).or_default().push(entry);
            }
        }
        self.advisories.push(advisory);
    }

    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
    }

    /// Advisories dropped because their id was already indexed.
    pub fn duplicates(&self) -> usize {
        self.duplicates
    }

    /// Finds every installed package that an advisory says is affected and
    /// that is not at or past a fix.
    pub fn match_host<'a, P: InstalledPackage>(
        &'a self,
        os: &OsInfo,
        packages: &[P],
    ) -> HostMatches<'a> {
        self.match_host_cached(os, packages, &mut MatchCache::default())
    }

    /// [`Self::match_host`], reusing verdicts from earlier hosts.
    pub fn match_host_cached<'a, P: InstalledPackage>(
        &'a self,
        os: &OsInfo,
        packages: &[P],
        cache: &mut MatchCache<'a>,
    ) -> HostMatches<'a> {
        let keys = Distro::keys_for_host(os);
        let tables: Vec<(&Distro, &ReleaseTable)> =
            keys.iter().filter_map(|key| self.tables.get_key_value(key)).collect();
        let mut result = HostMatches {
            coverage: tables.iter().map(|(distro, _)| (*distro).clone()).collect(),
            ..HostMatches::default()
        };
        let Some(family) = keys.first().map(|key| key.family) else {
            return result;
        };
        let tables_key =
            tables.iter().fold(0_u64, |key, (_, table)| (key << 16) | (u64::from(table.id) + 1));

        let context = HostContext { tables: &tables, tables_key, family };
        for (package_number, package) in packages.iter().enumerate() {
            match self.verdict(&context, package, cache) {
                Ok(found) => result.matches.extend(found.iter().map(|hit| PackageMatch {
                    package: package_number,
                    advisory: hit.advisory,
                    affected: hit.affected,
                    fixed: hit.fixed,
                })),
                Err(error) => result.unparsable.push(error.clone()),
            }
        }
        result
    }

    /// The cached verdict for one package, worked out on first sight. The
    /// cache is consulted first: in a fleet almost every package has been
    /// seen on an earlier host, so this is one hash per package.
    fn verdict<'c, 'a>(
        &'a self,
        context: &HostContext<'_, 'a>,
        package: &impl InstalledPackage,
        cache: &'c mut MatchCache<'a>,
    ) -> &'c Result<Vec<CachedMatch<'a>>, VersionError> {
        let text = if context.family.names_source_packages() {
            package.source_version().unwrap_or(package.version())
        } else {
            package.version()
        };
        let hash = cache.hasher.hash_one((
            context.tables_key,
            package.name(),
            package.source_name(),
            text,
        ));
        let is_key = |cached: &CachedVerdict<'_>| cached.key.is(context.tables_key, package, text);
        let fresh = || CachedVerdict {
            key: CacheKey::new(context.tables_key, package, text),
            result: self.work_out(context, package, text),
        };

        let MatchCache { verdicts, collided, .. } = cache;
        match verdicts.entry(hash) {
            Entry::Occupied(slot) if is_key(slot.get()) => &slot.into_mut().result,
            Entry::Vacant(slot) => &slot.insert(fresh()).result,
            Entry::Occupied(_) => {
                let position = collided.iter().position(is_key).unwrap_or_else(|| {
                    collided.push(fresh());
                    collided.len() - 1
                });
                &collided[position].result
            }
        }
    }

    fn work_out<'a>(
        &'a self,
        context: &HostContext<'_, 'a>,
        package: &impl InstalledPackage,
        text: &str,
    ) -> Result<Vec<CachedMatch<'a>>, VersionError> {
        let mut candidates = Vec::new();
        for (_, table) in context.tables {
            collect_candidates(
                table,
                package,
                context.family.names_source_packages(),
                &mut candidates,
            );
        }
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        candidates.sort_unstable();
        candidates.dedup();
        let installed = Version::parse(context.family.scheme(), text)?;
        Ok(self.judge(&installed, &candidates))
    }

    /// Groups the candidate entries by advisory and keeps the advisories
    /// that affect the installed version. Any entry saying "patched" wins
    /// (Ubuntu lists a release both with and without Pro fixes).
    // LIMITATION: a host without Ubuntu Pro is told the `+esm` fixed
    // version even though it cannot install it; the finding does not say
    // that the fix needs a subscription. Reading `ecosystem_specific
    // .availability` into the finding would lift it.
    fn judge<'a>(&'a self, installed: &Version, candidates: &[EntryRef]) -> Vec<CachedMatch<'a>> {
        let mut matches = Vec::new();
        for group in candidates.chunk_by(|a, b| a.advisory == b.advisory) {
            let advisory = group[0].advisory as usize;
            let mut patched = false;
            let mut hit: Option<(&Affected, Option<&Version>)> = None;
            for entry in group {
                let affected = &self.advisories[advisory].affected[entry.affected as usize];
                match affected.evaluate(installed) {
                    Verdict::Patched => patched = true,
                    Verdict::Affected { fixed } => {
                        hit = Some(match hit {
                            Some((first, earlier)) => (first, lowest(earlier, fixed)),
                            None => (affected, fixed),
                        });
                    }
                    Verdict::NotAffected => {}
                }
            }
            if let (false, Some((affected, fixed))) = (patched, hit) {
                matches.push(CachedMatch { advisory, affected, fixed });
            }
        }
        matches
    }
}

/// The release tables that apply to one host.
struct HostContext<'t, 'a> {
    tables: &'t [(&'a Distro, &'a ReleaseTable)],
    tables_key: u64,
    family: super::ecosystem::Family,
}

fn collect_candidates(
    table: &ReleaseTable,
    package: &impl InstalledPackage,
    names_source_packages: bool,
    candidates: &mut Vec<EntryRef>,
) {
    if names_source_packages {
        let source = package.source_name().unwrap_or(package.name());
        candidates.extend(table.by_package.get(source).into_iter().flatten());
        candidates.extend(table.by_binary.get(package.name()).into_iter().flatten());
    } else {
        candidates.extend(table.by_package.get(package.name()).into_iter().flatten());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisory::affected::{Event, Range};
    use crate::advisory::ecosystem::Family;
    use crate::advisory::version::VersionScheme;

    fn dpkg(text: &str) -> Version {
        Version::parse(VersionScheme::Dpkg, text).unwrap()
    }

    fn advisory(id: &str, ecosystem_release: &str, package: &str, fixed: &str) -> Advisory {
        Advisory {
            id: id.into(),
            source: "osv",
            summary: None,
            cves: vec![],
            cvss_vectors: vec![],
            vendor_severity: None,
            modified: None,
            affected: vec![Affected {
                distro: Distro::new(Family::Debian, ecosystem_release),
                ecosystem: format!("Debian:{ecosystem_release}"),
                package: package.into(),
                binaries: vec![],
                ranges: vec![Range::new(vec![Event::Introduced(None), Event::Fixed(dpkg(fixed))])],
                versions: vec![],
            }],
        }
    }

    fn package(name: &str, version: &str, source: Option<(&str, &str)>) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            arch: "amd64".into(),
            source_name: source.map(|(name, _)| name.to_string()),
            source_version: source.map(|(_, version)| version.to_string()),
        }
    }

    fn debian(version: &str) -> OsInfo {
        OsInfo { id: "debian".into(), version_id: version.into(), ..OsInfo::default() }
    }

    #[test]
    fn binaries_match_through_their_source_package_and_version() {
        let index = AdvisoryIndex::new(vec![advisory("DSA-1", "12", "ppcrypto", "1.1-1")]);
        let packages = [
            package("libppcrypto1", "1.0-2+b1", Some(("ppcrypto", "1.0-2"))),
            package("ppcrypto-tools", "1.1-1", Some(("ppcrypto", "1.1-1"))),
            package("unrelated", "0.1-1", None),
        ];
        let result = index.match_host(&debian("12"), &packages);
        assert_eq!(result.coverage, [Distro::new(Family::Debian, "12")]);
        assert_eq!(result.matches.len(), 1);
        assert_eq!(result.matches[0].package, 0);
        assert_eq!(result.matches[0].fixed.unwrap().to_string(), "1.1-1");
    }

    #[test]
    fn cache_keys_tell_source_names_and_versions_apart() {
        let with_source = package("libssl3", "3.0.11-1", Some(("openssl", "3.0.11-1")));
        let without_source = package("libssl3", "3.0.11-1", None);
        let key = CacheKey::new(7, &with_source, "3.0.11-1");
        assert!(key.is(7, &with_source, "3.0.11-1"));
        assert!(!key.is(8, &with_source, "3.0.11-1"));
        assert!(!key.is(7, &without_source, "3.0.11-1"));
        assert!(!key.is(7, &with_source, "3.0.11-2"));
    }

    #[test]
    fn other_releases_and_duplicate_ids_do_not_count() {
        let index = AdvisoryIndex::new(vec![
            advisory("DSA-1", "11", "ppcrypto", "1.1-1"),
            advisory("DSA-1", "12", "ppcrypto", "1.1-1"),
        ]);
        assert_eq!(index.duplicates(), 1);
        let packages = [package("ppcrypto", "1.0-1", None)];
        let result = index.match_host(&debian("12"), &packages);
        assert!(result.coverage.is_empty());
        assert!(result.matches.is_empty());
    }
}
