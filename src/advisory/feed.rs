//! Reading feed files from disk: a single file, a directory tree or a zip
//! archive, with a digest and a data date for each, and the bookkeeping of
//! records that had to be skipped.
//!
//! Formats are recognised by name and content so that one `--advisories`
//! directory may mix OSV records, CSAF documents, secdb files and a DSA list.
//! Files are read sequentially (the disk is the bottleneck) and parsed in
//! parallel on rayon's global pool; results are merged in path order so the
//! artifact is the same on every run.

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use rayon::prelude::*;

use super::{Advisory, alpine_secdb, csaf, debian_tracker, osv};
use crate::artifact::assessment::{FeedSource, SkippedRecord};
use crate::artifact::sha256_hex;

/// A feed that cannot be read at all (as opposed to one bad record in it).
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("cannot read `{path}`")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not a readable zip archive: {message}")]
    Zip { path: PathBuf, message: String },
    #[error("`{path}` holds no advisory files (OSV or CSAF JSON, secdb YAML/JSON, DSA/DLA list)")]
    NoAdvisories { path: PathBuf },
    #[error("`{path}` is not a {format} file: {message}")]
    Format { path: PathBuf, format: &'static str, message: String },
}

/// One file's bytes and the name it is reported under.
#[derive(Debug)]
pub struct FeedFile {
    /// Path as given, `dir/sub/file.json`, or `archive.zip!member.json`.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What parsing one file produced.
#[derive(Debug, Default)]
pub struct Parsed {
    pub advisories: Vec<Advisory>,
    pub skipped: Vec<SkippedRecord>,
    pub ignored_entries: usize,
    pub data_date: Option<Date>,
}

impl Parsed {
    pub fn skip(&mut self, file: &str, record: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(SkippedRecord {
            file: file.to_string(),
            record: record.into(),
            reason: reason.into(),
        });
    }

    pub fn note_date(&mut self, date: Option<Date>) {
        self.data_date = self.data_date.max(date);
    }

    fn merge(&mut self, other: Parsed) {
        self.advisories.extend(other.advisories);
        self.skipped.extend(other.skipped);
        self.ignored_entries += other.ignored_entries;
        self.note_date(other.data_date);
    }
}

/// All advisories of one `--advisories` path.
#[derive(Debug)]
pub struct LoadedAdvisories {
    pub source: FeedSource,
    pub advisories: Vec<Advisory>,
    pub skipped: Vec<SkippedRecord>,
}

/// The formats a file can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Format {
    Osv,
    DebianTracker,
    AlpineSecdb,
    RedHatCsaf,
}

impl Format {
    fn label(self) -> &'static str {
        match self {
            Format::Osv => "osv",
            Format::DebianTracker => "debian-security-tracker",
            Format::AlpineSecdb => "alpine-secdb",
            Format::RedHatCsaf => "red-hat-csaf",
        }
    }

    /// Recognises a file by its name and first bytes; `None` for files that
    /// are not advisories (READMEs, index CSVs).
    fn detect(file: &FeedFile) -> Option<Format> {
        let name = file.name.rsplit(['/', '!']).next().unwrap_or(&file.name);
        let head = &file.bytes[..file.bytes.len().min(4096)];
        let head = String::from_utf8_lossy(head);
        if has_extension(name, "yaml") || has_extension(name, "yml") {
            return Some(Format::AlpineSecdb);
        }
        if has_extension(name, "json") {
            if head.contains("\"product_tree\"") || head.contains("\"csaf_version\"") {
                return Some(Format::RedHatCsaf);
            }
            if head.contains("\"distroversion\"") {
                return Some(Format::AlpineSecdb);
            }
            return Some(Format::Osv);
        }
        if debian_tracker::looks_like_list(&head) {
            return Some(Format::DebianTracker);
        }
        None
    }

    fn parse(self, file: &FeedFile) -> Parsed {
        match self {
            Format::Osv => osv::parse_file(file),
            Format::DebianTracker => debian_tracker::parse_file(file),
            Format::AlpineSecdb => alpine_secdb::parse_file(file),
            Format::RedHatCsaf => csaf::parse_file(file),
        }
    }
}

/// Reads every advisory under `path` (a file, a directory or a zip).
pub fn load_advisories(path: &Path) -> Result<LoadedAdvisories, FeedError> {
    let (files, sha256) = read_tree(path)?;

    let detected: Vec<(Format, &FeedFile)> =
        files.iter().filter_map(|file| Format::detect(file).map(|format| (format, file))).collect();
    if detected.is_empty() {
        return Err(FeedError::NoAdvisories { path: path.to_path_buf() });
    }

    let mut formats: Vec<Format> = detected.iter().map(|(format, _)| *format).collect();
    formats.sort();
    formats.dedup();

    let results: Vec<Parsed> =
        detected.par_iter().map(|(format, file)| format.parse(file)).collect();
    let mut parsed = Parsed::default();
    for result in results {
        parsed.merge(result);
    }

    let source = FeedSource {
        kind: formats.iter().map(|format| format.label()).collect::<Vec<_>>().join("+"),
        path: path.display().to_string(),
        sha256,
        data_date: parsed.data_date.map(|date| date.to_string()),
        records: parsed.advisories.len(),
        skipped: parsed.skipped.len(),
        ignored_entries: parsed.ignored_entries,
    };
    Ok(LoadedAdvisories { source, advisories: parsed.advisories, skipped: parsed.skipped })
}

/// Reads one plain file and its digest.
pub fn read_file(path: &Path) -> Result<(Vec<u8>, String), FeedError> {
    let bytes = std::fs::read(path).map_err(|source| io_error(path, source))?;
    let sha256 = sha256_hex(&bytes);
    Ok((bytes, sha256))
}

/// Every file under `path`, zip members expanded, with the digest of the
/// whole: the file's own sha256 for a single file or archive, and for a
/// directory the sha256 of its sorted `relative-path sha256` lines.
pub fn read_tree(path: &Path) -> Result<(Vec<FeedFile>, String), FeedError> {
    let metadata = std::fs::metadata(path).map_err(|source| io_error(path, source))?;
    if metadata.is_file() {
        let (bytes, sha256) = read_file(path)?;
        let files = expand(path.display().to_string(), bytes)?;
        return Ok((files, sha256));
    }

    let mut paths = Vec::new();
    walk(path, &mut paths)?;
    paths.sort();

    // Thousands of small files: reading and hashing them in parallel beats
    // waiting on each in turn.
    let contents: Vec<(Vec<u8>, String)> =
        paths.par_iter().map(|file_path| read_file(file_path)).collect::<Result<_, _>>()?;

    let mut files = Vec::new();
    let mut listing = String::new();
    for (file_path, (bytes, sha256)) in paths.iter().zip(contents) {
        let relative = file_path.strip_prefix(path).unwrap_or(file_path);
        let _ = writeln!(listing, "{} {sha256}", relative.display());
        files.extend(expand(file_path.display().to_string(), bytes)?);
    }
    Ok((files, sha256_hex(listing.as_bytes())))
}

fn walk(directory: &Path, paths: &mut Vec<PathBuf>) -> Result<(), FeedError> {
    let entries = std::fs::read_dir(directory).map_err(|source| io_error(directory, source))?;
    for entry in entries {
        let entry = entry.map_err(|source| io_error(directory, source))?;
        let path = entry.path();
        let is_hidden = entry.file_name().to_string_lossy().starts_with('.');
        if is_hidden {
            continue;
        }
        // The entry's own type needs no `stat`; only symlinks are followed.
        let file_type = entry.file_type().map_err(|source| io_error(&path, source))?;
        let is_dir = file_type.is_dir() || (file_type.is_symlink() && path.is_dir());
        if is_dir {
            walk(&path, paths)?;
        } else {
            paths.push(path);
        }
    }
    Ok(())
}

/// A zip archive becomes its members; any other file stays as it is.
fn expand(name: String, bytes: Vec<u8>) -> Result<Vec<FeedFile>, FeedError> {
    if !has_extension(&name, "zip") {
        return Ok(vec![FeedFile { name, bytes }]);
    }
    let zip_error = |error: zip::result::ZipError| FeedError::Zip {
        path: name.clone().into(),
        message: error.to_string(),
    };

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(zip_error)?;
    let mut members = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let mut member = archive.by_index(index).map_err(zip_error)?;
        if member.is_dir() {
            continue;
        }
        let mut content = Vec::with_capacity(usize::try_from(member.size()).unwrap_or(0));
        member.read_to_end(&mut content).map_err(|source| io_error(Path::new(&name), source))?;
        members.push(FeedFile { name: format!("{name}!{}", member.name()), bytes: content });
    }
    members.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(members)
}

/// Whether a file name ends in `.extension`, ignoring case.
pub fn has_extension(name: &str, extension: &str) -> bool {
    Path::new(name).extension().is_some_and(|found| found.eq_ignore_ascii_case(extension))
}

fn io_error(path: &Path, source: std::io::Error) -> FeedError {
    FeedError::Io { path: path.to_path_buf(), source }
}

/// A feed whose data is older than the allowed age.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFeed {
    pub path: String,
    pub data_date: String,
    pub age_days: i64,
}

/// Feeds whose data date is more than `max_age_days` before `today`, and
/// feeds that carry no date at all (whose age cannot be checked).
pub fn check_age(
    sources: &[FeedSource],
    today: Date,
    max_age_days: u32,
) -> (Vec<StaleFeed>, Vec<String>) {
    let mut stale = Vec::new();
    let mut undated = Vec::new();
    for source in sources {
        let Some(date) = source.data_date.as_deref().and_then(super::parse_date_prefix) else {
            undated.push(source.path.clone());
            continue;
        };
        let age_days = i64::from((today - date).get_days());
        if age_days > i64::from(max_age_days) {
            stale.push(StaleFeed {
                path: source.path.clone(),
                data_date: date.to_string(),
                age_days,
            });
        }
    }
    (stale, undated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, date: Option<&str>) -> FeedSource {
        FeedSource {
            kind: "osv".into(),
            path: path.into(),
            sha256: String::new(),
            data_date: date.map(str::to_string),
            records: 0,
            skipped: 0,
            ignored_entries: 0,
        }
    }

    #[test]
    fn age_gate_names_stale_and_undated_feeds() {
        let today: Date = "2026-08-22".parse().unwrap();
        let sources = [
            source("fresh", Some("2026-08-21")),
            source("old", Some("2025-08-25")),
            source("x", None),
        ];
        let (stale, undated) = check_age(&sources, today, 30);
        assert_eq!(stale.len(), 1);
        assert_eq!((stale[0].path.as_str(), stale[0].age_days), ("old", 362));
        assert_eq!(undated, ["x"]);
    }

    #[test]
    fn formats_are_recognised_by_name_and_content() {
        let file = |name: &str, text: &str| FeedFile { name: name.into(), bytes: text.into() };
        assert_eq!(Format::detect(&file("a/x.json", "{\"id\": \"DSA-1\"}")), Some(Format::Osv));
        assert_eq!(
            Format::detect(&file("r.json", "{\"document\": {}, \"product_tree\": {}}")),
            Some(Format::RedHatCsaf)
        );
        assert_eq!(Format::detect(&file("v3.11/main.yaml", "---")), Some(Format::AlpineSecdb));
        assert_eq!(
            Format::detect(&file(
                "DSA/list",
                "[29 Mar 2023] DSA-5380-1 xorg-server - security update\n"
            )),
            Some(Format::DebianTracker)
        );
        assert_eq!(Format::detect(&file("index.csv", "path,id")), None);
    }
}
