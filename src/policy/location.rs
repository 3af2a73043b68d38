//! Where in the policy file a problem is: file, line, column, field path.
//!
//! serde reports what went wrong and `toml` where (a byte span), but not
//! which field. The field path is recovered by walking the spanned document
//! `toml_edit` keeps, down to the innermost key or value that covers the
//! span. Validation after parsing goes the other way, from a field path to
//! its span. Misspelt keys and enum values get a "did you mean", from the
//! names serde lists as expected.

use std::fmt::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml_edit::{ImDocument, Item, Table, Value};

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// Dotted field path, e.g. `windows.weekend.start` or `waves[1].name`.
    pub field: String,
    pub message: String,
    pub suggestion: Option<String>,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "`{}`: ", self.field)?;
        }
        write!(f, "{}", self.message)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " (did you mean `{suggestion}`?)")?;
        }
        Ok(())
    }
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

impl From<&str> for Segment {
    fn from(key: &str) -> Self {
        Segment::Key(key.to_string())
    }
}

impl From<usize> for Segment {
    fn from(index: usize) -> Self {
        Segment::Index(index)
    }
}

/// Renders a path the way it is written in TOML.
pub fn render_path(path: &[Segment]) -> String {
    let mut text = String::new();
    for segment in path {
        match segment {
            Segment::Index(index) => {
                let _ = write!(text, "[{index}]");
            }
            Segment::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                let bare = !key.is_empty()
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if bare {
                    text.push_str(key);
                } else {
                    let _ = write!(text, "\"{key}\"");
                }
            }
        }
    }
    text
}

/// Builds the issue for a parse or deserialisation error.
pub fn from_toml(text: &str, file: &Path, error: &toml::de::Error) -> Issue {
    let span = error.span().unwrap_or(0..0);
    let path = ImDocument::parse(text)
        .map(|document| path_at(document.as_table(), span.start))
        .unwrap_or_default();
    let message = error.message().trim().to_string();
    let suggestion = suggest_from_message(&message);
    issue_at(text, file, span.start, &path, message, suggestion)
}

/// Builds an issue for a field found by validation.
pub fn at_field(
    text: &str,
    file: &Path,
    path: &[Segment],
    message: String,
    suggestion: Option<String>,
) -> Issue {
    let offset = ImDocument::parse(text)
        .ok()
        .and_then(|document| span_of(document.as_table(), path))
        .map_or(0, |span| span.start);
    issue_at(text, file, offset, path, message, suggestion)
}

fn issue_at(
    text: &str,
    file: &Path,
    offset: usize,
    path: &[Segment],
    message: String,
    suggestion: Option<String>,
) -> Issue {
    let (line, column) = line_column(text, offset);
    Issue { file: file.to_path_buf(), line, column, field: render_path(path), message, suggestion }
}

/// One-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn contains(span: Option<Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|span| span.start <= offset && offset < span.end.max(span.start + 1))
}

/// The innermost field whose key or value covers `offset`.
fn path_at(root: &Table, offset: usize) -> Vec<Segment> {
    let mut path = Vec::new();
    find_in_table(root, offset, &mut path);
    path
}

fn find_in_table(table: &Table, offset: usize, path: &mut Vec<Segment>) -> bool {
    for (key, item) in table {
        path.push(Segment::Key(key.to_string()));
        let key_span = table.key(key).and_then(toml_edit::Key::span);
        if contains(key_span, offset) || find_in_item(item, offset, path) {
            return true;
        }
        path.pop();
    }
    false
}

fn find_in_item(item: &Item, offset: usize, path: &mut Vec<Segment>) -> bool {
    match item {
        Item::Table(table) => find_in_table(table, offset, path) || contains(table.span(), offset),
        Item::ArrayOfTables(tables) => {
            for (index, table) in tables.iter().enumerate() {
                path.push(Segment::Index(index));
                if find_in_table(table, offset, path) || contains(table.span(), offset) {
                    return true;
                }
                path.pop();
            }
            false
        }
        Item::Value(value) => find_in_value(value, offset, path),
        Item::None => false,
    }
}

fn find_in_value(value: &Value, offset: usize, path: &mut Vec<Segment>) -> bool {
    match value {
        Value::InlineTable(table) => {
            for (key, child) in table {
                path.push(Segment::Key(key.to_string()));
                let key_span = table.key(key).and_then(toml_edit::Key::span);
                if contains(key_span, offset) || find_in_value(child, offset, path) {
                    return true;
                }
                path.pop();
            }
        }
        Value::Array(array) => {
            for (index, element) in array.iter().enumerate() {
                path.push(Segment::Index(index));
                if find_in_value(element, offset, path) {
                    return true;
                }
                path.pop();
            }
        }
        _ => {}
    }
    contains(value.span(), offset)
}

/// A place in the spanned document while walking a path down.
#[derive(Clone, Copy)]
enum Node<'a> {
    Table(&'a Table),
    Tables(&'a toml_edit::ArrayOfTables),
    Value(&'a Value),
}

impl<'a> Node<'a> {
    fn of_item(item: &'a Item) -> Option<Node<'a>> {
        match item {
            Item::Table(table) => Some(Node::Table(table)),
            Item::ArrayOfTables(tables) => Some(Node::Tables(tables)),
            Item::Value(value) => Some(Node::Value(value)),
            Item::None => None,
        }
    }

    /// The child at `segment` and the span that best locates it.
    fn child(self, segment: &Segment) -> Option<(Option<Range<usize>>, Node<'a>)> {
        match (self, segment) {
            (Node::Table(table), Segment::Key(key)) => {
                let (found, item) = table.get_key_value(key)?;
                Some((item.span().or_else(|| found.span()), Node::of_item(item)?))
            }
            (Node::Value(Value::InlineTable(table)), Segment::Key(key)) => {
                let (found, item) = table.get_key_value(key)?;
                let value = item.as_value()?;
                Some((value.span().or_else(|| found.span()), Node::Value(value)))
            }
            (Node::Tables(tables), Segment::Index(index)) => {
                let table = tables.get(*index)?;
                Some((table.span(), Node::Table(table)))
            }
            (Node::Value(Value::Array(array)), Segment::Index(index)) => {
                let value = array.get(*index)?;
                Some((value.span(), Node::Value(value)))
            }
            _ => None,
        }
    }
}

/// The span of a field, or of its deepest existing ancestor.
fn span_of(root: &Table, path: &[Segment]) -> Option<Range<usize>> {
    let mut best = None;
    let mut node = Node::Table(root);
    for segment in path {
        let Some((span, child)) = node.child(segment) else { break };
        best = span.or(best);
        node = child;
    }
    best
}

/// A "did you mean" for serde's `unknown field`/`unknown variant` messages,
/// which name the bad word and the expected ones in backticks.
fn suggest_from_message(message: &str) -> Option<String> {
    if !message.starts_with("unknown field") && !message.starts_with("unknown variant") {
        return None;
    }
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let (typed, expected) = quoted.split_first()?;
    closest(typed, expected.iter().copied())
}

/// The candidate closest to `typed`, when it is close enough to be a typo.
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(typed, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(typed.len()) / 3).max(1))
        .min()
        .map(|(_, candidate)| candidate.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_at_finds_keys_in_header_tables_arrays_and_inline_tables() {
        let text = "version = 1\n[windows.weekend]\nstart = \"02:00\"\n\
                    applies_to = { groups = [\"web\", \"db\"] }\n[[waves]]\nname = \"a\"\n\
                    [[waves]]\nname = \"b\"\n";
        let document = ImDocument::parse(text).unwrap();
        let at = |needle: &str| path_at(document.as_table(), text.find(needle).unwrap());

        assert_eq!(render_path(&at("start")), "windows.weekend.start");
        assert_eq!(render_path(&at("\"db\"")), "windows.weekend.applies_to.groups[1]");
        assert_eq!(render_path(&at("\"b\"")), "waves[1].name");
    }

    #[test]
    fn span_of_walks_paths_to_line_and_column() {
        let text = "version = 1\n[windows.weekend]\nstart = \"02:00\"\n\
                    applies_to = { groups = [\"web\", \"db\"] }\n";
        let document = ImDocument::parse(text).unwrap();
        let path: Vec<Segment> = vec![
            "windows".into(),
            "weekend".into(),
            "applies_to".into(),
            "groups".into(),
            1.into(),
        ];
        let span = span_of(document.as_table(), &path).unwrap();
        assert_eq!(line_column(text, span.start), (4, 33));
    }

    #[test]
    fn suggestion_picks_a_close_name_only() {
        let message = "unknown field `strat`, expected one of `timezone`, `start`, `end`";
        assert_eq!(suggest_from_message(message).as_deref(), Some("start"));
        let far = "unknown field `zzzzzz`, expected one of `timezone`, `start`";
        assert_eq!(suggest_from_message(far), None);
    }
}
