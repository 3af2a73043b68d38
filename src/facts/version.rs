//! Orders kernel release strings (`6.1.0-21-amd64`,
//! `5.14.0-503.15.1.el9_5.x86_64`) to tell whether an installed kernel is
//! newer than the running one.
//!
//! The rule is rpm's segment comparison, which also orders Debian and Alpine
//! kernel releases correctly: digit runs compare as numbers, letter runs as
//! bytes, a digit run beats a letter run, `~` sorts before anything (even the
//! end), and other punctuation only separates. It is not a full dpkg or rpm
//! version comparison (no epochs, no revision split); advisory matching needs
//! those and owns them.

use std::cmp::Ordering;

/// Compares two release strings segment by segment.
pub fn compare_releases(left: &str, right: &str) -> Ordering {
    let (mut left, mut right) = (left.as_bytes(), right.as_bytes());
    loop {
        left = skip_separators(left);
        right = skip_separators(right);

        match (left.first() == Some(&b'~'), right.first() == Some(&b'~')) {
            (true, true) => {
                left = &left[1..];
                right = &right[1..];
                continue;
            }
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        if left.is_empty() || right.is_empty() {
            return right.is_empty().cmp(&left.is_empty());
        }

        let is_numeric = left[0].is_ascii_digit();
        if is_numeric != right[0].is_ascii_digit() {
            return if is_numeric { Ordering::Greater } else { Ordering::Less };
        }
        let (left_run, left_rest) = take_run(left, is_numeric);
        let (right_run, right_rest) = take_run(right, is_numeric);
        let order =
            if is_numeric { compare_numbers(left_run, right_run) } else { left_run.cmp(right_run) };
        if order != Ordering::Equal {
            return order;
        }
        left = left_rest;
        right = right_rest;
    }
}

fn skip_separators(text: &[u8]) -> &[u8] {
    let start = text.iter().position(|&b| b.is_ascii_alphanumeric() || b == b'~');
    &text[start.unwrap_or(text.len())..]
}

fn take_run(text: &[u8], numeric: bool) -> (&[u8], &[u8]) {
    let end = text
        .iter()
        .position(|b| if numeric { !b.is_ascii_digit() } else { !b.is_ascii_alphabetic() })
        .unwrap_or(text.len());
    text.split_at(end)
}

/// Compares digit runs of any length without overflow.
fn compare_numbers(left: &[u8], right: &[u8]) -> Ordering {
    let trim = |run: &[u8]| {
        let start = run.iter().position(|&b| b != b'0').unwrap_or(run.len());
        run[start..].to_vec()
    };
    let (left, right) = (trim(left), trim(right));
    left.len().cmp(&right.len()).then_with(|| left.cmp(&right))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_releases_order_as_package_managers_do() {
        let ascending = [
            ("6.1.0-18-amd64", "6.1.0-21-amd64"),
            ("5.14.0-70.13.1.el9_0.x86_64", "5.14.0-503.15.1.el9_5.x86_64"),
            ("4.14.35-2047.501.2.el7uek.x86_64", "5.4.17-2102.200.13.el7uek.x86_64"),
            ("3.10.0-1062.12.1.el7.x86_64", "3.10.0-1160.24.1.el7.x86_64"),
            ("5.15.0-69-generic", "5.15.0-107-generic"),
            ("6.6.31-0-lts", "6.6.32-0-lts"),
            ("1.0~rc1", "1.0"),
            ("1.0", "1.0a"),
            ("1.0a", "1.0.1"),
            ("1.09", "1.10"),
            ("99999999999999999999", "100000000000000000000"),
        ];
        for (older, newer) in ascending {
            assert_eq!(compare_releases(older, newer), Ordering::Less, "{older} < {newer}");
            assert_eq!(compare_releases(newer, older), Ordering::Greater, "{newer} > {older}");
        }
        assert_eq!(compare_releases("6.1.0-18-amd64", "6.1.0-18-amd64"), Ordering::Equal);
        assert_eq!(compare_releases("1.01", "1.1"), Ordering::Equal);
    }
}
