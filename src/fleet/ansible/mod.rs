//! Existing Ansible inventories (INI and YAML), read as they are.
//!
//! Sites that already run Ansible should not have to convert anything, so
//! both static formats are parsed with Ansible's own rules (ranges, `:vars`,
//! `:children`, undefined-group errors) and checked against
//! `ansible-inventory --list`. Ansible's connection variables become our
//! settings: `ansible_host`, `ansible_port`, `ansible_user`,
//! `ansible_ssh_private_key_file`, `ansible_become`, `ansible_connection`,
//! and a `ProxyJump` in `ansible_ssh_common_args`. `patchpilot_environment`,
//! `patchpilot_owner`, `patchpilot_cluster`, `patchpilot_tier` and
//! `patchpilot_tags` (comma separated) fill the fields Ansible has no word
//! for. Every other variable is kept as a string, except secrets
//! (`ansible_password`, vault-encrypted values…), which are dropped with a
//! warning so they never reach an artifact.

pub(crate) mod hostpattern;
pub(crate) mod ini;
pub(crate) mod yaml;

#[cfg(test)]
mod fixture_tests;

use super::error::{InventoryError, SourceLocation};
use super::host::{ExplicitTier, Transport};
use super::layer::Layer;
use super::secrets::is_secret_key;

/// One variable as an Ansible file states it.
#[derive(Debug)]
pub(crate) struct AnsibleVar<'a> {
    pub key: &'a str,
    /// `None` when the value is vault-encrypted.
    pub value: Option<String>,
    /// Dotted path for messages, e.g. `web.hosts.w1.ansible_port`.
    pub field: String,
    pub location: SourceLocation,
}

/// Applies one variable to a host's or group's layer.
pub(crate) fn apply_var(
    var: AnsibleVar<'_>,
    layer: &mut Layer,
    warnings: &mut Vec<String>,
) -> Result<(), InventoryError> {
    let Some(value) = var.value else {
        warnings.push(format!(
            "{}: {}: dropped a vault-encrypted value; secrets are never carried into artifacts",
            var.location, var.field
        ));
        return Ok(());
    };
    if is_secret_key(var.key) {
        warnings.push(format!(
            "{}: {}: dropped `{}`; secrets are never carried into artifacts",
            var.location, var.field, var.key
        ));
        return Ok(());
    }

    let invalid =
        |message: String| InventoryError::invalid(var.location.clone(), &var.field, message);
    match var.key {
        "ansible_host" | "ansible_ssh_host" => layer.address = Some(value),
        "ansible_port" | "ansible_ssh_port" => layer.port = Some(port(&value).map_err(invalid)?),
        "ansible_user" | "ansible_ssh_user" => layer.user = Some(value),
        "ansible_ssh_private_key_file" | "ansible_private_key_file" => {
            layer.identity_file = Some(value.into());
        }
        "ansible_become" => layer.become_root = Some(boolean(&value).map_err(invalid)?),
        "ansible_connection" => layer.transport = Some(transport(&value).map_err(invalid)?),
        "patchpilot_environment" => layer.environment = Some(value),
        "patchpilot_owner" => layer.owner = Some(value),
        "patchpilot_cluster" => layer.cluster = Some(value),
        "patchpilot_tier" => layer.tier = Some(ExplicitTier { tier: value, origin: var.field }),
        "patchpilot_tags" => layer.tags = comma_list(&value),
        key => {
            if matches!(key, "ansible_ssh_common_args" | "ansible_ssh_extra_args") {
                if let Some(jump) = proxy_jump(&value) {
                    layer.proxy_jump = Some(jump);
                }
            }
            layer.vars.insert(key.to_string(), value);
        }
    }
    Ok(())
}

fn port(value: &str) -> Result<u16, String> {
    value
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|port| *port != 0)
        .ok_or_else(|| format!("invalid port `{value}`, expected an integer between 1 and 65535"))
}

/// Ansible's boolean spellings.
fn boolean(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "t" | "on" | "1" => Ok(true),
        "no" | "n" | "false" | "f" | "off" | "0" => Ok(false),
        _ => Err(format!("`{value}` is not a boolean")),
    }
}

fn transport(value: &str) -> Result<Transport, String> {
    let name = value.trim().trim_start_matches("ansible.builtin.");
    match name {
        "ssh" | "paramiko" | "paramiko_ssh" | "smart" => Ok(Transport::Ssh),
        "local" => Ok(Transport::Local),
        "winrm" | "psrp" => Ok(Transport::Winrm),
        _ => Err(format!(
            "connection `{value}` is not supported; patchpilot speaks `ssh`, `local` and `winrm`"
        )),
    }
}

fn comma_list(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|item| !item.is_empty()).map(str::to_string).collect()
}

/// The jump host in `-J host` or `-o ProxyJump=host` (as OpenSSH accepts them).
fn proxy_jump(arguments: &str) -> Option<String> {
    let words = shlex::split(arguments)?;
    let mut words = words.iter();
    while let Some(word) = words.next() {
        if let Some(jump) = word.strip_prefix("-J").filter(|rest| !rest.is_empty()) {
            return Some(jump.to_string());
        }
        if word == "-J" {
            return words.next().cloned();
        }
        let option = match word.strip_prefix("-o") {
            Some("") => words.next().map(String::as_str),
            Some(inline) => Some(inline),
            None => None,
        };
        if let Some((name, jump)) = option.and_then(|option| option.split_once(['=', ' '])) {
            if name.trim().eq_ignore_ascii_case("proxyjump") {
                return Some(jump.trim().to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn apply(key: &str, value: &str) -> (Result<Layer, InventoryError>, Vec<String>) {
        let mut layer = Layer::default();
        let mut warnings = Vec::new();
        let var = AnsibleVar {
            key,
            value: Some(value.to_string()),
            field: format!("web.hosts.w1.{key}"),
            location: SourceLocation::new(Path::new("hosts"), 3, 4),
        };
        let result = apply_var(var, &mut layer, &mut warnings).map(|()| layer);
        (result, warnings)
    }

    #[test]
    fn connection_variables_become_settings() {
        assert_eq!(
            apply("ansible_host", "10.0.0.5").0.ok().and_then(|l| l.address).as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(apply("ansible_port", "2222").0.ok().and_then(|l| l.port), Some(2222));
        assert_eq!(apply("ansible_become", "yes").0.ok().and_then(|l| l.become_root), Some(true));
        assert_eq!(
            apply("ansible_connection", "ansible.builtin.local").0.ok().and_then(|l| l.transport),
            Some(Transport::Local)
        );
        assert_eq!(
            apply("patchpilot_tags", "pci, internet-facing").0.ok().map(|l| l.tags),
            Some(vec!["pci".into(), "internet-facing".into()])
        );
    }

    #[test]
    fn bad_values_are_errors_with_position_and_field() {
        let error = apply("ansible_port", "ssh").0.expect_err("not a port").to_string();
        assert_eq!(
            error,
            "hosts:3:4: web.hosts.w1.ansible_port: invalid port `ssh`, expected an integer between 1 and 65535"
        );
        assert!(apply("ansible_connection", "docker").0.is_err());
    }

    #[test]
    fn secrets_are_dropped_with_a_warning_that_omits_the_value() {
        let (layer, warnings) = apply("ansible_become_password", "hunter2");
        assert!(layer.expect("dropped, not refused").vars.is_empty());
        assert_eq!(warnings.len(), 1);
        assert!(!warnings[0].contains("hunter2"));
    }

    #[test]
    fn proxy_jump_is_found_in_ssh_arguments() {
        assert_eq!(
            proxy_jump("-o ProxyJump=bastion.example.com -o StrictHostKeyChecking=no").as_deref(),
            Some("bastion.example.com")
        );
        assert_eq!(proxy_jump("-J ops@bastion:2222").as_deref(), Some("ops@bastion:2222"));
        assert_eq!(proxy_jump("-o 'ProxyCommand=ssh -W %h:%p bastion'"), None);
        let layer = apply("ansible_ssh_common_args", "-o ProxyJump=jump1").0.expect("valid");
        assert_eq!(layer.proxy_jump.as_deref(), Some("jump1"));
        assert!(layer.vars.contains_key("ansible_ssh_common_args"));
    }
}
