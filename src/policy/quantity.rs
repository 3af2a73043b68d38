//! A count or a percentage: `5` or `"20%"`.
//!
//! Canary sizes, batch sizes, failure thresholds and `max_unavailable` all
//! take either form, so the parsing and the rounding live in one place. The
//! rounding differs by use and is therefore chosen by the caller: sizes round
//! up (a `10%` canary of 5 hosts is still one host), limits round down (a
//! `10%` failure budget of 5 hosts tolerates no failure).

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A number of hosts, absolute or relative to some total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantity {
    Count(u32),
    /// Percent in `0.0..=100.0`.
    Percent(f64),
}

impl Quantity {
    /// The quantity as a size: percentages round up, and a non-zero
    /// percentage of a non-empty total is at least one.
    pub fn size_of(self, total: usize) -> usize {
        match self {
            Quantity::Count(count) => count as usize,
            Quantity::Percent(percent) => {
                let exact = percent_of(percent, total);
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "0..=total"
                )]
                let rounded = exact.ceil() as usize;
                rounded.min(total)
            }
        }
    }

    /// The quantity as a limit: percentages round down.
    pub fn limit_of(self, total: usize) -> usize {
        match self {
            Quantity::Count(count) => count as usize,
            Quantity::Percent(percent) => {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "0..=total"
                )]
                let rounded = percent_of(percent, total).floor() as usize;
                rounded
            }
        }
    }

    /// Parses `"20%"`, `"20"` or `"2.5%"`.
    pub fn parse(text: &str) -> Result<Quantity, String> {
        let trimmed = text.trim();
        if let Some(number) = trimmed.strip_suffix('%') {
            let percent: f64 = number
                .trim()
                .parse()
                .map_err(|_| format!("`{text}` is not a percentage like `20%`"))?;
            return Quantity::percent(percent);
        }
        trimmed.parse::<u32>().map(Quantity::Count).map_err(|_| {
            format!("`{text}` is neither a count like `5` nor a percentage like `20%`")
        })
    }

    fn percent(percent: f64) -> Result<Quantity, String> {
        if (0.0..=100.0).contains(&percent) {
            Ok(Quantity::Percent(percent))
        } else {
            Err(format!("percentage `{percent}%` is outside 0%..100%"))
        }
    }
}

#[expect(clippy::cast_precision_loss, reason = "host counts are far below 2^52")]
fn percent_of(percent: f64, total: usize) -> f64 {
    percent * total as f64 / 100.0
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quantity::Count(count) => write!(f, "{count}"),
            Quantity::Percent(percent) => write!(f, "{percent}%"),
        }
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Quantity::Count(count) => serializer.serialize_u32(*count),
            Quantity::Percent(_) => serializer.serialize_str(&self.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(QuantityVisitor)
    }
}

struct QuantityVisitor;

impl Visitor<'_> for QuantityVisitor {
    type Value = Quantity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a count like `5` or a percentage like `\"20%\"`")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Quantity, E> {
        u32::try_from(value)
            .map(Quantity::Count)
            .map_err(|_| E::custom(format!("`{value}` is not a count of hosts")))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Quantity, E> {
        u32::try_from(value)
            .map(Quantity::Count)
            .map_err(|_| E::custom(format!("`{value}` is not a count of hosts")))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Quantity, E> {
        Quantity::parse(value).map_err(E::custom)
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quantity".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A count of hosts, or a percentage such as \"20%\".",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?%$" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_up_and_limits_round_down() {
        let ten = Quantity::parse("10%").unwrap();
        assert_eq!(ten.size_of(5), 1);
        assert_eq!(ten.limit_of(5), 0);
        assert_eq!(ten.size_of(20), 2);
        assert_eq!(ten.limit_of(20), 2);
        assert_eq!(ten.size_of(0), 0);
        assert_eq!(Quantity::Count(3).size_of(1), 3);
    }

    #[test]
    fn parse_rejects_nonsense_and_out_of_range() {
        assert_eq!(Quantity::parse("2.5%").unwrap(), Quantity::Percent(2.5));
        assert_eq!(Quantity::parse("7").unwrap(), Quantity::Count(7));
        assert!(Quantity::parse("120%").is_err());
        assert!(Quantity::parse("five").is_err());
        assert!(Quantity::parse("-1").is_err());
    }
}
