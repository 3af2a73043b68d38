//! apk version ordering: `{digits}{.digits}...{letter}{_suffix{n}}...{-rN}`.
//!
//! No maintained crate implements apk-tools' ordering, so it is written here
//! from apk-tools' rules and checked against apk-tools' own test vectors
//! (`tests/fixtures/apk-tools/version.data`, every pair must agree). A version
//! is read as a stream of typed tokens: numbers (where a run of leading zeros
//! after a dot counts as a negative value, so `1.01` sorts below `1.1`), a
//! single lowercase letter, suffixes (`_alpha`, `_beta`, `_pre`, `_rc` sort
//! before the bare version; `_cvs`, `_svn`, `_git`, `_hg`, `_p` after) with an
//! optional number, and the `-rN` package revision. Two versions are walked in
//! step until a token type or value differs.
//!
//! LIMITATION: unlike dpkg and rpm, apk ordering is not checked against the
//! live tool, because Debian does not package apk-tools; running the
//! differential test inside an Alpine container would lift it.

use std::cmp::Ordering;
use std::fmt;

use super::{VersionError, VersionScheme};

/// A validated apk version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApkVersion {
    text: String,
}

impl ApkVersion {
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let trimmed = text.trim();
        if trimmed.is_empty() || !is_valid(trimmed) {
            return Err(VersionError {
                version: text.to_string(),
                scheme: VersionScheme::Apk,
                reason: "does not follow apk's `1.2.3a_rc1-r0` shape",
            });
        }
        Ok(ApkVersion { text: trimmed.to_string() })
    }

    pub fn compare(&self, other: &ApkVersion) -> Ordering {
        compare_apk(&self.text, &other.text)
    }
}

impl fmt::Display for ApkVersion {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

/// Token types in the order apk ranks them: at the first point where two
/// versions have different token types, the lower type is the newer version
/// (a further number beats a letter, a letter beats a suffix, anything beats
/// the end), except that a pre-release suffix is older than the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    Invalid,
    DigitOrZero,
    Digit,
    Letter,
    Suffix,
    SuffixNumber,
    RevisionNumber,
    End,
}

const PRE_RELEASE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST_RELEASE_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

/// Numbers of 18 digits or more make a version invalid, as in apk-tools.
const MAX_NUMBER_DIGITS: usize = 18;

/// Reads one version string token by token.
struct Cursor<'a> {
    rest: &'a [u8],
    token: Token,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor { rest: text.as_bytes(), token: Token::Digit }
    }

    fn advance(&mut self, count: usize) {
        self.rest = &self.rest[count.min(self.rest.len())..];
    }

    /// Consumes the current token and returns its value, then works out the
    /// type of the next one.
    fn take_value(&mut self) -> i64 {
        if self.rest.is_empty() {
            self.token = Token::End;
            return 0;
        }

        let Some((value, length, forced_next)) = self.read_value() else {
            self.token = Token::Invalid;
            return -1;
        };

        self.advance(length);
        if self.rest.is_empty() {
            self.token = Token::End;
        } else if let Some(next) = forced_next {
            self.token = next;
        } else {
            self.find_next_token();
        }
        value
    }

    /// The value and length of the current token, and the next token's type
    /// when the current one decides it; `None` when the token is invalid.
    fn read_value(&self) -> Option<(i64, usize, Option<Token>)> {
        let first = self.rest[0];
        match self.token {
            Token::DigitOrZero if first == b'0' => {
                let zeros = self.rest.iter().take_while(|byte| **byte == b'0').count();
                Some((-i64::try_from(zeros).ok()?, zeros, Some(Token::Digit)))
            }
            Token::DigitOrZero | Token::Digit | Token::SuffixNumber | Token::RevisionNumber => {
                let digits = self.rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
                if digits >= MAX_NUMBER_DIGITS {
                    return None;
                }
                let value = self.rest[..digits]
                    .iter()
                    .fold(0_i64, |value, digit| value * 10 + i64::from(digit - b'0'));
                Some((value, digits, None))
            }
            Token::Letter => Some((i64::from(first), 1, None)),
            Token::Suffix => suffix_value(self.rest).map(|(value, length)| (value, length, None)),
            Token::Invalid | Token::End => None,
        }
    }

    /// Decides the type of the token that starts at the cursor, consuming
    /// separators (`.`, `_`, `-r`).
    fn find_next_token(&mut self) {
        let current = self.token;
        let first = self.rest.first().copied().unwrap_or(0);

        let next = if first == 0 {
            Token::End
        } else if matches!(current, Token::Digit | Token::DigitOrZero) && first.is_ascii_lowercase()
        {
            Token::Letter
        } else if current == Token::Letter && first.is_ascii_digit() {
            Token::Digit
        } else if current == Token::Suffix && first.is_ascii_digit() {
            Token::SuffixNumber
        } else {
            let next = match first {
                b'.' => Token::DigitOrZero,
                b'_' => Token::Suffix,
                b'-' if self.rest.get(1) == Some(&b'r') => {
                    self.advance(1);
                    Token::RevisionNumber
                }
                _ => Token::Invalid,
            };
            self.advance(1);
            next
        };

        // Going back to an earlier token type is only allowed for a new
        // number after a dot, a second suffix, or a number after a letter.
        let allowed_backwards = matches!(
            (next, current),
            (Token::DigitOrZero, Token::Digit)
                | (Token::Suffix, Token::SuffixNumber)
                | (Token::Digit, Token::Letter)
        );
        self.token = if next < current && !allowed_backwards { Token::Invalid } else { next };
    }
}

/// Pre-release suffixes have negative values, post-release ones non-negative.
fn suffix_value(rest: &[u8]) -> Option<(i64, usize)> {
    let position =
        |suffixes: &[&str]| suffixes.iter().position(|suffix| rest.starts_with(suffix.as_bytes()));
    if let Some(index) = position(&PRE_RELEASE_SUFFIXES) {
        let value = i64::try_from(index).ok()? - 4;
        return Some((value, PRE_RELEASE_SUFFIXES[index].len()));
    }
    let index = position(&POST_RELEASE_SUFFIXES)?;
    Some((i64::try_from(index).ok()?, POST_RELEASE_SUFFIXES[index].len()))
}

/// Whether the whole string reads as valid tokens up to its end.
fn is_valid(text: &str) -> bool {
    let mut cursor = Cursor::new(text);
    while !matches!(cursor.token, Token::End | Token::Invalid) {
        cursor.take_value();
    }
    cursor.token == Token::End
}

/// apk's comparison of two version strings, valid or not.
pub(crate) fn compare_apk(left: &str, right: &str) -> Ordering {
    let (mut a, mut b) = (Cursor::new(left), Cursor::new(right));
    let (mut a_value, mut b_value) = (0, 0);

    while a.token == b.token
        && !matches!(a.token, Token::End | Token::Invalid)
        && a_value == b_value
    {
        a_value = a.take_value();
        b_value = b.take_value();
    }

    if a_value != b_value {
        return a_value.cmp(&b_value);
    }
    if a.token == b.token {
        return Ordering::Equal;
    }

    // Same so far: the longer version is newer unless what it has next is a
    // pre-release suffix.
    let (a_token, b_token) = (a.token, b.token);
    if a_token == Token::Suffix && a.take_value() < 0 {
        return Ordering::Less;
    }
    if b_token == Token::Suffix && b.take_value() < 0 {
        return Ordering::Greater;
    }
    b_token.cmp(&a_token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpine_secdb_shapes_order_correctly() {
        assert_eq!(compare_apk("9.12.3_p4-r0", "9.12.3_p3-r1"), Ordering::Greater);
        assert_eq!(compare_apk("1.1.1d-r2", "1.1.1d-r3"), Ordering::Less);
        assert_eq!(compare_apk("1.0_rc1-r0", "1.0-r0"), Ordering::Less);
        assert_eq!(compare_apk("1.01", "1.1"), Ordering::Less);
        assert_eq!(compare_apk("2.4.41-r0", "2.4.41"), Ordering::Greater);
    }

    #[test]
    fn invalid_versions_are_refused_by_parse() {
        assert!(ApkVersion::parse("1.2.3-r0").is_ok());
        assert!(ApkVersion::parse("1.0_foo").is_err());
        assert!(ApkVersion::parse("1.0-x").is_err());
        assert!(ApkVersion::parse("").is_err());
    }

    /// Every pair in apk-tools' own test vectors.
    #[test]
    fn agrees_with_apk_tools_test_vectors() {
        let data = include_str!("../../../tests/fixtures/apk-tools/version.data");
        let mut checked = 0;
        for line in data.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [left, operator, right] = parts[..] else { continue };
            let expected = match operator {
                "<" => Ordering::Less,
                ">" => Ordering::Greater,
                "=" => Ordering::Equal,
                other => panic!("unknown operator {other}"),
            };
            assert_eq!(compare_apk(left, right), expected, "{left} {operator} {right}");
            assert_eq!(compare_apk(right, left), expected.reverse(), "{right} vs {left}");
            checked += 1;
        }
        assert!(checked > 500, "only {checked} pairs read");
    }
}
