//! Arguments of `patchpilot approve`.

use std::path::PathBuf;

use clap::Args;

/// Sign a plan's digest for a role, in the OpenSSH sshsig format.
///
/// The signature covers the sha256 of the plan file, the role and the
/// operator (`--operator`), and is stored in `<plan>.approvals/` where
/// `ssh-keygen -Y verify` can check it. The policy decides whether the
/// operator holds the role and whether the role may approve every
/// environment the plan touches; a refusal is recorded in
/// `<plan>.approvals/log.jsonl`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The plan to approve.
    #[arg(default_value = "plan.json")]
    pub plan: PathBuf,

    /// Key to sign with. An unencrypted OpenSSH private key is used
    /// directly; an encrypted one, or a `.pub` whose private half is in
    /// ssh-agent, is signed through `ssh-keygen -Y sign`.
    #[arg(short, long, required_unless_present_any = ["verify", "allowed_signers"],
          help_heading = "Signing")]
    pub key: Option<PathBuf>,

    /// The role this approval is given in.
    #[arg(short, long, required_unless_present_any = ["verify", "allowed_signers"],
          help_heading = "Signing")]
    pub role: Option<String>,

    /// The policy naming roles, operators and their keys.
    #[arg(short, long, default_value = "policy.toml", env = "PATCHPILOT_POLICY")]
    pub policy: PathBuf,

    /// Check the plan's approvals against the policy instead of signing;
    /// exits non-zero when a required role has not signed this exact plan.
    #[arg(long, conflicts_with_all = ["key", "role", "allowed_signers"], help_heading = "Checking")]
    pub verify: bool,

    /// Print an `allowed_signers` file for `ssh-keygen -Y verify` from the
    /// policy's operators and exit.
    #[arg(long, conflicts_with_all = ["key", "role"], help_heading = "Checking")]
    pub allowed_signers: bool,
}
