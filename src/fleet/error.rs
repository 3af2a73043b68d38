//! Errors from loading an inventory, and the file positions they point at.
//!
//! An operator fixing a hosts file needs three things from an error: where
//! (file, line, column), which setting (the dotted field path, e.g.
//! `hosts.h7.port`) and what to type instead. Every loader reports through
//! [`InventoryError`] so the three are always present in the same shape:
//! `hosts.toml:12:9: hosts.h7.port: invalid type: …`.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in an input file, 1-based, columns counted in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl SourceLocation {
    pub fn new(file: &Path, line: usize, column: usize) -> Self {
        SourceLocation { file: file.to_path_buf(), line, column }
    }

    /// The line and column of byte `offset` in `text`.
    pub fn from_offset(file: &Path, text: &str, offset: usize) -> Self {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[line_start..].chars().count() + 1;
        SourceLocation::new(file, line, column)
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Why an inventory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("cannot read inventory `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A setting has the wrong type or value, or is not a setting at all.
    #[error("{location}: {field}: {message}{}", did_you_mean(suggestion.as_deref()))]
    Invalid {
        location: SourceLocation,
        /// Dotted path of the setting, e.g. `hosts.h7.port`.
        field: String,
        message: String,
        suggestion: Option<String>,
    },

    /// The file is not well-formed TOML, YAML or INI.
    #[error("{location}: {message}")]
    Syntax { location: SourceLocation, message: String },
}

impl InventoryError {
    pub(crate) fn invalid(location: SourceLocation, field: &str, message: String) -> Self {
        InventoryError::Invalid { location, field: field.to_string(), message, suggestion: None }
    }
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map(|name| format!("; did you mean `{name}`?")).unwrap_or_default()
}

/// The candidate closest to a misspelt `word`, if any is close enough to be
/// what was meant. Jaro-Winkler favours shared prefixes, which is how most
/// key typos look (`prot` for `port`, `enviroment` for `environment`).
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(word, candidate);
        if score >= 0.8 && best.is_none_or(|(best_score, _)| score > best_score) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The backticked names after "expected" in serde's unknown-field and
/// unknown-variant messages (``expected one of `a`, `b` `` / ``expected `a` or `b` ``).
pub(crate) fn expected_names(message: &str) -> Vec<&str> {
    let Some((_, expected)) = message.split_once("expected") else {
        return Vec::new();
    };
    expected.split('`').skip(1).step_by(2).collect()
}

/// The first backticked name in a serde message: the unknown key itself.
pub(crate) fn first_backticked(message: &str) -> Option<&str> {
    message.split('`').nth(1)
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_one_based_lines_and_character_columns() {
        let text = "a = 1\nbé = 2\n";
        let location = SourceLocation::from_offset(Path::new("f.toml"), text, 10);
        assert_eq!(location.to_string(), "f.toml:2:4");
        let start = SourceLocation::from_offset(Path::new("f.toml"), text, 0);
        assert_eq!((start.line, start.column), (1, 1));
    }

    #[test]
    fn suggestions_catch_typical_key_typos_and_nothing_else() {
        let keys = ["address", "port", "user", "environment", "known_hosts_file"];
        assert_eq!(closest("prot", keys), Some("port"));
        assert_eq!(closest("enviroment", keys), Some("environment"));
        assert_eq!(closest("known_host_file", keys), Some("known_hosts_file"));
        assert_eq!(closest("zzz", keys), None);
    }

    #[test]
    fn serde_messages_yield_the_unknown_name_and_the_expected_ones() {
        let message = "unknown field `prot`, expected one of `address`, `port`, `tags`";
        assert_eq!(first_backticked(message), Some("prot"));
        assert_eq!(expected_names(message), ["address", "port", "tags"]);
        assert_eq!(expected_names("unknown field `x`, expected `a` or `b`"), ["a", "b"]);
        assert!(expected_names("unknown field `x`, there are no fields").is_empty());
    }
}
