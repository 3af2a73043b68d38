//! Process exit codes: the contract patchpilot keeps with cron jobs, CI
//! pipelines and runbooks.
//!
//! The numbers are public API. They are listed in the README and are never
//! renumbered; a new meaning gets a new number. Where several host outcomes
//! occur in one run, the most severe wins, in the order the constants below
//! are declared from [`HOST_KEY_MISMATCH`] downwards, because a changed host
//! key may mean an attack and must never be hidden behind a mere time-out.

/// Everything asked for was done, on every selected host.
pub const SUCCESS: i32 = 0;

/// patchpilot itself failed: an I/O error, an unreadable artifact, a bug.
pub const FAILURE: i32 = 1;

/// The command line, a configuration file or an input artifact is invalid.
/// Nothing was contacted and nothing was written.
pub const USAGE: i32 = 2;

/// At least one host refused our key or password.
pub const AUTHENTICATION_FAILED: i32 = 11;

/// At least one host presented a host key that does not match `known_hosts`
/// (or is revoked). The host was not contacted further.
pub const HOST_KEY_MISMATCH: i32 = 12;

/// At least one host could not be reached: connection refused, no route,
/// or a time-out.
pub const UNREACHABLE: i32 = 13;

/// Every host was reached, but a command failed on at least one of them.
pub const HOST_FAILED: i32 = 14;

/// The policy does not allow this: the operator lacks the role, the role
/// may not act in the environment, or required approvals are missing.
pub const NOT_PERMITTED: i32 = 15;

/// The subcommand exists in the design but is not built yet.
pub const NOT_IMPLEMENTED: i32 = 69;

/// The run was interrupted (SIGINT) before it finished.
pub const INTERRUPTED: i32 = 130;

/// Every code with its one-line meaning, for `--help` and the README.
pub const ALL: &[(i32, &str)] = &[
    (SUCCESS, "success on every selected host"),
    (FAILURE, "patchpilot itself failed (I/O, unreadable artifact, internal error)"),
    (USAGE, "invalid arguments, configuration or input; nothing was contacted"),
    (AUTHENTICATION_FAILED, "authentication failed on at least one host"),
    (HOST_KEY_MISMATCH, "host key mismatch or revoked key on at least one host"),
    (UNREACHABLE, "at least one host unreachable (refused, no route, time-out)"),
    (HOST_FAILED, "a command failed on at least one reachable host"),
    (NOT_PERMITTED, "not permitted by the policy (role, environment or missing approvals)"),
    (NOT_IMPLEMENTED, "subcommand not built yet"),
    (INTERRUPTED, "interrupted"),
];
