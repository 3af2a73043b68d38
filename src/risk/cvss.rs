//! CVSS vectors to scores.
//!
//! Feeds often publish a bare score beside a vector, and the two disagree
//! more often than one would hope; the score here is always computed from
//! the vector by the RustSec `cvss` crate (CVSS v3.0, v3.1 and v4.0 base
//! metrics). When an advisory carries several vectors, the newest CVSS
//! version wins, then the highest score.

use std::str::FromStr;

use crate::artifact::assessment::{CvssScore, Severity};

/// A vector that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CVSS vector `{vector}` does not parse: {message}")]
pub struct CvssError {
    pub vector: String,
    pub message: String,
}

/// Scores one vector.
pub fn score(vector: &str) -> Result<CvssScore, CvssError> {
    let error = |message: String| CvssError { vector: vector.to_string(), message };
    let parsed = cvss::Cvss::from_str(vector).map_err(|e| error(e.to_string()))?;
    let version = match parsed {
        cvss::Cvss::CvssV30(_) => "3.0",
        cvss::Cvss::CvssV31(_) => "3.1",
        cvss::Cvss::CvssV40(_) => "4.0",
        _ => return Err(error("only CVSS v3.x and v4.0 vectors are scored".into())),
    };
    Ok(CvssScore {
        version: version.to_string(),
        vector: vector.to_string(),
        base_score: parsed.score(),
    })
}

/// The score that represents an advisory, and the vectors that failed.
pub fn best_score(vectors: &[String]) -> (Option<CvssScore>, Vec<CvssError>) {
    let mut best: Option<CvssScore> = None;
    let mut errors = Vec::new();
    for vector in vectors {
        match score(vector) {
            Ok(candidate) => {
                let better = best.as_ref().is_none_or(|current| {
                    (candidate.version.as_str(), candidate.base_score)
                        > (current.version.as_str(), current.base_score)
                });
                if better {
                    best = Some(candidate);
                }
            }
            Err(error) => errors.push(error),
        }
    }
    (best, errors)
}

/// CVSS's qualitative rating of a base score.
pub fn rating(score: f64) -> Severity {
    match score {
        s if s >= 9.0 => Severity::Critical,
        s if s >= 7.0 => Severity::High,
        s if s >= 4.0 => Severity::Medium,
        s if s > 0.0 => Severity::Low,
        _ => Severity::None,
    }
}

/// A vendor's word for severity: Red Hat's `Critical/Important/Moderate/Low`,
/// Ubuntu's priorities, Debian's urgencies.
pub fn vendor_rating(text: &str) -> Severity {
    match text.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "important" | "high" => Severity::High,
        "moderate" | "medium" => Severity::Medium,
        "low" | "negligible" | "unimportant" => Severity::Low,
        _ => Severity::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_and_v4_vectors_are_scored_from_their_metrics() {
        let v31 = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!(v31.version, "3.1");
        assert!((v31.base_score - 9.8).abs() < 1e-9);
        let v30 = score("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert!((v30.base_score - 7.8).abs() < 1e-9);
        let v40 = score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").unwrap();
        assert_eq!(v40.version, "4.0");
        assert!((v40.base_score - 9.3).abs() < 1e-9);
    }

    #[test]
    fn newest_version_wins_and_bad_vectors_are_reported() {
        let vectors = vec![
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".to_string(),
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N".to_string(),
            "CVSS:3.1/AV:X".to_string(),
        ];
        let (best, errors) = best_score(&vectors);
        assert_eq!(best.unwrap().version, "4.0");
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn ratings_follow_cvss_bands_and_vendor_words() {
        assert_eq!(rating(9.8), Severity::Critical);
        assert_eq!(rating(5.9), Severity::Medium);
        assert_eq!(rating(0.0), Severity::None);
        assert_eq!(vendor_rating("Important"), Severity::High);
        assert_eq!(vendor_rating("negligible"), Severity::Low);
    }
}
