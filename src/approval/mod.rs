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

use std::fmt::Write;
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
            Err(error) => {
                Err(ApprovalError::Key { path: path.to_path_buf(), message: error.to_string() })
            }
        }
    }

    /// Signs `message` in [`NAMESPACE`].
    pub fn sign(&self, message: &[u8]) -> Result<SshSig, ApprovalError> {
        match self {
            Signer::Key(key) => {
                key.sign(NAMESPACE, HashAlg::Sha512, message).map_err(|error| ApprovalError::Key {
                    path: PathBuf::from("(in memory)"),
                    message: error.to_string(),
                })
            }
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
    let bytes = std::fs::read(plan)
        .map_err(|source| ApprovalError::Read { path: plan.to_path_buf(), source })?;
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
            let _ = writeln!(text, "{operator} namespaces=\"{NAMESPACE}\" {}", key.trim());
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
    let bytes = std::fs::read(plan)
        .map_err(|source| ApprovalError::Read { path: plan.to_path_buf(), source })?;
    Ok(LogEntry {
        at,
        event,
        plan_sha256: sha256_hex(&bytes),
        role: role.to_string(),
        operator: operator.to_string(),
        detail,
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::process::{Command, Stdio};

    use super::*;
    use crate::plan::{PlanOptions, build, input};
    use crate::policy::Policy;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/approval");

    fn policy() -> Policy {
        let text = include_str!("../../examples/policy.toml");
        Policy::parse(text, Path::new("policy.toml")).unwrap()
    }

    /// A lab plan saved in a fresh directory, plus private copies of the
    /// test keys (ssh-keygen refuses keys readable by others).
    fn setup() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let input =
            input::parse(include_bytes!("../../tests/fixtures/plan/assessment.json")).unwrap();
        let options =
            PlanOptions { now: "2026-08-22T00:00:00Z".parse().unwrap(), operator: "alice".into() };
        let plan = dir.path().join("plan.json");
        crate::artifact::save(
            &plan,
            &build(&input, &policy(), &options),
            crate::artifact::Layout::Pretty,
        )
        .unwrap();

        for name in ["alice", "bob", "carol", "dave"] {
            let key = dir.path().join(name);
            std::fs::copy(Path::new(FIXTURES).join(name), &key).unwrap();
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        std::fs::write(dir.path().join("allowed_signers"), allowed_signers(&policy())).unwrap();
        (dir, plan)
    }

    fn signer(dir: &Path, name: &str) -> Signer {
        Signer::for_key_file(&dir.join(name)).unwrap()
    }

    fn keygen_verify(dir: &Path, identity: &str, signature: &Path, message: &[u8]) -> bool {
        let mut child = Command::new("ssh-keygen")
            .args(["-Y", "verify", "-n", NAMESPACE, "-I", identity, "-f"])
            .arg(dir.join("allowed_signers"))
            .arg("-s")
            .arg(signature)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), message).unwrap();
        child.wait().unwrap().success()
    }

    #[test]
    fn our_ed25519_and_ecdsa_approvals_verify_with_ssh_keygen() {
        let (dir, plan) = setup();
        let alice = approve(&plan, "security", "alice", &signer(dir.path(), "alice")).unwrap();
        let dave = approve(&plan, "ops", "dave", &signer(dir.path(), "dave")).unwrap();
        assert!(matches!(signer(dir.path(), "alice"), Signer::Key(_)), "signed in-process");

        for (approval, identity) in [(&alice, "alice"), (&dave, "dave")] {
            let message = std::fs::read(&approval.message_path).unwrap();
            assert!(keygen_verify(dir.path(), identity, &approval.signature_path, &message));
            assert!(!keygen_verify(dir.path(), "bob", &approval.signature_path, &message));
        }
    }

    #[test]
    fn ssh_keygen_signatures_verify_with_us_and_complete_the_approvals() {
        let (dir, plan) = setup();
        let bytes = std::fs::read(&plan).unwrap();

        // bob signs with the real `ssh-keygen -Y sign`, by hand, as an auditor would.
        let directory = approvals_dir(&plan);
        std::fs::create_dir_all(&directory).unwrap();
        let message_path = directory.join("ops@bob.msg");
        std::fs::write(&message_path, approval_message(&bytes, "ops", "bob")).unwrap();
        let status = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"])
            .arg(dir.path().join("bob"))
            .arg(&message_path)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::rename(directory.join("ops@bob.msg.sig"), directory.join("ops@bob.sig")).unwrap();

        let keygen = Signer::Keygen(dir.path().join("carol"));
        approve(&plan, "change-manager", "carol", &keygen).unwrap();
        let missing = verify_approvals(&plan, &policy()).unwrap_err();
        assert!(missing.to_string().contains("`security` for `production`"), "{missing}");

        approve(&plan, "security", "alice", &signer(dir.path(), "alice")).unwrap();
        let report = verify_approvals(&plan, &policy()).unwrap();
        let signers: Vec<(&str, &str)> =
            report.satisfied.iter().map(|s| (s.role.as_str(), s.operator.as_str())).collect();
        assert_eq!(signers, [("change-manager", "carol"), ("security", "alice"), ("ops", "bob")]);
        assert!(report.rejected.is_empty());
    }

    #[test]
    fn one_changed_byte_in_the_plan_breaks_every_approval() {
        let (dir, plan) = setup();
        approve(&plan, "security", "alice", &signer(dir.path(), "alice")).unwrap();
        approve(&plan, "change-manager", "carol", &signer(dir.path(), "carol")).unwrap();
        approve(&plan, "ops", "bob", &signer(dir.path(), "bob")).unwrap();
        assert!(verify_approvals(&plan, &policy()).is_ok());

        let mut bytes = std::fs::read(&plan).unwrap();
        let position = bytes.windows(8).position(|w| w == b"3.0.13-1").unwrap();
        bytes[position + 5] = b'4';
        std::fs::write(&plan, &bytes).unwrap();

        let Err(ApprovalError::Unapproved { report }) = verify_approvals(&plan, &policy()) else {
            panic!("a changed plan must not verify");
        };
        assert_eq!(report.rejected.len(), 3);
        assert!(report.rejected.iter().all(|(_, why)| why.starts_with("signature does not match")));

        let recomputed = approval_message(&bytes, "security", "alice");
        let signature = approvals_dir(&plan).join("security@alice.sig");
        assert!(!keygen_verify(dir.path(), "alice", &signature, recomputed.as_bytes()));
    }

    #[test]
    fn signatures_moved_to_another_role_or_made_with_an_unlisted_key_do_not_count() {
        let (dir, plan) = setup();
        let directory = approvals_dir(&plan);
        approve(&plan, "ops", "carol", &signer(dir.path(), "carol")).unwrap();
        std::fs::rename(
            directory.join("ops@carol.sig"),
            directory.join("change-manager@carol.sig"),
        )
        .unwrap();
        approve(&plan, "security", "alice", &signer(dir.path(), "bob")).unwrap();

        let Err(ApprovalError::Unapproved { report }) = verify_approvals(&plan, &policy()) else {
            panic!("forged approvals must not verify");
        };
        let reasons: Vec<&str> = report.rejected.iter().map(|(_, why)| why.as_str()).collect();
        assert!(reasons[0].starts_with("signature does not match"), "{reasons:?}");
        assert!(
            reasons[1].starts_with("signed with a key the policy does not list"),
            "{reasons:?}"
        );
    }

    #[test]
    fn names_with_separators_are_refused() {
        let (dir, plan) = setup();
        let refused = approve(&plan, "ops@x", "bob", &signer(dir.path(), "bob")).unwrap_err();
        assert!(matches!(refused, ApprovalError::BadName { .. }));
    }
}
