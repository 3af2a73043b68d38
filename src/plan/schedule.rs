//! Bin-packing changes into window slots.
//!
//! Batches run strictly one after another: a batch starts when the one
//! before it has ended, as `rollout` will run them. Within a batch each host,
//! in batch order, takes the earliest start at which it fits wholly inside
//! one of its open intervals (its windows, freezes cut out) and keeps every
//! limit: `throttle.max_concurrent`, `throttle.per_group` and the cluster's
//! `max_unavailable`, counting hosts of the same batch in progress at the
//! same time. A host lasts `minutes_per_host`, plus `reboot_minutes` when it
//! reboots. When a window is too short for everyone, the rest spill into
//! the next window; a host that fits nowhere before the horizon is left out.
//!
//! LIMITATION: because batches are sequential, a batch mixing hosts with
//! different windows ends with its latest host, which delays every later
//! batch. Waves built per environment and group (as in the example policy)
//! avoid this; overlapping unrelated batches would need rollout to run
//! batches concurrently, which the failure budgets do not allow today.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use crate::artifact::plan::{Slot, Track};
use crate::policy::Policy;
use crate::policy::capacity::{self, RebootMode};
use crate::policy::window::{self, Interval};

use super::triage::Change;
use super::waves::WaveDraft;

/// The label of an emergency slot taken outside the maintenance windows.
pub const OUTSIDE_WINDOWS: &str = "outside-windows";

/// Where scheduling put each change (by index) and each batch.
#[derive(Debug, Default)]
pub struct Schedule {
    pub slots: BTreeMap<usize, Slot>,
    pub reboots: BTreeMap<usize, (RebootMode, bool)>,
    /// Per wave, per batch: start and end, `None` when nothing in it fitted.
    pub batch_times: Vec<Vec<Option<(Timestamp, Timestamp)>>>,
    /// Changes that fitted nowhere before the horizon.
    pub unplaced: Vec<usize>,
}

/// A host in progress during `[start, end)`.
struct Running {
    start: Timestamp,
    end: Timestamp,
    groups: Vec<String>,
    cluster: Option<String>,
}

/// What limits a host's concurrency: fleet-wide, each group, its cluster.
struct Limits<'a> {
    global: usize,
    groups: Vec<(&'a str, usize)>,
    cluster: Option<(&'a str, usize)>,
}

/// Places every change of every wave.
pub fn schedule(
    changes: &[Change],
    waves: &[WaveDraft],
    policy: &Policy,
    from: Timestamp,
    until: Timestamp,
) -> Schedule {
    let cluster_sizes = cluster_sizes(changes);
    let mut result = Schedule::default();
    let mut cursor = from;

    for wave in waves {
        let mut times = Vec::new();
        for batch in &wave.batches {
            let (placed, batch_time) =
                schedule_batch(changes, batch, policy, &cluster_sizes, cursor, until, &mut result);
            if placed {
                cursor = batch_time.map_or(cursor, |(_, end)| end);
            }
            times.push(batch_time);
        }
        result.batch_times.push(times);
    }
    result
}

fn schedule_batch(
    changes: &[Change],
    batch: &[usize],
    policy: &Policy,
    cluster_sizes: &BTreeMap<String, usize>,
    cursor: Timestamp,
    until: Timestamp,
    result: &mut Schedule,
) -> (bool, Option<(Timestamp, Timestamp)>) {
    let mut running: Vec<Running> = Vec::new();
    for &index in batch {
        let change = &changes[index];
        let mode = policy.reboots.mode_for(&change.profile);
        let reboots = capacity::will_reboot(mode, change.reboot_expected());
        result.reboots.insert(index, (mode, reboots));

        let length = host_minutes(policy, reboots);
        let pieces = open_pieces(change, policy, cursor, until);
        let limits = limits_for(change, policy, cluster_sizes);
        match earliest_fit(&pieces, cursor, length, &running, &limits) {
            Some((start, label)) => {
                let end = start + length;
                running.push(Running {
                    start,
                    end,
                    groups: change.profile.groups.clone(),
                    cluster: change.profile.cluster.clone(),
                });
                result.slots.insert(index, Slot { window: label, start, end });
            }
            None => result.unplaced.push(index),
        }
    }

    let start = running.iter().map(|r| r.start).min();
    let end = running.iter().map(|r| r.end).max();
    (!running.is_empty(), start.zip(end))
}

fn host_minutes(policy: &Policy, reboots: bool) -> SignedDuration {
    let reboot = if reboots { policy.scheduling.reboot_minutes } else { 0 };
    SignedDuration::from_mins(i64::from(policy.scheduling.minutes_per_host + reboot))
}

/// The intervals a change may run in: its windows, or everything from the
/// cursor for an emergency let out of them; freezes cut out unless an
/// emergency may enter them.
fn open_pieces(
    change: &Change,
    policy: &Policy,
    from: Timestamp,
    until: Timestamp,
) -> Vec<Interval> {
    let emergency = change.track == Track::Emergency;
    let windows = if emergency && policy.emergency.outside_windows {
        vec![Interval { start: from, end: until, label: OUTSIDE_WINDOWS.to_string() }]
    } else {
        window::window_intervals(policy, &change.profile, from, until)
    };
    if emergency && policy.emergency.during_freezes {
        return windows;
    }
    window::subtract(windows, &window::freeze_intervals(policy, &change.profile))
}

fn limits_for<'a>(
    change: &'a Change,
    policy: &'a Policy,
    cluster_sizes: &BTreeMap<String, usize>,
) -> Limits<'a> {
    let groups = change
        .profile
        .groups
        .iter()
        .filter_map(|group| {
            let limit = policy.throttle.per_group.get(group)?;
            Some((group.as_str(), *limit as usize))
        })
        .collect();
    let cluster = change.profile.cluster.as_deref().map(|cluster| {
        let size = cluster_sizes.get(cluster).copied().unwrap_or(1);
        (cluster, policy.clusters.limit_for(cluster, size))
    });
    Limits { global: policy.throttle.max_concurrent as usize, groups, cluster }
}

/// Cluster sizes as the plan's input shows them: every host in a cluster
/// that has a change.
fn cluster_sizes(changes: &[Change]) -> BTreeMap<String, usize> {
    let mut members: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for change in changes {
        if let Some(cluster) = &change.profile.cluster {
            members.entry(cluster.clone()).or_default().push(&change.profile.name);
        }
    }
    members
        .into_iter()
        .map(|(cluster, mut hosts)| {
            hosts.sort_unstable();
            hosts.dedup();
            (cluster, hosts.len())
        })
        .collect()
}

/// The earliest start at or after `cursor` inside one piece, respecting
/// every limit. Candidate starts are each piece's opening and every moment
/// a running host finishes.
fn earliest_fit(
    pieces: &[Interval],
    cursor: Timestamp,
    length: SignedDuration,
    running: &[Running],
    limits: &Limits<'_>,
) -> Option<(Timestamp, String)> {
    for piece in pieces.iter().filter(|piece| piece.end > cursor) {
        let opening = piece.start.max(cursor);
        let mut candidates: Vec<Timestamp> = running
            .iter()
            .map(|r| r.end)
            .filter(|end| *end > opening && *end < piece.end)
            .collect();
        candidates.push(opening);
        candidates.sort();

        for start in candidates {
            if start + length > piece.end {
                break;
            }
            if fits(start, start + length, running, limits) {
                return Some((start, piece.label.clone()));
            }
        }
    }
    None
}

fn fits(start: Timestamp, end: Timestamp, running: &[Running], limits: &Limits<'_>) -> bool {
    let overlapping: Vec<&Running> =
        running.iter().filter(|r| r.start < end && start < r.end).collect();
    if peak(start, end, overlapping.iter().copied()) >= limits.global {
        return false;
    }
    for (group, limit) in &limits.groups {
        let same = overlapping.iter().copied().filter(|r| r.groups.iter().any(|g| g == group));
        if peak(start, end, same) >= *limit {
            return false;
        }
    }
    if let Some((cluster, limit)) = limits.cluster {
        let same = overlapping.iter().copied().filter(|r| r.cluster.as_deref() == Some(cluster));
        if peak(start, end, same) >= limit {
            return false;
        }
    }
    true
}

/// The most intervals in progress at any moment of `[start, end)`; the
/// peak is reached at `start` or at one of their starts.
fn peak<'a>(start: Timestamp, end: Timestamp, running: impl Iterator<Item = &'a Running>) -> usize {
    let running: Vec<&Running> = running.collect();
    let mut points: Vec<Timestamp> =
        running.iter().map(|r| r.start).filter(|s| *s > start && *s < end).collect();
    points.push(start);
    points
        .into_iter()
        .map(|point| running.iter().filter(|r| r.start <= point && point < r.end).count())
        .max()
        .unwrap_or(0)
}
