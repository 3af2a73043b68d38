//! Splits the gather script's output into its framed sections.
//!
//! The script frames each step as `@@pp:begin NAME@@`, the step's output
//! unchanged, then a newline of its own and `@@pp:end NAME rc=N@@`. Because
//! the closing marker always starts on a fresh line we add, a body is exactly
//! what the command printed, final newline or not. A step's stderr arrives
//! on the script's stderr stream after a line `@@pp:stderr NAME@@` (older
//! captures carry it inline as a section named `NAME.stderr`); either way it
//! is folded into its owner here.

use std::collections::BTreeMap;

use super::FactsError;

/// The format version this build reads; the script prints it first.
pub(crate) const FORMAT_VERSION: u32 = 1;

const HEADER_PREFIX: &str = "@@pp:gather v=";
const BEGIN_PREFIX: &str = "@@pp:begin ";
const MARKER_SUFFIX: &str = "@@";
const DONE_MARKER: &str = "@@pp:done@@";
const STDERR_PREFIX: &str = "@@pp:stderr ";

/// One step's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section<'a> {
    pub body: &'a str,
    /// `None` when the output ended before the step finished.
    pub exit_code: Option<i32>,
    pub stderr: Option<&'a str>,
}

/// All sections of one gather run, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GatherOutput<'a> {
    pub sections: BTreeMap<&'a str, Section<'a>>,
    /// Whether the script reached its end marker.
    pub is_complete: bool,
}

impl<'a> GatherOutput<'a> {
    pub fn section(&self, name: &str) -> Option<&Section<'a>> {
        self.sections.get(name)
    }

    /// The body of a section that exists, whatever its exit status.
    pub fn body(&self, name: &str) -> Option<&'a str> {
        self.sections.get(name).map(|section| section.body)
    }
}

/// Splits `text`; fails only when no section or header is found at all, or
/// when the header names a format this build does not read.
pub(crate) fn split(text: &str) -> Result<GatherOutput<'_>, FactsError> {
    check_header(text)?;

    let mut sections = BTreeMap::new();
    let mut stderr = BTreeMap::new();
    let mut rest = text;
    let mut is_complete = false;
    while let Some((line, after)) = next_line(rest) {
        if line == DONE_MARKER {
            is_complete = true;
        }
        let Some(name) = begin_name(line) else {
            rest = after;
            continue;
        };
        let (section, remaining) = read_section(name, after);
        rest = remaining;
        match name.strip_suffix(".stderr") {
            Some(owner) => {
                stderr.insert(owner, section.body);
            }
            None => {
                sections.insert(name, section);
            }
        }
    }

    for (owner, text) in stderr {
        if let Some(section) = sections.get_mut(owner) {
            section.stderr = Some(text);
        }
    }
    if sections.is_empty() {
        return Err(not_gather_output(text));
    }
    Ok(GatherOutput { sections, is_complete })
}

/// Attaches each step's part of the separate stderr stream to its section.
/// Text before the first marker (login noise) and steps that printed nothing
/// to stderr are ignored.
pub(crate) fn attach_stderr<'a>(output: &mut GatherOutput<'a>, stderr: &'a str) {
    let mut owner: Option<&str> = None;
    let mut start = 0;
    let mut position = 0;
    for line in stderr.split_inclusive('\n') {
        let marker = line
            .trim_end()
            .strip_prefix(STDERR_PREFIX)
            .and_then(|rest| rest.strip_suffix(MARKER_SUFFIX));
        if let Some(next) = marker {
            set_stderr(output, owner, &stderr[start..position]);
            owner = Some(next);
            start = position + line.len();
        }
        position += line.len();
    }
    set_stderr(output, owner, &stderr[start..]);
}

fn set_stderr<'a>(output: &mut GatherOutput<'a>, owner: Option<&str>, text: &'a str) {
    let Some(section) = owner.and_then(|name| output.sections.get_mut(name)) else {
        return;
    };
    if !text.trim().is_empty() {
        section.stderr = Some(text);
    }
}

/// Checks the `@@pp:gather v=N@@` line, wherever login noise put it.
fn check_header(text: &str) -> Result<(), FactsError> {
    let Some(line) = text.lines().find(|line| line.starts_with(HEADER_PREFIX)) else {
        return Err(not_gather_output(text));
    };
    let found = line[HEADER_PREFIX.len()..].trim_end_matches(MARKER_SUFFIX);
    if found.parse::<u32>() == Ok(FORMAT_VERSION) {
        Ok(())
    } else {
        Err(FactsError::UnsupportedFormat { found: found.to_string(), supported: FORMAT_VERSION })
    }
}

fn not_gather_output(text: &str) -> FactsError {
    let preview: String = text.chars().take(80).collect();
    FactsError::NotGatherOutput { preview: preview.escape_debug().to_string() }
}

/// The first line of `text` and everything after its newline.
fn next_line(text: &str) -> Option<(&str, &str)> {
    if text.is_empty() {
        return None;
    }
    Some(match text.split_once('\n') {
        Some((line, rest)) => (line, rest),
        None => (text, ""),
    })
}

fn begin_name(line: &str) -> Option<&str> {
    let name = line.strip_prefix(BEGIN_PREFIX)?.strip_suffix(MARKER_SUFFIX)?;
    let is_plain = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    is_plain.then_some(name)
}

/// Reads one body up to its end marker; a missing marker means the output
/// was cut (a capture limit, a dropped connection), so the rest is the body.
fn read_section<'a>(name: &str, text: &'a str) -> (Section<'a>, &'a str) {
    let end_marker = format!("\n@@pp:end {name} rc=");
    let Some(body_end) = text.find(&end_marker) else {
        return (Section { body: text, exit_code: None, stderr: None }, "");
    };

    let code_start = body_end + end_marker.len();
    let (code_line, rest) = next_line(&text[code_start..]).unwrap_or(("", ""));
    let exit_code = code_line.strip_suffix(MARKER_SUFFIX).and_then(|code| code.parse().ok());
    (Section { body: &text[..body_end], exit_code, stderr: None }, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_exactly_what_the_step_printed() {
        let text = "@@pp:gather v=1@@\n@@pp:begin a@@\nx\ny\n\n@@pp:end a rc=0@@\n\
                    @@pp:begin b@@\nno newline\n@@pp:end b rc=3@@\n\
                    @@pp:begin empty@@\n\n@@pp:end empty rc=0@@\n@@pp:done@@\n";
        let output = split(text).unwrap();
        assert_eq!(output.body("a"), Some("x\ny\n"));
        assert_eq!(output.body("b"), Some("no newline"));
        assert_eq!(output.section("b").unwrap().exit_code, Some(3));
        assert_eq!(output.body("empty"), Some(""));
        assert!(output.is_complete);
    }

    #[test]
    fn stderr_stream_parts_attach_to_their_sections() {
        let stdout = "@@pp:gather v=1@@\n@@pp:begin a@@\nx\n@@pp:end a rc=0@@\n\
                      @@pp:begin u@@\n\n@@pp:end u rc=100@@\n";
        let stderr = "motd noise\n@@pp:stderr a@@\n@@pp:stderr u@@\nE: lock\nE: again\n";
        let mut output = split(stdout).unwrap();
        attach_stderr(&mut output, stderr);
        assert_eq!(output.section("a").unwrap().stderr, None);
        assert_eq!(output.section("u").unwrap().stderr, Some("E: lock\nE: again\n"));
    }

    #[test]
    fn stderr_sections_fold_into_their_owner() {
        let text = "@@pp:gather v=1@@\n@@pp:begin u@@\n\n@@pp:end u rc=100@@\n\
                    @@pp:begin u.stderr@@\nE: lock\n\n@@pp:end u.stderr rc=0@@\n";
        let output = split(text).unwrap();
        let section = output.section("u").unwrap();
        assert_eq!(section.stderr, Some("E: lock\n"));
        assert_eq!(section.exit_code, Some(100));
        assert!(!output.sections.contains_key("u.stderr"));
        assert!(!output.is_complete);
    }

    #[test]
    fn cut_output_keeps_what_arrived() {
        let text = "banner\n@@pp:gather v=1@@\n@@pp:begin p@@\nline one\nline tw";
        let output = split(text).unwrap();
        let section = output.section("p").unwrap();
        assert_eq!(section.body, "line one\nline tw");
        assert_eq!(section.exit_code, None);
    }

    #[test]
    fn a_marker_inside_a_body_for_another_section_does_not_end_it() {
        let text = "@@pp:gather v=1@@\n@@pp:begin a@@\n@@pp:end b rc=0@@\n\n@@pp:end a rc=0@@\n";
        let output = split(text).unwrap();
        assert_eq!(output.body("a"), Some("@@pp:end b rc=0@@\n"));
    }

    #[test]
    fn foreign_output_is_refused() {
        let error = split("sh: 1: syntax error\n").unwrap_err();
        assert!(matches!(error, FactsError::NotGatherOutput { .. }));
        let error = split("@@pp:gather v=9@@\n@@pp:begin a@@\n\n@@pp:end a rc=0@@\n").unwrap_err();
        assert!(matches!(error, FactsError::UnsupportedFormat { .. }));
    }
}
