//! Orders changes into waves and batches.
//!
//! Each track (emergency first) gets a canary wave drawn from non-critical
//! tiers, spread over as many clusters as possible, then the policy's
//! `[[waves]]` in file order. Within a wave, hosts are interleaved across
//! clusters before being cut into batches, so a batch holds few hosts of
//! any one cluster and `max_unavailable` rarely has to serialise a batch.

use std::collections::{BTreeMap, BTreeSet};

use crate::artifact::plan::{LeftOut, Track};
use crate::policy::Policy;
use crate::policy::threshold::FailureBudget;
use crate::policy::wave::BatchSizes;

use super::triage::Change;

/// A wave before scheduling: batches of indexes into the change list.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveDraft {
    pub track: Track,
    pub name: String,
    pub canary: bool,
    pub max_failures: FailureBudget,
    pub batches: Vec<Vec<usize>>,
}

/// Waves for every track, and the changes no wave takes.
pub fn arrange(changes: &[Change], policy: &Policy) -> (Vec<WaveDraft>, Vec<LeftOut>) {
    let mut waves = Vec::new();
    let mut left_out = Vec::new();
    for track in [Track::Emergency, Track::Scheduled] {
        let members: Vec<usize> =
            (0..changes.len()).filter(|&i| changes[i].track == track).collect();
        if !members.is_empty() {
            arrange_track(changes, policy, track, members, &mut waves, &mut left_out);
        }
    }
    (waves, left_out)
}

fn arrange_track(
    changes: &[Change],
    policy: &Policy,
    track: Track,
    members: Vec<usize>,
    waves: &mut Vec<WaveDraft>,
    left_out: &mut Vec<LeftOut>,
) {
    let default_budget = match track {
        Track::Emergency => policy.emergency.max_failures.unwrap_or(policy.max_failures),
        Track::Scheduled => policy.max_failures,
    };
    let wants_canary = track == Track::Scheduled || policy.emergency.canary;
    let canaries = if wants_canary { pick_canaries(changes, policy, &members) } else { Vec::new() };
    if !canaries.is_empty() {
        waves.push(WaveDraft {
            track,
            name: "canary".to_string(),
            canary: true,
            max_failures: policy.canary.max_failures.unwrap_or(default_budget),
            batches: vec![canaries.clone()],
        });
    }

    let mut rest: Vec<usize> = members.into_iter().filter(|i| !canaries.contains(i)).collect();
    if policy.waves.is_empty() {
        push_wave(waves, changes, track, "all", default_budget, &BatchSizes::default(), rest);
        return;
    }
    for rule in &policy.waves {
        let (taken, kept): (Vec<usize>, Vec<usize>) =
            rest.into_iter().partition(|&i| rule.applies_to.matches(&changes[i].profile));
        rest = kept;
        let budget = rule.max_failures.unwrap_or(default_budget);
        push_wave(waves, changes, track, &rule.name, budget, &rule.batch_size, taken);
    }
    for index in rest {
        let reason = "matches no `[[waves]]` entry of the policy".to_string();
        left_out.push(LeftOut { host: changes[index].profile.name.clone(), reason });
    }
}

fn push_wave(
    waves: &mut Vec<WaveDraft>,
    changes: &[Change],
    track: Track,
    name: &str,
    max_failures: FailureBudget,
    sizes: &BatchSizes,
    members: Vec<usize>,
) {
    if members.is_empty() {
        return;
    }
    let ordered = interleave_clusters(changes, members);
    let mut batches = Vec::new();
    let mut start = 0;
    for length in sizes.split(ordered.len()) {
        batches.push(ordered[start..start + length].to_vec());
        start += length;
    }
    waves.push(WaveDraft { track, name: name.to_string(), canary: false, max_failures, batches });
}

/// Round-robin over clusters (in name order, hosts without a cluster each
/// on their own), so neighbours in the order belong to different clusters.
fn interleave_clusters(changes: &[Change], members: Vec<usize>) -> Vec<usize> {
    let mut queues: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for index in members {
        let profile = &changes[index].profile;
        let key = profile.cluster.clone().unwrap_or_else(|| format!("\u{0}{}", profile.name));
        queues.entry(key).or_default().push(index);
    }
    let mut ordered = Vec::new();
    let mut round = 0;
    loop {
        let before = ordered.len();
        ordered.extend(queues.values().filter_map(|queue| queue.get(round).copied()));
        if ordered.len() == before {
            return ordered;
        }
        round += 1;
    }
}

/// Canaries: non-critical tiers only (and the `[canary] tiers` if given,
/// preferring them in the order listed), at most one per cluster while
/// other clusters remain, then by host name.
fn pick_canaries(changes: &[Change], policy: &Policy, members: &[usize]) -> Vec<usize> {
    let wanted = policy.canary.size.size_of(members.len());
    let preference = |index: usize| {
        let tier = changes[index].profile.tier.as_deref();
        let rank = policy.canary.tiers.iter().position(|t| Some(t.as_str()) == tier);
        (rank.unwrap_or(usize::MAX), changes[index].profile.name.clone())
    };
    let mut eligible: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| {
            let tier = changes[i].profile.tier.as_deref();
            let listed = policy.canary.tiers.is_empty()
                || tier.is_some_and(|tier| policy.canary.tiers.iter().any(|t| t == tier));
            listed && !policy.is_critical_tier(tier)
        })
        .collect();
    eligible.sort_by_key(|&index| preference(index));

    let mut picked = Vec::new();
    let mut clusters = BTreeSet::new();
    for &index in &eligible {
        let cluster = changes[index].profile.cluster.clone();
        if picked.len() < wanted && cluster.as_ref().is_none_or(|c| clusters.insert(c.clone())) {
            picked.push(index);
        }
    }
    for &index in &eligible {
        if picked.len() < wanted && !picked.contains(&index) {
            picked.push(index);
        }
    }
    picked
}
