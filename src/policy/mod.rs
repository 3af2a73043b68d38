//! The policy file: the rules a plan is built by.
//!
//! `policy.toml` says how fast findings must be fixed (tiers, frameworks),
//! when changes may happen (windows, freezes, what an emergency may do), in
//! what order and how carefully (canary, waves, batches, failure budgets,
//! throttles, reboots, cluster limits), what was knowingly left alone
//! (deferrals and exceptions) and who signs off (roles, operators,
//! approvals). Each concept has its own submodule; this one holds the
//! top-level shape and loading. Loading is strict: unknown keys are errors,
//! every error names the file, line, column and field path, and misspelt
//! keys get a "did you mean". See `examples/policy.toml` for every knob.

pub mod access;
pub mod capacity;
pub mod civil;
pub mod exception;
mod location;
pub mod quantity;
pub mod selector;
pub mod sla;
pub mod threshold;
mod validate;
pub mod wave;
pub mod window;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use serde::Deserialize;

pub use location::Issue;

use access::{ApprovalRule, Operator, Role};
use capacity::{Clusters, Reboots, Throttle};
use exception::Exception;
use sla::{Framework, Tier};
use threshold::FailureBudget;
use wave::{Canary, WaveRule};
use window::{Freeze, WindowRule};

/// The policy format this build reads.
pub const POLICY_VERSION: u32 = 1;

/// The whole policy file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Format version; must be [`POLICY_VERSION`].
    pub version: u32,
    /// Default IANA time zone for windows, freezes and deadlines.
    #[serde(default = "utc")]
    pub timezone: String,
    #[serde(default)]
    pub tiers: BTreeMap<String, Tier>,
    #[serde(default)]
    pub frameworks: BTreeMap<String, Framework>,
    #[serde(default)]
    pub emergency: Emergency,
    #[serde(default)]
    pub scheduling: Scheduling,
    #[serde(default)]
    pub windows: BTreeMap<String, WindowRule>,
    #[serde(default)]
    pub freezes: BTreeMap<String, Freeze>,
    #[serde(default)]
    pub canary: Canary,
    #[serde(default)]
    pub waves: Vec<WaveRule>,
    /// Failure budget of every wave that does not set its own.
    #[serde(default)]
    pub max_failures: FailureBudget,
    #[serde(default)]
    pub throttle: Throttle,
    #[serde(default)]
    pub reboots: Reboots,
    #[serde(default)]
    pub clusters: Clusters,
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
    #[serde(default)]
    pub operators: BTreeMap<String, Operator>,
    /// Required approvals by environment; `"*"` applies to the rest.
    #[serde(default)]
    pub approvals: BTreeMap<String, ApprovalRule>,
}

fn utc() -> String {
    "UTC".to_string()
}

/// `[emergency]`: what a change classified emergency may do. The roles it
/// still needs are `emergency_roles` under `[approvals.<environment>]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emergency {
    /// Emergency changes start as soon as the plan allows, not in windows.
    #[serde(default = "yes")]
    pub outside_windows: bool,
    /// Emergency changes may run inside change freezes.
    #[serde(default)]
    pub during_freezes: bool,
    /// Emergency changes still go through a canary first.
    #[serde(default = "yes")]
    pub canary: bool,
    /// Failure budget of emergency waves; defaults to `[max_failures]`.
    pub max_failures: Option<FailureBudget>,
}

fn yes() -> bool {
    true
}

impl Default for Emergency {
    fn default() -> Self {
        Emergency { outside_windows: true, during_freezes: false, canary: true, max_failures: None }
    }
}

/// `[scheduling]`: the throughput used to pack hosts into windows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheduling {
    /// Minutes one host takes to patch, checks included.
    #[serde(default = "thirty")]
    pub minutes_per_host: u32,
    /// Extra minutes when the host reboots.
    #[serde(default = "ten")]
    pub reboot_minutes: u32,
    /// How far ahead the plan looks for window slots.
    #[serde(default = "sixty")]
    pub horizon_days: u32,
    /// Whether findings classified deferrable are patched in this plan.
    #[serde(default)]
    pub include_deferrable: bool,
}

fn thirty() -> u32 {
    30
}

fn ten() -> u32 {
    10
}

fn sixty() -> u32 {
    60
}

impl Default for Scheduling {
    fn default() -> Self {
        Scheduling {
            minutes_per_host: thirty(),
            reboot_minutes: ten(),
            horizon_days: sixty(),
            include_deferrable: false,
        }
    }
}

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("invalid policy `{}`:\n{}", path.display(), render_issues(issues))]
    Invalid { path: PathBuf, issues: Vec<Issue> },
}

fn render_issues(issues: &[Issue]) -> String {
    issues.iter().map(|issue| format!("  {issue}")).collect::<Vec<_>>().join("\n")
}

impl Policy {
    /// Reads and validates a policy file.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| PolicyError::Read { path: path.to_path_buf(), source })?;
        Policy::parse(&text, path)
    }

    /// Parses and validates policy text; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Policy, PolicyError> {
        let invalid = |issues| PolicyError::Invalid { path: path.to_path_buf(), issues };
        let policy: Policy = toml::from_str(text)
            .map_err(|error| invalid(vec![location::from_toml(text, path, &error)]))?;

        let issues = validate::check(&policy, text, path);
        if issues.is_empty() { Ok(policy) } else { Err(invalid(issues)) }
    }

    /// The default time zone; validation guarantees it resolves.
    pub fn time_zone(&self) -> TimeZone {
        TimeZone::get(&self.timezone).unwrap_or(TimeZone::UTC)
    }

    /// Whether a tier is critical. An unknown tier counts as critical, so a
    /// host the policy cannot place is never a canary.
    pub fn is_critical_tier(&self, tier: Option<&str>) -> bool {
        tier.and_then(|tier| self.tiers.get(tier)).is_none_or(|tier| tier.critical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../examples/policy.toml");

    fn parse(text: &str) -> Result<Policy, PolicyError> {
        Policy::parse(text, Path::new("policy.toml"))
    }

    fn issues(text: &str) -> Vec<Issue> {
        match parse(text) {
            Err(PolicyError::Invalid { issues, .. }) => issues,
            other => panic!("expected an invalid policy, got {other:?}"),
        }
    }

    #[test]
    fn example_policy_with_every_knob_validates() {
        let policy = parse(EXAMPLE).unwrap();
        assert_eq!(policy.tiers.len(), 3);
        assert_eq!(policy.frameworks["pci-dss"].evidence.len(), 4);
        assert!(policy.emergency.during_freezes);
        assert_eq!(policy.windows.len(), 4);
        assert!(policy.windows["db-monthly"].monthly.is_some());
        assert_eq!(policy.freezes.len(), 2);
        assert_eq!(policy.waves.len(), 3);
        assert_eq!(policy.throttle.per_group["db"], 1);
        assert_eq!(policy.reboots.groups["db"], capacity::RebootMode::Never);
        assert_eq!(policy.exceptions.len(), 2);
        assert_eq!(policy.operators["carol"].roles, ["change-manager", "ops"]);
        assert_eq!(
            policy.approvals["production"].emergency_roles.as_deref(),
            Some(&["security".to_string()][..])
        );
    }

    #[test]
    fn misspelt_key_gives_file_line_column_path_and_suggestion() {
        let text = EXAMPLE
            .replace("start = \"02:00\"\nend = \"06:00\"", "strat = \"02:00\"\nend = \"06:00\"");
        let found = issues(&text);
        let issue = &found[0];
        let line = text.lines().position(|line| line.starts_with("strat")).unwrap() + 1;
        assert_eq!((issue.line, issue.column), (line, 1));
        assert_eq!(issue.field, "windows.web-weekend.strat");
        assert_eq!(issue.suggestion.as_deref(), Some("start"));
        assert!(
            issue.to_string().starts_with(&format!(
                "policy.toml:{line}:1: `windows.web-weekend.strat`: unknown field `strat`"
            )),
            "{issue}"
        );
    }

    #[test]
    fn misspelt_enum_value_in_an_inline_table_is_located() {
        let text = EXAMPLE.replace("db = \"never\"", "db = \"nevr\"");
        let issue = &issues(&text)[0];
        let line = text.lines().position(|line| line.contains("\"nevr\"")).unwrap() + 1;
        let column = text.lines().nth(line - 1).unwrap().find("\"nevr\"").unwrap() + 1;
        assert_eq!((issue.line, issue.column), (line, column));
        assert_eq!(issue.field, "reboots.groups.db");
        assert_eq!(issue.suggestion.as_deref(), Some("never"));
    }

    #[test]
    fn bad_value_in_an_array_of_tables_names_the_element() {
        let text = EXAMPLE.replace("batch_size = [1, 5, \"20%\"]", "batch_size = [1, 5, \"200%\"]");
        let issue = &issues(&text)[0];
        assert_eq!(issue.field, "waves[1].batch_size[2]");
        assert!(issue.message.contains("outside 0%..100%"), "{issue}");
    }

    #[test]
    fn semantic_errors_are_all_reported_at_their_fields() {
        let text = EXAMPLE
            .replace("timezone = \"America/New_York\"", "timezone = \"America/New_Yrok\"")
            .replace(
                "roles = [\"security\", \"change-manager\"]",
                "roles = [\"security\", \"change-manager\", \"secruity\"]",
            )
            .replace("owner = \"bob\"", "owner = \"\"");
        let found = issues(&text);
        let fields: Vec<&str> = found.iter().map(|issue| issue.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "freezes.black-friday.timezone",
                "exceptions[1].owner",
                "approvals.production.roles[2]"
            ]
        );
        assert_eq!(found[2].suggestion.as_deref(), Some("security"));
        let line = text.lines().position(|line| line.contains("New_Yrok")).unwrap() + 1;
        assert_eq!((found[0].line, found[0].column), (line, 12));
    }

    #[test]
    fn missing_required_field_points_at_its_table() {
        let text = "version = 1\n[freezes.q4]\nstart = 2026-12-01\nend = 2026-12-02\n";
        let issue = &issues(text)[0];
        assert_eq!(issue.field, "freezes.q4");
        assert_eq!(issue.line, 2);
        assert!(issue.message.contains("missing field `reason`"), "{issue}");
    }

    #[test]
    fn syntax_error_is_located() {
        let issue = &issues("version = 1\n[windows.a\n")[0];
        assert_eq!(issue.line, 2);
    }
}
