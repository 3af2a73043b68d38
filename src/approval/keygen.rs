//! Signing through OpenSSH's own `ssh-keygen -Y sign`.
//!
//! Used when the key cannot be read in-process: an encrypted private key
//! (`ssh-keygen` asks for the passphrase on the terminal) or a public key
//! whose private half lives only in `ssh-agent` (`ssh-keygen` finds it
//! through `SSH_AUTH_SOCK`). The message goes through a private temporary
//! directory, never a shell, so no quoting is involved.

use std::path::Path;
use std::process::{Command, Stdio};

use ssh_key::SshSig;

use super::ApprovalError;

/// Signs `message` with the key at `key` in `namespace`.
pub fn sign(key: &Path, namespace: &str, message: &[u8]) -> Result<SshSig, ApprovalError> {
    let scratch = tempfile::tempdir()
        .map_err(|source| ApprovalError::Write { path: std::env::temp_dir(), source })?;
    let message_path = scratch.path().join("approval.msg");
    std::fs::write(&message_path, message)
        .map_err(|source| ApprovalError::Write { path: message_path.clone(), source })?;

    let output = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", namespace, "-f"])
        .arg(key)
        .arg(&message_path)
        .stdin(Stdio::inherit())
        .output()
        .map_err(|error| ApprovalError::Keygen { message: format!("cannot run it: {error}") })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
        return Err(ApprovalError::Keygen { message: format!("{} ({stderr})", output.status) });
    }

    let signature_path = scratch.path().join("approval.msg.sig");
    let armoured = std::fs::read_to_string(&signature_path)
        .map_err(|source| ApprovalError::Read { path: signature_path.clone(), source })?;
    SshSig::from_pem(armoured).map_err(|error| ApprovalError::Keygen { message: error.to_string() })
}
