//! Failure thresholds: when a rollout must stop.
//!
//! These functions are the single definition of "too many failures" that
//! `rollout` calls after every batch, so the rules are written here once:
//!
//! - A **failure** is a host that was attempted and did not end patched and
//!   healthy: the patch failed, a check failed, or the host was
//!   **unreachable**. Unreachable hosts count as failures because a host we
//!   could not patch is unpatched, and a host that stops answering after a
//!   change is the very thing a threshold exists to catch. Hosts **skipped**
//!   on purpose (excluded by the operator, already patched) are not
//!   attempted and count neither as failures nor towards the base.
//! - A threshold is a count or a percentage. A percentage is turned into a
//!   count of allowed failures by rounding **down**: `10%` of a 5-host batch
//!   allows 0 failures, `10%` of 20 allows 2.
//! - A threshold is **exceeded** when failures are strictly greater than
//!   the allowed count. `max_failures = 0` stops on the first failure;
//!   `max_failures = 1` tolerates one and stops on the second.
//! - The **per-batch** base is the number of hosts attempted in that batch.
//!   The **cumulative** base is the number of hosts in the whole plan (its
//!   every wave and batch), so that `5%` means five percent of the fleet
//!   being patched and does not swing with how far the rollout has got.
//! - An **empty batch** (no host attempted) is a no-op: it never exceeds a
//!   threshold and leaves the cumulative tally unchanged.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::quantity::Quantity;

/// How many failures a batch and the whole rollout may have.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FailureBudget {
    /// Failures tolerated within one batch; the base is the hosts attempted in it.
    #[serde(default = "zero")]
    pub per_batch: Quantity,
    /// Failures tolerated over the whole rollout; the base is every host in the plan.
    #[serde(default = "zero")]
    pub cumulative: Quantity,
}

fn zero() -> Quantity {
    Quantity::Count(0)
}

impl Default for FailureBudget {
    fn default() -> Self {
        FailureBudget { per_batch: zero(), cumulative: zero() }
    }
}

/// What happened to the hosts of one batch, or of every batch so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    pub succeeded: usize,
    pub failed: usize,
    pub unreachable: usize,
    /// Not attempted on purpose; neither failure nor base.
    pub skipped: usize,
}

impl Tally {
    /// Failed and unreachable hosts together.
    pub fn failures(&self) -> usize {
        self.failed + self.unreachable
    }

    /// Hosts that were attempted: the base of a per-batch percentage.
    pub fn attempted(&self) -> usize {
        self.succeeded + self.failed + self.unreachable
    }

    /// Adds a finished batch to a running total.
    pub fn add(&mut self, batch: &Tally) {
        self.succeeded += batch.succeeded;
        self.failed += batch.failed;
        self.unreachable += batch.unreachable;
        self.skipped += batch.skipped;
    }
}

/// The number of failures a threshold allows out of `base` hosts.
pub fn allowed(threshold: Quantity, base: usize) -> usize {
    threshold.limit_of(base)
}

/// Whether `failures` out of `base` hosts exceed `threshold`: strictly more
/// failures than allowed.
pub fn is_exceeded(threshold: Quantity, failures: usize, base: usize) -> bool {
    failures > allowed(threshold, base)
}

/// Why a rollout must stop after a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    Continue,
    Halt { reason: String },
}

impl FailureBudget {
    /// Judges a finished batch: `batch` is its own tally, `cumulative` the
    /// tally of every batch so far including this one, `planned_hosts` the
    /// number of hosts in the whole plan.
    pub fn judge(&self, batch: &Tally, cumulative: &Tally, planned_hosts: usize) -> Verdict {
        if batch.attempted() == 0 {
            return Verdict::Continue;
        }

        if is_exceeded(self.per_batch, batch.failures(), batch.attempted()) {
            return Verdict::Halt {
                reason: format!(
                    "{} of {} hosts in the batch failed; `max_failures.per_batch = {}` allows {}",
                    batch.failures(),
                    batch.attempted(),
                    self.per_batch,
                    allowed(self.per_batch, batch.attempted())
                ),
            };
        }

        if is_exceeded(self.cumulative, cumulative.failures(), planned_hosts) {
            return Verdict::Halt {
                reason: format!(
                    "{} hosts failed so far out of {planned_hosts} planned; \
                     `max_failures.cumulative = {}` allows {}",
                    cumulative.failures(),
                    self.cumulative,
                    allowed(self.cumulative, planned_hosts)
                ),
            };
        }
        Verdict::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(succeeded: usize, failed: usize, unreachable: usize) -> Tally {
        Tally { succeeded, failed, unreachable, skipped: 0 }
    }

    #[test]
    fn exceeded_means_strictly_more_failures_than_allowed() {
        assert!(!is_exceeded(Quantity::Count(1), 1, 10));
        assert!(is_exceeded(Quantity::Count(1), 2, 10));
        assert!(is_exceeded(Quantity::Count(0), 1, 10));
        assert!(!is_exceeded(Quantity::Count(0), 0, 10));
    }

    #[test]
    fn percentages_round_down_to_allowed_failures() {
        let ten = Quantity::Percent(10.0);
        assert_eq!(allowed(ten, 5), 0);
        assert!(is_exceeded(ten, 1, 5));
        assert_eq!(allowed(ten, 20), 2);
        assert!(!is_exceeded(ten, 2, 20));
        assert!(is_exceeded(ten, 3, 20));
    }

    #[test]
    fn unreachable_hosts_count_as_failures_and_skipped_do_not() {
        let budget =
            FailureBudget { per_batch: Quantity::Count(1), cumulative: Quantity::Count(9) };
        let batch = tally(3, 1, 1);
        assert_eq!(batch.failures(), 2);
        assert!(matches!(budget.judge(&batch, &batch, 100), Verdict::Halt { .. }));

        let skipped_only = Tally { skipped: 7, ..tally(3, 1, 0) };
        assert_eq!(skipped_only.attempted(), 4);
        assert_eq!(budget.judge(&skipped_only, &skipped_only, 100), Verdict::Continue);
    }

    #[test]
    fn empty_batch_is_a_no_op_even_after_cumulative_is_spent() {
        let budget =
            FailureBudget { per_batch: Quantity::Count(0), cumulative: Quantity::Count(0) };
        let cumulative = tally(10, 1, 0);
        let empty = Tally { skipped: 3, ..Tally::default() };
        assert_eq!(budget.judge(&empty, &cumulative, 20), Verdict::Continue);

        let mut running = cumulative;
        running.add(&empty);
        assert_eq!(running.failures(), cumulative.failures());
    }

    #[test]
    fn cumulative_base_is_the_whole_plan_not_hosts_so_far() {
        let budget =
            FailureBudget { per_batch: Quantity::Count(5), cumulative: Quantity::Percent(5.0) };
        let first = tally(1, 1, 0);
        let verdict = budget.judge(&first, &first, 40);
        assert_eq!(verdict, Verdict::Continue, "5% of 40 planned hosts allows 2");

        let mut cumulative = first;
        cumulative.add(&tally(8, 0, 2));
        assert!(matches!(budget.judge(&tally(8, 0, 2), &cumulative, 40), Verdict::Halt { .. }));
    }
}
