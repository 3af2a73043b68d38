//! Loading endoflife.date product files into release tables.
//!
//! Each product file is Markdown with YAML front matter; only its
//! `releases` list matters here. The files shipped in `data/endoflife/` are
//! compiled in with `include_str!` and parsed when first needed, so the
//! binary works offline and a newer snapshot can replace any product at run
//! time (`--eol-data DIR`) without a rebuild.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::Deserialize;
use serde_yaml_ng::Value;

use super::EolError;

/// Date of the embedded endoflife.date snapshot (see `data/endoflife/SOURCE.md`).
pub const EMBEDDED_DATA_DATE: &str = "2026-08-22";

/// Embedded product files, by endoflife.date product name.
pub(crate) const EMBEDDED: &[(&str, &str)] = &[
    ("almalinux", include_str!("../../data/endoflife/products/almalinux.md")),
    ("alpine-linux", include_str!("../../data/endoflife/products/alpine-linux.md")),
    ("amazon-linux", include_str!("../../data/endoflife/products/amazon-linux.md")),
    ("centos", include_str!("../../data/endoflife/products/centos.md")),
    ("debian", include_str!("../../data/endoflife/products/debian.md")),
    ("fedora", include_str!("../../data/endoflife/products/fedora.md")),
    ("macos", include_str!("../../data/endoflife/products/macos.md")),
    ("oracle-linux", include_str!("../../data/endoflife/products/oracle-linux.md")),
    ("rhel", include_str!("../../data/endoflife/products/rhel.md")),
    ("rocky-linux", include_str!("../../data/endoflife/products/rocky-linux.md")),
    ("sles", include_str!("../../data/endoflife/products/sles.md")),
    ("ubuntu", include_str!("../../data/endoflife/products/ubuntu.md")),
    ("windows", include_str!("../../data/endoflife/products/windows.md")),
    ("windows-server", include_str!("../../data/endoflife/products/windows-server.md")),
];

/// When support ends: a date, already over (`eol: true`), or not announced
/// (`eol: false`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupportEnd {
    On(Date),
    Ended,
    Ongoing,
}

/// One release cycle of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// `12`, `22.04`, `2022`, `11-24h2-e`.
    pub cycle: String,
    pub label: Option<String>,
    pub codename: Option<String>,
    pub release_date: Option<Date>,
    /// End of standard security support (`eol`).
    pub end: SupportEnd,
    /// End of extended support (`eoes`: Debian LTS, Ubuntu ESM, RHEL ELS…).
    pub extended_end: Option<SupportEnd>,
    /// Latest point release or build (`latest`), e.g. `10.0.20348` for Windows.
    pub latest: Option<String>,
    pub latest_release_date: Option<Date>,
}

#[derive(Debug, Deserialize)]
struct ProductFile {
    #[serde(default)]
    releases: Vec<RawRelease>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRelease {
    release_cycle: Value,
    release_label: Option<Value>,
    codename: Option<Value>,
    release_date: Option<Value>,
    eol: Option<Value>,
    eoes: Option<Value>,
    latest: Option<Value>,
    latest_release_date: Option<Value>,
}

/// Parses one product file's releases.
pub(crate) fn parse_product(text: &str, origin: &Path) -> Result<Vec<Release>, EolError> {
    let (front_matter, first_line) = front_matter(text).ok_or_else(|| EolError::Parse {
        path: origin.to_path_buf(),
        line: 1,
        column: 1,
        message: "no YAML front matter between `---` lines".to_string(),
    })?;

    let file: ProductFile = serde_yaml_ng::from_str(front_matter).map_err(|error| {
        let (line, column) = error.location().map_or((1, 1), |at| (at.line(), at.column()));
        EolError::Parse {
            path: origin.to_path_buf(),
            line: line + first_line - 1,
            column,
            message: error.to_string(),
        }
    })?;

    file.releases
        .into_iter()
        .enumerate()
        .map(|(index, raw)| {
            release(&raw).map_err(|message| EolError::Release {
                path: origin.to_path_buf(),
                index,
                message,
            })
        })
        .collect()
}

/// The YAML between the opening `---` and the next `---` line, and the line
/// number it starts on.
fn front_matter(text: &str) -> Option<(&str, usize)> {
    let rest = text
        .strip_prefix("---")?
        .strip_prefix(['\n', '\r'])
        .map(|rest| rest.trim_start_matches('\n'))?;
    let start = text.len() - rest.len();
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let first_line = text[..start].matches('\n').count() + 1;
            return Some((&rest[..offset], first_line));
        }
        offset += line.len();
    }
    None
}

fn release(raw: &RawRelease) -> Result<Release, String> {
    let cycle = scalar(&raw.release_cycle).ok_or("`releaseCycle` is not a scalar")?;
    let field_error =
        |field: &str, message: String| format!("cycle `{cycle}`: `{field}`: {message}");

    let end = match &raw.eol {
        Some(value) => support_end(value).map_err(|message| field_error("eol", message))?,
        None => return Err(field_error("eol", "missing".to_string())),
    };
    let extended_end = raw
        .eoes
        .as_ref()
        .map(support_end)
        .transpose()
        .map_err(|message| field_error("eoes", message))?;
    let release_date = optional_date(raw.release_date.as_ref())
        .map_err(|message| field_error("releaseDate", message))?;
    let latest_release_date = optional_date(raw.latest_release_date.as_ref())
        .map_err(|message| field_error("latestReleaseDate", message))?;

    Ok(Release {
        label: raw.release_label.as_ref().and_then(scalar),
        codename: raw.codename.as_ref().and_then(scalar),
        latest: raw.latest.as_ref().and_then(scalar),
        cycle,
        release_date,
        end,
        extended_end,
        latest_release_date,
    })
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn support_end(value: &Value) -> Result<SupportEnd, String> {
    match value {
        Value::Bool(true) => Ok(SupportEnd::Ended),
        Value::Bool(false) => Ok(SupportEnd::Ongoing),
        other => date(other).map(SupportEnd::On),
    }
}

fn optional_date(value: Option<&Value>) -> Result<Option<Date>, String> {
    value.map(date).transpose()
}

fn date(value: &Value) -> Result<Date, String> {
    let text = scalar(value).ok_or("expected a date or a boolean")?;
    text.parse::<Date>().map_err(|error| format!("`{text}` is not a date: {error}"))
}

/// Parses every embedded product.
pub(crate) fn embedded_products() -> Result<BTreeMap<String, Vec<Release>>, EolError> {
    EMBEDDED
        .iter()
        .map(|(product, text)| {
            let origin = PathBuf::from(format!("data/endoflife/products/{product}.md"));
            Ok(((*product).to_string(), parse_product(text, &origin)?))
        })
        .collect()
}

/// Parses every `*.md` in `dir`, by file stem.
pub(crate) fn directory_products(dir: &Path) -> Result<BTreeMap<String, Vec<Release>>, EolError> {
    let read_error = |source| EolError::Read { path: dir.to_path_buf(), source };
    let mut products = BTreeMap::new();

    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        let is_product = path.extension().is_some_and(|extension| extension == "md");
        let Some(product) = path.file_stem().and_then(|stem| stem.to_str()).filter(|_| is_product)
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|source| EolError::Read { path: path.clone(), source })?;
        products.insert(product.to_string(), parse_product(&text, &path)?);
    }

    if products.is_empty() {
        return Err(EolError::NoProducts { path: dir.to_path_buf() });
    }
    Ok(products)
}

/// The newest release date in the data: how recent an override snapshot is
/// at least, since the files carry no date of their own.
pub(crate) fn newest_date<'a>(releases: impl Iterator<Item = &'a Release>) -> Option<Date> {
    releases.flat_map(|release| [release.release_date, release.latest_release_date]).flatten().max()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn every_embedded_product_parses() {
        let products = embedded_products().expect("embedded data is valid");
        assert_eq!(products.len(), EMBEDDED.len());
        assert!(products.values().all(|releases| !releases.is_empty()));
    }

    #[test]
    fn debian_rows_are_read_with_both_support_ends() {
        let products = embedded_products().expect("valid");
        let debian = &products["debian"];
        let bookworm = debian.iter().find(|release| release.cycle == "12").expect("Debian 12");
        assert_eq!(bookworm.codename.as_deref(), Some("Bookworm"));
        assert_eq!(bookworm.end, SupportEnd::On(date(2026, 7, 11)));
        assert_eq!(bookworm.extended_end, Some(SupportEnd::On(date(2028, 6, 30))));
    }

    #[test]
    fn boolean_eol_values_are_understood() {
        let products = embedded_products().expect("valid");
        let tahoe =
            products["macos"].iter().find(|release| release.cycle == "26").expect("macOS 26");
        assert_eq!(tahoe.end, SupportEnd::Ongoing);
    }

    #[test]
    fn bad_files_name_the_file_and_the_release() {
        let origin = Path::new("x.md");
        let error = parse_product("no front matter", origin).expect_err("invalid").to_string();
        assert_eq!(error, "x.md:1:1: no YAML front matter between `---` lines");

        let text =
            "---\ntitle: X\nreleases:\n  - releaseCycle: \"1\"\n    eol: someday\n---\nbody\n";
        let error = parse_product(text, origin).expect_err("invalid").to_string();
        assert!(
            error.starts_with("x.md: releases[0]: cycle `1`: `eol`: `someday` is not a date"),
            "{error}"
        );

        let text = "---\nreleases: [\n---\n";
        let error = parse_product(text, origin).expect_err("invalid").to_string();
        assert!(error.starts_with("x.md:3:"), "{error}");
    }
}
