//! Ansible's INI inventory format.
//!
//! Follows the rules of Ansible's `ini` inventory plugin so a file means the
//! same to both tools: hosts before any section are ungrouped; `[g]` lists
//! hosts with `key=value` variables (shell-quoted, `#` comments);
//! `[g:vars]` holds one `key=value` per line; `[g:children]` names groups
//! that must be declared somewhere in the file, and `[g:vars]` needs `g`
//! declared too — Ansible refuses the file otherwise, and so do we, naming
//! the same line.

use std::collections::BTreeMap;
use std::path::Path;

use super::hostpattern;
use super::{AnsibleVar, apply_var};
use crate::fleet::error::{InventoryError, SourceLocation};
use crate::fleet::inventory::{Inventory, InventoryBuilder, InventoryFormat};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SectionKind {
    Hosts,
    Vars,
    Children,
}

/// A reference to a group that had not been declared yet when it was made.
#[derive(Debug)]
struct Pending {
    line: usize,
    kind: SectionKind,
    /// For children: the sections that named it.
    parents: Vec<String>,
}

/// Parses an INI inventory; `path` is used in messages.
pub fn parse(text: &str, path: &Path) -> Result<Inventory, InventoryError> {
    let mut parser = Parser {
        path,
        builder: InventoryBuilder::new(Some(path), InventoryFormat::AnsibleIni),
        pending: BTreeMap::new(),
        group: "ungrouped".to_string(),
        kind: SectionKind::Hosts,
    };

    for (index, raw) in text.lines().enumerate() {
        parser.line(index + 1, raw)?;
    }
    parser.finish()
}

struct Parser<'a> {
    path: &'a Path,
    builder: InventoryBuilder,
    pending: BTreeMap<String, Pending>,
    group: String,
    kind: SectionKind,
}

impl Parser<'_> {
    fn line(&mut self, number: usize, raw: &str) -> Result<(), InventoryError> {
        let line = raw.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            return Ok(());
        }

        if line.starts_with('[') {
            return self.section(number, raw, line);
        }
        match self.kind {
            SectionKind::Hosts => self.host_line(number, raw, line),
            SectionKind::Vars => self.var_line(number, raw, line),
            SectionKind::Children => self.child_line(number, raw, line),
        }
    }

    fn location(&self, number: usize, raw: &str, needle: &str) -> SourceLocation {
        let column = raw.find(needle).map_or(1, |byte| raw[..byte].chars().count() + 1);
        SourceLocation::new(self.path, number, column)
    }

    fn syntax(&self, number: usize, raw: &str, needle: &str, message: String) -> InventoryError {
        InventoryError::Syntax { location: self.location(number, raw, needle), message }
    }

    fn section(&mut self, number: usize, raw: &str, line: &str) -> Result<(), InventoryError> {
        let (group, kind) =
            parse_section(line).map_err(|message| self.syntax(number, raw, "[", message))?;
        let declared = self.builder.groups.contains_key(&group) || is_implicit(&group);

        if !declared && kind == SectionKind::Vars && !self.pending.contains_key(&group) {
            self.pending.insert(group.clone(), Pending { line: number, kind, parents: Vec::new() });
        }
        self.builder.group_mut(&group);
        if kind != SectionKind::Vars {
            self.declare(&group);
        }

        self.group = group;
        self.kind = kind;
        Ok(())
    }

    /// A `[g]` or `[g:children]` header declares `g`: links children that
    /// were waiting for it and settles a `[g:vars]` seen earlier.
    fn declare(&mut self, group: &str) {
        let Some(pending) = self.pending.remove(group) else {
            return;
        };
        for parent in pending.parents {
            self.builder.add_child(&parent, group, None);
        }
    }

    fn host_line(&mut self, number: usize, raw: &str, line: &str) -> Result<(), InventoryError> {
        let tokens = split_host_line(line).ok_or_else(|| {
            self.syntax(number, raw, line, format!("unbalanced quotes in `{line}`"))
        })?;
        let Some((pattern, assignments)) = tokens.split_first() else {
            return Ok(());
        };
        let expanded = hostpattern::expand(pattern)
            .map_err(|message| self.syntax(number, raw, pattern, message))?;

        for name in &expanded.names {
            self.builder.add_member(&self.group, name);
            if let Some(port) = expanded.port {
                self.builder.host_mut(name).port = Some(port);
            }
            for assignment in assignments {
                self.host_var(number, raw, name, assignment)?;
            }
        }
        Ok(())
    }

    fn host_var(
        &mut self,
        number: usize,
        raw: &str,
        host: &str,
        assignment: &str,
    ) -> Result<(), InventoryError> {
        let Some((key, value)) = assignment.split_once('=') else {
            let message =
                format!("expected `key=value` host variable assignment, got `{assignment}`");
            return Err(self.syntax(number, raw, assignment, message));
        };
        let var = AnsibleVar {
            key,
            value: Some(python_literal_text(value)),
            field: format!("{}.{host}.{key}", self.group),
            location: self.location(number, raw, assignment),
        };
        let builder = &mut self.builder;
        let layer = builder.hosts.entry(host.to_string()).or_default();
        apply_var(var, layer, &mut builder.warnings)
    }

    fn var_line(&mut self, number: usize, raw: &str, line: &str) -> Result<(), InventoryError> {
        let Some((key, value)) = line.split_once('=') else {
            return Err(self.syntax(
                number,
                raw,
                line,
                format!("expected `key=value` in `[{}:vars]`, got `{line}`", self.group),
            ));
        };
        let key = key.trim();
        let var = AnsibleVar {
            key,
            value: Some(python_literal_text(value.trim())),
            field: format!("{}:vars.{key}", self.group),
            location: self.location(number, raw, key),
        };
        let builder = &mut self.builder;
        let layer = &mut builder.groups.entry(self.group.clone()).or_default().vars;
        apply_var(var, layer, &mut builder.warnings)
    }

    fn child_line(&mut self, number: usize, raw: &str, line: &str) -> Result<(), InventoryError> {
        let child = strip_comment(line).trim();
        if child.is_empty() || child.contains(|c: char| c.is_whitespace() || c == ':' || c == ']') {
            return Err(self.syntax(
                number,
                raw,
                line,
                format!("expected a group name, got `{line}`"),
            ));
        }

        if self.builder.groups.contains_key(child) {
            let location = self.location(number, raw, child);
            self.builder.add_child(&self.group, child, Some(location));
            return Ok(());
        }
        let pending = self.pending.entry(child.to_string()).or_insert(Pending {
            line: number,
            kind: SectionKind::Children,
            parents: Vec::new(),
        });
        pending.parents.push(self.group.clone());
        Ok(())
    }

    /// References never resolved by a declaration are errors, as in Ansible.
    fn finish(self) -> Result<Inventory, InventoryError> {
        if let Some((group, pending)) = self.pending.iter().min_by_key(|(_, pending)| pending.line)
        {
            let location = SourceLocation::new(self.path, pending.line, 1);
            let message = match pending.kind {
                SectionKind::Children => {
                    let parent = pending.parents.last().map_or("", String::as_str);
                    format!("section `[{parent}:children]` includes undefined group `{group}`")
                }
                _ => format!("section `[{group}:vars]` is not valid for undefined group `{group}`"),
            };
            return Err(InventoryError::Syntax { location, message });
        }
        self.builder.build()
    }
}

fn is_implicit(group: &str) -> bool {
    group == "all" || group == "ungrouped"
}

/// `[name]`, `[name:vars]` or `[name:children]`, optionally followed by a comment.
fn parse_section(line: &str) -> Result<(String, SectionKind), String> {
    let invalid = || {
        format!(
            "invalid section entry `{line}`: section names may not contain spaces or other brackets"
        )
    };
    let close = line.find(']').ok_or_else(invalid)?;
    let after = line[close + 1..].trim();
    if !(after.is_empty() || after.starts_with('#')) {
        return Err(invalid());
    }

    let inside = &line[1..close];
    if inside.is_empty() || inside.contains(|c: char| c.is_whitespace() || c == '[') {
        return Err(invalid());
    }
    let (name, kind) = match inside.split_once(':') {
        None => (inside, SectionKind::Hosts),
        Some((name, "vars")) => (name, SectionKind::Vars),
        Some((name, "children")) => (name, SectionKind::Children),
        Some((name, "hosts")) => (name, SectionKind::Hosts),
        Some((_, other)) => return Err(format!("section `[{inside}]` has unknown type `{other}`")),
    };
    if name.is_empty() {
        return Err(invalid());
    }
    Ok((name.to_string(), kind))
}

/// Shell-style words of a host line, up to a `#` comment, as Ansible's
/// `shlex.split(line, comments=True)`.
fn split_host_line(line: &str) -> Option<Vec<String>> {
    shlex::split(strip_comment(line))
}

/// Cuts a `#` comment that starts a word outside quotes.
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut previous = ' ';
    for (index, character) in line.char_indices() {
        match (quote, character) {
            (None, '\'' | '"') => quote = Some(character),
            (Some(open), _) if character == open => quote = None,
            (None, '#') if previous.is_whitespace() => return &line[..index],
            _ => {}
        }
        previous = character;
    }
    line
}

/// What Python's `literal_eval` leaves of a quoted string literal; other
/// values (numbers, `True`, bare words) are kept as written.
fn python_literal_text(value: &str) -> String {
    let quoted = value.len() >= 2
        && ((value.starts_with('"') && value.ends_with('"'))
            || (value.starts_with('\'') && value.ends_with('\'')));
    if quoted { value[1..value.len() - 1].to_string() } else { value.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Inventory, InventoryError> {
        parse(text, Path::new("hosts"))
    }

    #[test]
    fn sections_vars_children_and_ungrouped_hosts() {
        let text = "mail.example.com\n\n[web]\nw1 ansible_host=10.0.0.1 ansible_port=2222 http_port=80 # frontend\nw2:2200\n\n[db]\nd1 ansible_user=postgres\n\n[prod:children]\nweb\ndb\n\n[prod:vars]\nansible_user=ops\nntp_server = \"ntp.example.com\"\n";
        let inventory = load(text).expect("valid inventory");

        let w1 = inventory.host("w1").expect("w1");
        assert_eq!(w1.connection.address, "10.0.0.1");
        assert_eq!(w1.connection.port, Some(2222));
        assert_eq!(w1.connection.user.as_deref(), Some("ops"));
        assert_eq!(w1.vars["http_port"], "80");
        assert_eq!(w1.vars["ntp_server"], "ntp.example.com");
        assert_eq!(w1.groups, ["prod", "web"]);
        assert_eq!(inventory.host("w2").and_then(|h| h.connection.port), Some(2200));
        assert_eq!(
            inventory.host("d1").and_then(|h| h.connection.user.clone()).as_deref(),
            Some("postgres")
        );
        assert!(inventory.host("mail.example.com").is_some_and(|h| h.is_member_of("ungrouped")));
    }

    #[test]
    fn children_may_be_declared_after_they_are_named() {
        let inventory = load("[prod:children]\nweb\n\n[web]\nw1\n").expect("valid");
        assert_eq!(
            inventory.host("w1").map(|h| h.groups.clone()),
            Some(vec!["prod".into(), "web".into()])
        );
    }

    #[test]
    fn undefined_children_and_vars_groups_are_refused_like_ansible() {
        let error = load("[usa:children]\nsoutheast\nnortheast\n[southeast]\nh1\n")
            .expect_err("undefined")
            .to_string();
        assert_eq!(
            error,
            "hosts:3:1: section `[usa:children]` includes undefined group `northeast`"
        );
        let error = load("[ghost:vars]\nx=1\n").expect_err("undefined").to_string();
        assert_eq!(
            error,
            "hosts:1:1: section `[ghost:vars]` is not valid for undefined group `ghost`"
        );
        assert!(load("[all:vars]\nx=1\n[g]\nh\n").is_ok());
    }

    #[test]
    fn malformed_lines_name_their_position() {
        let error = load("[web]\nw1 ansible_port\n").expect_err("no =").to_string();
        assert_eq!(
            error,
            "hosts:2:4: expected `key=value` host variable assignment, got `ansible_port`"
        );
        let error = load("[web]\nw1 ansible_port=abc\n").expect_err("bad port").to_string();
        assert_eq!(
            error,
            "hosts:2:4: web.w1.ansible_port: invalid port `abc`, expected an integer between 1 and 65535"
        );
        assert!(
            load("[web server]\n")
                .expect_err("space")
                .to_string()
                .starts_with("hosts:1:1: invalid section entry")
        );
        assert!(
            load("[web:hostz]\n").expect_err("kind").to_string().contains("unknown type `hostz`")
        );
        assert!(load("[web]\nw1 x='unterminated\n").is_err());
    }

    #[test]
    fn quoted_values_and_comments_follow_shell_rules() {
        let inventory =
            load("[g]\nh1 motd='hello # world' note=\"a b\" # trailing\n").expect("valid");
        let host = inventory.host("h1").expect("h1");
        assert_eq!(host.vars["motd"], "hello # world");
        assert_eq!(host.vars["note"], "a b");
    }
}
