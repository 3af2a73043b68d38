//! Ansible's YAML inventory format.
//!
//! Top-level keys are groups (usually just `all`); a group may have `hosts`
//! (host pattern → variables), `children` (group name → group) and `vars`.
//! As in Ansible's `yaml` plugin, other keys and non-mapping groups are
//! skipped with a warning rather than refused.
//!
//! `serde_yaml_ng`'s `Value` keeps no positions, so errors about a value
//! (a bad `ansible_port`) locate it by walking the key path through the
//! text's indentation; syntax errors use the parser's own position.

use std::path::Path;

use serde_yaml_ng::Value;

use super::hostpattern;
use super::{AnsibleVar, apply_var};
use crate::fleet::error::{InventoryError, SourceLocation, closest};
use crate::fleet::inventory::{Inventory, InventoryBuilder, InventoryFormat};
use crate::fleet::layer::Layer;

const GROUP_KEYS: [&str; 3] = ["hosts", "children", "vars"];

/// Parses a YAML inventory; `path` is used in messages.
pub fn parse(text: &str, path: &Path) -> Result<Inventory, InventoryError> {
    let document: Value =
        serde_yaml_ng::from_str(text).map_err(|error| syntax_error(path, &error))?;
    let mut parser = Parser {
        path,
        text,
        builder: InventoryBuilder::new(Some(path), InventoryFormat::AnsibleYaml),
    };

    match document {
        Value::Null => {}
        Value::Mapping(groups) => {
            for (name, group) in &groups {
                let name = parser.key_text(name, &[])?;
                parser.group(&name, group, &[name.as_str()])?;
            }
        }
        _ => {
            let location = SourceLocation::new(path, 1, 1);
            let message = "an Ansible YAML inventory must be a mapping of group names".to_string();
            return Err(InventoryError::Syntax { location, message });
        }
    }
    parser.builder.build()
}

fn syntax_error(path: &Path, error: &serde_yaml_ng::Error) -> InventoryError {
    let (line, column) = error.location().map_or((1, 1), |at| (at.line(), at.column()));
    InventoryError::Syntax {
        location: SourceLocation::new(path, line, column),
        message: error.to_string(),
    }
}

struct Parser<'a> {
    path: &'a Path,
    text: &'a str,
    builder: InventoryBuilder,
}

impl Parser<'_> {
    fn group(
        &mut self,
        name: &str,
        group: &Value,
        key_path: &[&str],
    ) -> Result<(), InventoryError> {
        let entries = match group {
            Value::Null => {
                self.builder.group_mut(name);
                return Ok(());
            }
            Value::Mapping(entries) => entries,
            _ => {
                let warning = format!(
                    "{}: skipping `{name}`: a group must be a mapping",
                    self.locate(key_path)
                );
                self.builder.warnings.push(warning);
                return Ok(());
            }
        };

        self.builder.group_mut(name);
        for (key, value) in entries {
            let key = self.key_text(key, key_path)?;
            let path = [key_path, &[key.as_str()]].concat();
            match key.as_str() {
                "vars" => self.group_vars(name, value, &path)?,
                "children" => self.children(name, value, &path)?,
                "hosts" => self.hosts(name, value, &path)?,
                other => self.unexpected_group_key(name, other, &path),
            }
        }
        Ok(())
    }

    fn unexpected_group_key(&mut self, group: &str, key: &str, key_path: &[&str]) {
        let hint = closest(key, GROUP_KEYS)
            .map(|near| format!("; did you mean `{near}`?"))
            .unwrap_or_default();
        let warning = format!(
            "{}: skipping unexpected key `{key}` in group `{group}`: only `vars`, `children` and `hosts` are valid{hint}",
            self.locate(key_path)
        );
        self.builder.warnings.push(warning);
    }

    fn children(
        &mut self,
        parent: &str,
        children: &Value,
        key_path: &[&str],
    ) -> Result<(), InventoryError> {
        for (child, group) in self.section_entries(children, key_path)? {
            let path = [key_path, &[child.as_str()]].concat();
            let location = self.locate(&path);
            self.group(&child, &group, &path)?;
            self.builder.add_child(parent, &child, Some(location));
        }
        Ok(())
    }

    fn hosts(
        &mut self,
        group: &str,
        hosts: &Value,
        key_path: &[&str],
    ) -> Result<(), InventoryError> {
        for (pattern, vars) in self.section_entries(hosts, key_path)? {
            let path = [key_path, &[pattern.as_str()]].concat();
            let expanded = hostpattern::expand(&pattern).map_err(|message| {
                InventoryError::Syntax { location: self.locate(&path), message }
            })?;

            for name in &expanded.names {
                self.builder.add_member(group, name);
                if let Some(port) = expanded.port {
                    self.builder.host_mut(name).port = Some(port);
                }
                let mut layer = std::mem::take(self.builder.host_mut(name));
                let applied = self.vars(&vars, &path, &mut layer);
                *self.builder.host_mut(name) = layer;
                applied?;
            }
        }
        Ok(())
    }

    fn group_vars(
        &mut self,
        group: &str,
        vars: &Value,
        key_path: &[&str],
    ) -> Result<(), InventoryError> {
        let mut layer = std::mem::take(&mut self.builder.group_mut(group).vars);
        let applied = self.vars(vars, key_path, &mut layer);
        self.builder.group_mut(group).vars = layer;
        applied
    }

    fn vars(
        &mut self,
        vars: &Value,
        key_path: &[&str],
        layer: &mut Layer,
    ) -> Result<(), InventoryError> {
        for (key, value) in self.section_entries(vars, key_path)? {
            let path = [key_path, &[key.as_str()]].concat();
            let var = AnsibleVar {
                key: &key,
                value: value_text(&value),
                field: path.join("."),
                location: self.locate(&path),
            };
            apply_var(var, layer, &mut self.builder.warnings)?;
        }
        Ok(())
    }

    /// Entries of a `hosts`, `children` or `vars` section; a bare string is
    /// one entry with no value, as Ansible allows.
    fn section_entries(
        &self,
        section: &Value,
        key_path: &[&str],
    ) -> Result<Vec<(String, Value)>, InventoryError> {
        match section {
            Value::Null => Ok(Vec::new()),
            Value::String(name) => Ok(vec![(name.clone(), Value::Null)]),
            Value::Mapping(entries) => entries
                .iter()
                .map(|(key, value)| Ok((self.key_text(key, key_path)?, value.clone())))
                .collect(),
            _ => {
                let section = key_path.last().copied().unwrap_or_default();
                let message = format!("`{section}` must be a mapping");
                Err(InventoryError::invalid(self.locate(key_path), &key_path.join("."), message))
            }
        }
    }

    /// Keys as Ansible sees them: numbers (`1:` as a host) become text.
    fn key_text(&self, key: &Value, key_path: &[&str]) -> Result<String, InventoryError> {
        match key {
            Value::String(text) => Ok(text.clone()),
            Value::Number(number) => Ok(number.to_string()),
            Value::Bool(flag) => Ok(flag.to_string()),
            _ => {
                let field = key_path.join(".");
                Err(InventoryError::invalid(
                    self.locate(key_path),
                    &field,
                    "keys must be names".to_string(),
                ))
            }
        }
    }

    /// Best-effort position of a key path: each key is looked for on a later,
    /// deeper-indented line than its parent.
    fn locate(&self, key_path: &[&str]) -> SourceLocation {
        let lines: Vec<&str> = self.text.lines().collect();
        let mut found = (1, 1);
        let mut start = 0;
        let mut parent_indent: Option<usize> = None;

        for key in key_path {
            let hit = lines.iter().enumerate().skip(start).find_map(|(index, line)| {
                let indent = line.len() - line.trim_start().len();
                let deeper = parent_indent.is_none_or(|parent| indent > parent);
                (deeper && starts_with_key(line.trim_start(), key)).then_some((index, indent))
            });
            let Some((index, indent)) = hit else { break };
            found = (index + 1, indent + 1);
            start = index + 1;
            parent_indent = Some(indent);
        }
        SourceLocation::new(self.path, found.0, found.1)
    }
}

fn starts_with_key(line: &str, key: &str) -> bool {
    [key.to_string(), format!("\"{key}\""), format!("'{key}'")].iter().any(|candidate| {
        line.strip_prefix(candidate.as_str()).is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Variables as text: scalars as written, lists and maps as JSON; `None`
/// for vault-encrypted values.
fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(text.clone()),
        Value::Tagged(tagged) if tagged.tag == "vault" => None,
        Value::Tagged(tagged) => value_text(&tagged.value),
        Value::Sequence(_) | Value::Mapping(_) => {
            Some(serde_json::to_string(value).unwrap_or_default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Inventory, InventoryError> {
        parse(text, Path::new("inventory.yml"))
    }

    #[test]
    fn nested_children_vars_and_ranges() {
        let text = "all:\n  vars:\n    ansible_user: ops\n  children:\n    web:\n      hosts:\n        w[1:2]:\n          ansible_port: 2222\n        w3:2200:\n      vars:\n        role: frontend\n        limits: [1, 2]\n    prod:\n      children:\n        web:\n";
        let inventory = load(text).expect("valid");
        let w1 = inventory.host("w1").expect("w1");
        assert_eq!(w1.connection.port, Some(2222));
        assert_eq!(w1.connection.user.as_deref(), Some("ops"));
        assert_eq!(w1.vars["role"], "frontend");
        assert_eq!(w1.vars["limits"], "[1,2]");
        assert_eq!(w1.groups, ["prod", "web"]);
        assert_eq!(inventory.host("w3").and_then(|h| h.connection.port), Some(2200));
    }

    #[test]
    fn unexpected_keys_are_skipped_with_a_warning() {
        let inventory = load("all:\n  host:\n    a:\n  hosts:\n    b:\n").expect("valid");
        assert_eq!(inventory.hosts().count(), 1);
        assert_eq!(inventory.warnings().len(), 1);
        assert!(
            inventory.warnings()[0]
                .starts_with("inventory.yml:2:3: skipping unexpected key `host`"),
            "{:?}",
            inventory.warnings()
        );
        assert!(inventory.warnings()[0].ends_with("did you mean `hosts`?"));
    }

    #[test]
    fn bad_values_are_located_by_their_key_path() {
        let text = "all:\n  children:\n    web:\n      hosts:\n        w1:\n          ansible_port: twenty-two\n";
        let error = load(text).expect_err("bad port").to_string();
        assert_eq!(
            error,
            "inventory.yml:6:11: all.children.web.hosts.w1.ansible_port: invalid port `twenty-two`, expected an integer between 1 and 65535"
        );
    }

    #[test]
    fn syntax_errors_carry_the_parser_position() {
        let error = load("all:\n  hosts:\n    a: [\n").expect_err("unterminated").to_string();
        assert!(error.starts_with("inventory.yml:"), "{error}");
    }

    #[test]
    fn vault_values_and_passwords_are_dropped() {
        let text = "all:\n  hosts:\n    a:\n      ansible_password: hunter2\n      db: !vault |\n          $ANSIBLE_VAULT;1.1;AES256\n          6162\n";
        let inventory = load(text).expect("valid");
        assert!(inventory.host("a").is_some_and(|h| h.vars.is_empty()));
        assert_eq!(inventory.warnings().len(), 2);
    }

    #[test]
    fn numeric_host_names_are_text() {
        let inventory = load("all:\n  hosts:\n    1:\n    2:\n").expect("valid");
        assert_eq!(inventory.hosts().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["1", "2"]);
    }
}
