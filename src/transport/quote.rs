//! The one function that quotes values for a remote POSIX shell.
//!
//! Every value that reaches a remote shell (package names, versions, paths,
//! user-supplied hook arguments) goes through [`quote`]. It wraps the value in
//! single quotes, the only shell quoting with no special characters inside,
//! and so handles `;`, `$(…)`, backticks, newlines and non-UTF-8 bytes alike.

use std::borrow::Cow;

/// Quotes `value` as one word for a POSIX shell.
///
/// Values made only of characters that are never special are returned
/// as they are, which keeps logged commands readable.
pub fn quote(value: &[u8]) -> Cow<'_, [u8]> {
    if !value.is_empty() && value.iter().all(|&byte| is_plain(byte)) {
        return Cow::Borrowed(value);
    }

    let mut quoted = Vec::with_capacity(value.len() + 2);
    quoted.push(b'\'');
    for &byte in value {
        if byte == b'\'' {
            // Close the quote, add an escaped quote, reopen.
            quoted.extend_from_slice(b"'\\''");
        } else {
            quoted.push(byte);
        }
    }
    quoted.push(b'\'');
    Cow::Owned(quoted)
}

/// Quotes a UTF-8 value; the result is UTF-8 too.
pub fn quote_str(value: &str) -> String {
    String::from_utf8(quote(value.as_bytes()).into_owned())
        .expect("quoting only adds ASCII to UTF-8 input")
}

/// Joins words into one command line, quoting each.
pub fn command_line<S: AsRef<str>>(words: &[S]) -> String {
    words.iter().map(|word| quote_str(word.as_ref())).collect::<Vec<_>>().join(" ")
}

fn is_plain(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &[&[u8]] = &[
        b"; rm -rf /",
        b"$(touch /tmp/pwned)",
        b"`id`",
        b"it's",
        b"'",
        b"''",
        b"a\nb",
        b"\"double\" $HOME",
        b"*",
        b"~root",
        b"-n",
        b"",
        b" leading space",
        b"back\\slash",
        b"\xff\xfe non-utf8 \x80",
        b"tab\there",
        b"!event",
        b"a|b&c>d<e",
        b"{a,b}",
        b"#comment",
    ];

    /// Each hostile value must come back byte for byte as one argument from a
    /// real shell, and nothing in it may run.
    #[test]
    fn hostile_values_survive_a_real_shell() {
        use std::os::unix::ffi::OsStrExt;

        for value in HOSTILE {
            let script = [b"printf '%s' ".as_slice(), &quote(value)].concat();
            for shell in ["sh", "bash", "dash"] {
                let Ok(output) = std::process::Command::new(shell)
                    .arg("-c")
                    .arg(std::ffi::OsStr::from_bytes(&script))
                    .output()
                else {
                    continue;
                };
                assert_eq!(output.stdout, *value, "{shell} changed {:?}", value.escape_ascii());
                assert!(output.status.success());
            }
        }
        assert!(!std::path::Path::new("/tmp/pwned").exists());
    }

    #[test]
    fn plain_words_stay_readable() {
        assert_eq!(quote_str("libssl3"), "libssl3");
        assert_eq!(quote_str("1:2.36-9+deb12u4"), "1:2.36-9+deb12u4");
        assert_eq!(quote_str("a b"), "'a b'");
        assert_eq!(command_line(&["apt-get", "install", "x y"]), "apt-get install 'x y'");
    }
}
