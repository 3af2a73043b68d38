//! Approvals bound to a plan's exact content, as OpenSSH signatures.
//!
//! An approval is an `sshsig` signature (namespace [`NAMESPACE`]) over a
//! short text, the *approval message*, that names the sha256 of the plan
//! file's bytes, the role and the operator. Any change to the plan, even one
//! byte, changes the digest and breaks every signature; naming the role
//! stops a signature given for one role being passed off as another.
//!
//! Approvals live beside the plan, in `<plan>.approvals/`:
//!
//! - `<role>@<operator>.msg`: the approval message, byte for byte;
//! - `<role>@<operator>.sig`: the armoured `SSH SIGNATURE` over it;
//! - `log.jsonl`: an append-only record of every approval and refusal.
//!
//! So an auditor needs nothing but OpenSSH:
//! `ssh-keygen -Y verify -f allowed_signers -I alice -n patchpilot-plan
//! -s security@alice.sig < security@alice.msg`, with `allowed_signers`
//! from `patchpilot approve --allowed-signers`. [`verify_approvals`] does
//! the same and more: it recomputes the message from the plan as it is now,
//! and checks the signer's key and role against the policy.

mod keygen;
mod log;
mod verify;

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use ssh_key::{HashAlg, LineEnding, PrivateKey, SshSig};

pub use log::{LogEntry, LogEvent, append as append_log, read as read_log};
pub use verify::{ApprovalReport, Satisfied, verify_approvals};

use crate::artifact::sha256_hex;

/// The sshsig namespace of plan approvals.
pub const NAMESPACE: &str = "patchpilot-plan";

/// Why an approval could not be made or checked.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    #[error("cannot read `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot use key `{}`: {message}", path.display())]
    Key { path: PathBuf, message: String },

    #[error("`ssh-keygen -Y sign` failed: {message}")]
    Keygen { message: String },

    #[error("`{name}` may not contain `@`, `/` or whitespace")]
    BadName { name: String },

    #[error("plan `{}` is not valid JSON: {message}", path.display())]
    BadPlan { path: PathBuf, message: String },

    #[error("the plan is not approved: {}", report.missing_text())]
    Unapproved { report: Box<ApprovalReport> },
}

/// The text an approval signs.
pub fn approval_message(plan_bytes: &[u8], role: &str, operator: &str) -> String {
    format!(
        "patchpilot plan approval v1\nplan-sha256 {}\nrole {role}\noperator {operator}\n",
        sha256_hex(plan_bytes)
    )
}

/// `<plan>.approvals/` beside the plan.
pub fn approvals_dir(plan: &Path) -> PathBuf {
    let mut name = plan.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(".approvals");
    plan.with_file_name(name)
}

/// The base name of one approval's files.
pub fn approval_stem(role: &str, operator: &str) -> String {
    format!("{role}@{operator}")
}

fn check_name(name: &str) -> Result<(), ApprovalError> {
    let bad = name.is_empty() || name.chars().any(|c| c == '@' || c == '/' || c.is_whitespace());
    if bad { Err(ApprovalError::BadName { name: name.to_string() }) } else { Ok(()) }
}

/// How to produce a signature.
#[derive(Debug)]
pub enum Signer {
    /// An unencrypted OpenSSH private key, signed in-process.
    Key(Box<PrivateKey>),
    /// A key file handed to `ssh-keygen -Y sign`: an encrypted private key
    /// (it asks for the passphrase) or a public key whose private half is
    /// in `ssh-agent`.
    Keygen(PathBuf),
}

impl Signer {
    /// Picks in-process signing when the key can be read unencrypted, and
    /// `ssh-keygen` otherwise.
    pub fn for_key_file(path: &Path) -> Result<Signer, ApprovalError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ApprovalError::Read { path: path.to_path_buf(), source })?;
        match PrivateKey::from_openssh(&text) {
            Ok(key) if !key.is_encrypted() => Ok(Signer::Key(Box::new(key))),
            Ok(_) => Ok(Signer::Keygen(path.to_path_buf())),
            Err(_) if ssh_key::PublicKey::from_openssh(text.trim()).is_ok() => {
                Ok(Signer::Keygen(path.to_path_buf()))
            }
            Err(error) => Err(ApprovalError::Key { path: path.to_path_buf(), message: error.to_string() }),
        }
    }

    /// Signs `message` in [`NAMESPACE`].
    pub fn sign(&self, message: &[u8]) -> Result<SshSig, ApprovalError> {
        match self {
            Signer::Key(key) => key.sign(NAMESPACE, HashAlg::Sha512, message).map_err(|error| {
                ApprovalError::Key { path: PathBuf::from("(in memory)"), message: error.to_string() }
            }),
            Signer::Keygen(path) => keygen::sign(path, NAMESPACE, message),
        }
    }
}

/// A written approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub message_path: PathBuf,
    pub signature_path: PathBuf,
    pub plan_sha256: String,
    /// SHA256 fingerprint of the signing key.
    pub fingerprint: String,
}

/// Signs `plan` for `role` as `operator` and stores message and signature
/// beside it. Role checks are the caller's (see `policy::access::check`).
pub fn approve(
    plan: &Path,
    role: &str,
    operator: &str,
    signer: &Signer,
) -> Result<Approval, ApprovalError> {
    check_name(role)?;
    check_name(operator)?;
    let bytes =
        std::fs::read(plan).map_err(|source| ApprovalError::Read { path: plan.to_path_buf(), source })?;
    let message = approval_message(&bytes, role, operator);
    let signature = signer.sign(message.as_bytes())?;

    let directory = approvals_dir(plan);
    std::fs::create_dir_all(&directory)
        .map_err(|source| ApprovalError::Write { path: directory.clone(), source })?;
    let stem = approval_stem(role, operator);
    let message_path = directory.join(format!("{stem}.msg"));
    let signature_path = directory.join(format!("{stem}.sig"));
    let armoured = signature
        .to_pem(LineEnding::LF)
        .map_err(|error| ApprovalError::Keygen { message: error.to_string() })?;
    write(&message_path, message.as_bytes())?;
    write(&signature_path, armoured.as_bytes())?;

    Ok(Approval {
        message_path,
        signature_path,
        plan_sha256: sha256_hex(&bytes),
        fingerprint: signature.public_key().fingerprint(HashAlg::Sha256).to_string(),
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ApprovalError> {
    crate::artifact::write_atomically(path, bytes)
        .map_err(|source| ApprovalError::Write { path: path.to_path_buf(), source })
}

/// An `allowed_signers` file for `ssh-keygen -Y verify`: each operator's
/// keys, limited to [`NAMESPACE`].
pub fn allowed_signers(policy: &crate::policy::Policy) -> String {
    let mut text = String::new();
    for (operator, entry) in &policy.operators {
        for key in &entry.keys {
            text.push_str(&format!("{operator} namespaces=\"{NAMESPACE}\" {}\n", key.trim()));
        }
    }
    text
}

/// Records a time for the log; taken by the caller so tests can pin it.
pub fn log_entry(
    at: Timestamp,
    event: LogEvent,
    plan: &Path,
    role: &str,
    operator: &str,
    detail: String,
) -> Result<LogEntry, ApprovalError> {
    let bytes =
        std::fs::read(plan).map_err(|source| ApprovalError::Read { path: plan.to_path_buf(), source })?;
    Ok(LogEntry {
        at,
        event,
        plan_sha256: sha256_hex(&bytes),
        role: role.to_string(),
        operator: operator.to_string(),
        detail,
    })
}
