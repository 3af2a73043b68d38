//! Recognising variables that hold secrets, so they never reach an artifact.
//!
//! Inventory variables are copied into `inventory.json`, which is shared and
//! archived. Our own hosts file refuses secret-looking variables outright;
//! Ansible inventories (where `ansible_password` and `ansible_become_pass`
//! are common) are imported with those variables dropped and a warning.

/// Whether a variable name suggests it holds a password, key or token.
///
/// Names are split into words at `_`, `-` and `.`, so `passenger` is not a
/// secret but `ansible_ssh_pass` and `dbPassword` are; a name ending in
/// `file` or `path` points at a secret rather than holding one.
pub(crate) fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let words: Vec<&str> = key.split(['_', '-', '.']).filter(|word| !word.is_empty()).collect();
    if words.last().is_some_and(|last| matches!(*last, "file" | "path")) {
        return false;
    }

    let secret_word = |word: &&str| {
        matches!(*word, "pass" | "passwd" | "passphrase" | "token" | "apikey")
            || word.ends_with("password")
            || word.ends_with("secret")
    };
    let private_key = words.windows(2).any(|pair| pair == ["private", "key"]);
    words.iter().any(secret_word) || private_key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansible_secret_variables_are_recognised() {
        for key in [
            "ansible_password",
            "ansible_ssh_pass",
            "ansible_become_pass",
            "ansible_become_password",
            "ansible_sudo_pass",
            "api_token",
            "client_secret",
            "ssh_private_key",
            "dbPassword",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn paths_to_secrets_and_ordinary_variables_are_not_secrets() {
        for key in
            ["ansible_ssh_private_key_file", "http_port", "ntp_server", "passenger", "token_path"]
        {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
