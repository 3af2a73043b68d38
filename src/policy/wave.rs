//! Canary, waves and batch sizes: the order in which hosts are patched.
//!
//! The canary wave goes first and is drawn only from non-critical tiers.
//! Then each `[[waves]]` entry takes, in file order, the remaining hosts its
//! selector matches. A wave is cut into batches by `batch_size`: a number, a
//! percentage of the wave, or a list such as `[1, 5, "20%"]` whose last entry
//! repeats until the wave is used up.

use std::fmt;

use serde::de::{self, IntoDeserializer, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::quantity::Quantity;
use super::selector::Selector;
use super::threshold::FailureBudget;

/// `[canary]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Canary {
    /// How many hosts go first: a count, or a percentage of the hosts in the
    /// plan rounded up. `0` turns the canary off.
    #[serde(default = "one_host")]
    pub size: Quantity,
    /// Restricts the tiers canaries are drawn from; critical tiers are
    /// always excluded.
    #[serde(default)]
    pub tiers: Vec<String>,
    #[serde(default)]
    pub max_failures: Option<FailureBudget>,
}

fn one_host() -> Quantity {
    Quantity::Count(1)
}

impl Default for Canary {
    fn default() -> Self {
        Canary { size: one_host(), tiers: Vec::new(), max_failures: None }
    }
}

/// `[[waves]]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaveRule {
    pub name: String,
    #[serde(default)]
    pub applies_to: Selector,
    #[serde(default)]
    pub batch_size: BatchSizes,
    /// Overrides the policy-wide `[max_failures]` for this wave.
    pub max_failures: Option<FailureBudget>,
}

/// One size, or a list of sizes whose last entry repeats.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchSizes {
    One(Quantity),
    List(Vec<Quantity>),
}

impl Default for BatchSizes {
    fn default() -> Self {
        BatchSizes::One(Quantity::Percent(100.0))
    }
}

impl<'de> Deserialize<'de> for BatchSizes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BatchSizesVisitor)
    }
}

/// Accepts `5`, `"20%"` or a list of those, with the element's own error
/// message when one entry is wrong.
struct BatchSizesVisitor;

impl<'de> Visitor<'de> for BatchSizesVisitor {
    type Value = BatchSizes;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a batch size like `5` or `\"20%\"`, or a list like `[1, 5, \"20%\"]`")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<BatchSizes, E> {
        Quantity::deserialize(value.into_deserializer()).map(BatchSizes::One)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<BatchSizes, E> {
        Quantity::deserialize(value.into_deserializer()).map(BatchSizes::One)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<BatchSizes, E> {
        Quantity::parse(value).map(BatchSizes::One).map_err(E::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BatchSizes, A::Error> {
        let mut sizes = Vec::new();
        while let Some(size) = seq.next_element::<Quantity>()? {
            sizes.push(size);
        }
        if sizes.is_empty() {
            return Err(de::Error::custom("a batch size list needs at least one entry"));
        }
        Ok(BatchSizes::List(sizes))
    }
}

impl BatchSizes {
    fn steps(&self) -> Vec<Quantity> {
        match self {
            BatchSizes::One(size) => vec![*size],
            BatchSizes::List(sizes) => sizes.clone(),
        }
    }

    /// Cuts `total` hosts into batch lengths. Percentages are of `total`
    /// and round up; every batch holds at least one host, so a `0` or a
    /// tiny percentage cannot stall a wave.
    pub fn split(&self, total: usize) -> Vec<usize> {
        let steps = self.steps();
        let mut lengths = Vec::new();
        let mut left = total;
        let mut index = 0;

        while left > 0 {
            let step = steps.get(index).or(steps.last()).copied().unwrap_or(Quantity::Count(1));
            let length = step.size_of(total).clamp(1, left);
            lengths.push(length);
            left -= length;
            index += 1;
        }
        lengths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(text: &str) -> BatchSizes {
        #[derive(Deserialize)]
        struct Holder {
            batch_size: BatchSizes,
        }
        toml::from_str::<Holder>(&format!("batch_size = {text}")).unwrap().batch_size
    }

    #[test]
    fn list_of_sizes_repeats_its_last_entry() {
        assert_eq!(sizes("[1, 5, \"20%\"]").split(30), [1, 5, 6, 6, 6, 6]);
        assert_eq!(sizes("[1, 5, \"20%\"]").split(4), [1, 3]);
    }

    #[test]
    fn single_number_and_percentage() {
        assert_eq!(sizes("4").split(10), [4, 4, 2]);
        assert_eq!(sizes("\"25%\"").split(10), [3, 3, 3, 1]);
        assert_eq!(sizes("0").split(2), [1, 1], "a zero size never stalls");
        assert!(sizes("3").split(0).is_empty());
    }
}
