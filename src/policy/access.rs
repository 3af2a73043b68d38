//! Roles, operators and approvals: who may do what, and where.
//!
//! A role lists, per action, the environments it may act in (`"*"` means
//! every environment). An operator holds roles and the SSH public keys their
//! approvals are verified with. `[approvals.<environment>]` names the roles
//! that must sign a plan touching that environment (with `"*"` as the
//! fallback), and a shorter list for plans that hold only emergency changes.
//! Checks return a typed refusal that says exactly what is missing, so the
//! caller can both show it and record it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Deserialize;

/// The wildcard environment.
pub const ANY_ENVIRONMENT: &str = "*";

/// `[roles.<name>]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    #[serde(default)]
    pub description: String,
    /// Environments this role may run `stage` in.
    #[serde(default)]
    pub stage: Vec<String>,
    /// Environments this role may run `rollout` in.
    #[serde(default)]
    pub rollout: Vec<String>,
    /// Environments this role may approve plans for.
    #[serde(default)]
    pub approve: Vec<String>,
}

/// `[operators.<name>]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operator {
    pub roles: Vec<String>,
    /// OpenSSH public keys (`ssh-ed25519 AAAA… comment`) this operator signs with.
    #[serde(default)]
    pub keys: Vec<String>,
}

/// `[approvals.<environment>]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRule {
    /// Roles that must all sign a plan with scheduled changes here.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Roles that must all sign a plan with only emergency changes here;
    /// defaults to `roles`.
    pub emergency_roles: Option<Vec<String>>,
}

/// Something a role may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Stage,
    Rollout,
    Approve,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Stage => "stage",
            Action::Rollout => "rollout",
            Action::Approve => "approve",
        })
    }
}

/// Why an operator may not do something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("operator `{operator}` is not listed under `[operators]` in the policy")]
    UnknownOperator { operator: String },

    #[error("operator `{operator}` does not hold role `{role}` (holds: {held})")]
    RoleNotHeld { operator: String, role: String, held: String },

    #[error("role `{role}` may not {action} in environment `{environment}`")]
    NotPermitted { role: String, action: Action, environment: String },
}

impl Role {
    fn environments(&self, action: Action) -> &[String] {
        match action {
            Action::Stage => &self.stage,
            Action::Rollout => &self.rollout,
            Action::Approve => &self.approve,
        }
    }

    pub fn permits(&self, action: Action, environment: &str) -> bool {
        self.environments(action).iter().any(|e| e == ANY_ENVIRONMENT || e == environment)
    }
}

/// Checks that `operator` holds `role` and that the role may perform
/// `action` in every one of `environments`.
pub fn check(
    roles: &BTreeMap<String, Role>,
    operators: &BTreeMap<String, Operator>,
    operator: &str,
    role: &str,
    action: Action,
    environments: &BTreeSet<String>,
) -> Result<(), AccessError> {
    let holder = operators
        .get(operator)
        .ok_or_else(|| AccessError::UnknownOperator { operator: operator.to_string() })?;
    if !holder.roles.iter().any(|held| held == role) {
        return Err(AccessError::RoleNotHeld {
            operator: operator.to_string(),
            role: role.to_string(),
            held: held_list(&holder.roles),
        });
    }

    let definition = roles.get(role).cloned().unwrap_or_default();
    for environment in environments {
        if !definition.permits(action, environment) {
            return Err(AccessError::NotPermitted {
                role: role.to_string(),
                action,
                environment: environment.clone(),
            });
        }
    }
    Ok(())
}

fn held_list(roles: &[String]) -> String {
    if roles.is_empty() {
        return "none".to_string();
    }
    roles.iter().map(|role| format!("`{role}`")).collect::<Vec<_>>().join(", ")
}

/// The roles that must approve a plan touching `environment`; `emergency_only`
/// when every change there is an emergency.
pub fn required_roles(
    approvals: &BTreeMap<String, ApprovalRule>,
    environment: &str,
    emergency_only: bool,
) -> Vec<String> {
    let Some(rule) = approvals.get(environment).or_else(|| approvals.get(ANY_ENVIRONMENT)) else {
        return Vec::new();
    };
    let mut roles = match (&rule.emergency_roles, emergency_only) {
        (Some(emergency), true) => emergency.clone(),
        _ => rule.roles.clone(),
    };
    roles.sort();
    roles.dedup();
    roles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> (BTreeMap<String, Role>, BTreeMap<String, Operator>) {
        let roles = BTreeMap::from([
            ("security".to_string(), Role { approve: vec!["*".into()], ..Role::default() }),
            (
                "ops".to_string(),
                Role {
                    approve: vec!["staging".into()],
                    rollout: vec!["staging".into(), "production".into()],
                    ..Role::default()
                },
            ),
        ]);
        let operators = BTreeMap::from([
            ("alice".to_string(), Operator { roles: vec!["security".into()], keys: vec![] }),
            ("bob".to_string(), Operator { roles: vec!["ops".into()], keys: vec![] }),
        ]);
        (roles, operators)
    }

    #[test]
    fn operator_without_the_role_is_refused_with_what_they_hold() {
        let (roles, operators) = fixture();
        let envs = BTreeSet::from(["production".to_string()]);
        let refusal =
            check(&roles, &operators, "bob", "security", Action::Approve, &envs).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "operator `bob` does not hold role `security` (holds: `ops`)"
        );
        assert!(check(&roles, &operators, "alice", "security", Action::Approve, &envs).is_ok());
    }

    #[test]
    fn role_is_refused_in_an_environment_it_may_not_act_in() {
        let (roles, operators) = fixture();
        let envs = BTreeSet::from(["production".to_string(), "staging".to_string()]);
        let refusal = check(&roles, &operators, "bob", "ops", Action::Approve, &envs).unwrap_err();
        assert_eq!(refusal.to_string(), "role `ops` may not approve in environment `production`");
        assert!(check(&roles, &operators, "bob", "ops", Action::Rollout, &envs).is_ok());
        assert!(matches!(
            check(&roles, &operators, "eve", "ops", Action::Rollout, &envs),
            Err(AccessError::UnknownOperator { .. })
        ));
    }

    #[test]
    fn emergency_plans_need_only_the_emergency_roles() {
        let approvals = BTreeMap::from([(
            "production".to_string(),
            ApprovalRule {
                roles: vec!["security".into(), "change-manager".into()],
                emergency_roles: Some(vec!["security".into()]),
            },
        )]);
        assert_eq!(required_roles(&approvals, "production", false), ["change-manager", "security"]);
        assert_eq!(required_roles(&approvals, "production", true), ["security"]);
        assert!(required_roles(&approvals, "lab", false).is_empty());
    }
}
