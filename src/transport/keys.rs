//! Private key files, read once per run and shared by every connection.
//!
//! A fan-out opens hundreds of connections with the same few keys. An
//! encrypted OpenSSH key is protected by bcrypt-pbkdf, tuned to cost about
//! a tenth of a second: letting libssh2 decrypt it on every connection would
//! spend that per host. So each key file is looked at once: a plain key goes
//! on to libssh2 as a file (with its `.pub`), an encrypted one is decrypted
//! here with the operator's passphrase and handed to libssh2 from memory,
//! and a key that cannot be used is reported once, not once per host.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ssh_key::{LineEnding, PrivateKey};
use zeroize::Zeroizing;

use super::Secret;

/// The key files of a run, with the passphrase that unlocks encrypted ones.
#[derive(Debug, Default)]
pub struct Keyring {
    passphrase: Option<Secret>,
    looked_at: Mutex<HashMap<PathBuf, KeyCredential>>,
}

/// How one key file authenticates.
#[derive(Debug, Clone)]
pub enum KeyCredential {
    /// libssh2 reads the file itself. Plain OpenSSH keys, and PEM keys,
    /// whose encryption (if any) libssh2 undoes through OpenSSL with the
    /// passphrase cheaply enough to do per connection.
    File {
        private: PathBuf,
        /// `KEY.pub` when it lies beside the key: without it libssh2 derives
        /// the public key from the private one on every connection, first
        /// through OpenSSL's PEM decoders (~18 % of the client's CPU at 200
        /// hosts). A `.pub` that does not match makes the key fail, as it
        /// does for OpenSSH.
        public: Option<PathBuf>,
        passphrase: Option<Secret>,
    },
    /// An encrypted OpenSSH key, decrypted once in this process.
    Unlocked(Arc<UnlockedKey>),
    /// Skipped, for the reason given (already reported to the operator).
    Unusable(String),
}

/// A decrypted key in OpenSSH's own format, wiped from memory when dropped.
pub struct UnlockedKey {
    pub public: String,
    pub private: Zeroizing<String>,
}

impl std::fmt::Debug for UnlockedKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("UnlockedKey").field("public", &self.public).finish_non_exhaustive()
    }
}

impl Keyring {
    pub fn new(passphrase: Option<Secret>) -> Self {
        Keyring { passphrase, looked_at: Mutex::new(HashMap::new()) }
    }

    /// How `path` authenticates, working it out on first use only.
    ///
    /// The lock is held while a key is decrypted, so hosts that start
    /// together wait for the one decryption instead of each doing it.
    pub fn credential(&self, path: &Path) -> KeyCredential {
        let mut looked_at = self.looked_at.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = looked_at.get(path) {
            return known.clone();
        }

        let credential = self.look_at(path);
        if let KeyCredential::Unusable(reason) = &credential {
            tracing::warn!(key = %path.display(), "{reason}");
        }
        looked_at.insert(path.to_path_buf(), credential.clone());
        credential
    }

    fn look_at(&self, path: &Path) -> KeyCredential {
        let as_file = |passphrase: Option<&Secret>| KeyCredential::File {
            private: path.to_path_buf(),
            public: public_key_beside(path),
            passphrase: passphrase.cloned(),
        };

        // Unreadable files and PEM keys are left to libssh2, which reports
        // them at authentication as it always has.
        let Ok(text) = std::fs::read(path).map(Zeroizing::new) else {
            return as_file(self.passphrase.as_ref());
        };
        let Ok(key) = PrivateKey::from_openssh(&*text) else {
            return as_file(self.passphrase.as_ref());
        };
        if !key.is_encrypted() {
            return as_file(None);
        }

        match &self.passphrase {
            None => KeyCredential::Unusable(
                "key is encrypted and no passphrase was given: use --key-passphrase-env or \
                 --ask-key-pass, or load it into ssh-agent"
                    .to_string(),
            ),
            Some(passphrase) => unlock(&key, passphrase),
        }
    }
}

fn unlock(key: &PrivateKey, passphrase: &Secret) -> KeyCredential {
    let Ok(decrypted) = key.decrypt(passphrase.expose()) else {
        return KeyCredential::Unusable("the passphrase given does not unlock this key".into());
    };

    let encoded = decrypted.to_openssh(LineEnding::LF).and_then(|private| {
        let public = decrypted.public_key().to_openssh()?;
        Ok(UnlockedKey { public, private })
    });
    match encoded {
        Ok(unlocked) => KeyCredential::Unlocked(Arc::new(unlocked)),
        Err(error) => {
            KeyCredential::Unusable(format!("cannot re-encode the decrypted key: {error}"))
        }
    }
}

/// The public half OpenSSH keeps beside a key as `KEY.pub`, when it is there.
fn public_key_beside(key: &Path) -> Option<PathBuf> {
    let mut name = key.as_os_str().to_owned();
    name.push(".pub");
    let path = PathBuf::from(name);
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::process::Command;

    /// A fresh key from the real `ssh-keygen`, encrypted when `passphrase`
    /// is not empty.
    fn keygen(dir: &Path, name: &str, kind: &str, passphrase: &str) -> PathBuf {
        let path = dir.join(name);
        let status = Command::new("ssh-keygen")
            .args(["-q", "-t", kind, "-N", passphrase, "-C", "", "-f"])
            .arg(&path)
            .status()
            .expect("ssh-keygen runs");
        assert!(status.success());
        path
    }

    /// A keyring holding `passphrase`.
    fn keyring_with(passphrase: &str) -> Keyring {
        Keyring::new(Some(Secret::new(passphrase.to_string())))
    }

    #[test]
    fn a_plain_key_goes_to_libssh2_as_a_file_with_its_public_half() {
        let dir = tempfile::tempdir().unwrap();
        let key = keygen(dir.path(), "plain", "ed25519", "");

        let KeyCredential::File { private, public, .. } = Keyring::new(None).credential(&key)
        else {
            panic!("plain key should be handed over as a file");
        };
        assert_eq!(private, key);
        assert_eq!(public, Some(dir.path().join("plain.pub")));
    }

    #[test]
    fn an_encrypted_key_is_decrypted_once_and_shared() {
        let dir = tempfile::tempdir().unwrap();
        for kind in ["ed25519", "ecdsa", "rsa"] {
            let key = keygen(dir.path(), kind, kind, "correct horse");
            let keyring = keyring_with("correct horse");

            let (KeyCredential::Unlocked(first), KeyCredential::Unlocked(second)) =
                (keyring.credential(&key), keyring.credential(&key))
            else {
                panic!("{kind}: the passphrase should unlock the key");
            };
            assert!(Arc::ptr_eq(&first, &second), "{kind}: decrypted twice");

            let on_disk = std::fs::read_to_string(dir.path().join(format!("{kind}.pub"))).unwrap();
            assert!(on_disk.starts_with(&first.public), "{kind}: {}", first.public);
            let reread = PrivateKey::from_openssh(first.private.as_bytes()).unwrap();
            assert!(!reread.is_encrypted());
        }
    }

    #[test]
    fn an_encrypted_key_without_the_right_passphrase_is_unusable() {
        let dir = tempfile::tempdir().unwrap();
        let key = keygen(dir.path(), "locked", "ed25519", "correct horse");

        let without = Keyring::new(None).credential(&key);
        assert!(
            matches!(&without, KeyCredential::Unusable(why) if why.contains("--key-passphrase-env"))
        );

        let wrong = keyring_with("battery staple").credential(&key);
        assert!(matches!(&wrong, KeyCredential::Unusable(why) if why.contains("does not unlock")));
    }

    #[test]
    fn files_that_are_not_openssh_keys_are_left_to_libssh2() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        assert!(matches!(Keyring::new(None).credential(&missing), KeyCredential::File { .. }));

        let pem = keygen(dir.path(), "pem", "rsa", "");
        let status = Command::new("ssh-keygen")
            .args(["-q", "-p", "-N", "", "-m", "PEM", "-f"])
            .arg(&pem)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(std::fs::read_to_string(&pem).unwrap().starts_with("-----BEGIN RSA PRIVATE KEY"));
        let credential = keyring_with("unused").credential(&pem);
        assert!(matches!(credential, KeyCredential::File { passphrase: Some(_), .. }));
    }

    #[test]
    fn the_unlocked_key_never_prints_its_private_half() {
        let dir = tempfile::tempdir().unwrap();
        let key = keygen(dir.path(), "locked", "ed25519", "pw");
        let KeyCredential::Unlocked(unlocked) = keyring_with("pw").credential(&key) else {
            panic!("should unlock");
        };
        assert!(!format!("{unlocked:?}").contains("PRIVATE"));
    }
}
