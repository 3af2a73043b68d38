//! Partial host settings, and how one layer overrides another.
//!
//! Every input format says the same kinds of things at different levels:
//! defaults for everyone, variables of a group, settings of one host. Each
//! level becomes a [`Layer`]; resolving a host is folding its layers from the
//! lowest precedence to the highest. Scalars are replaced by the later layer;
//! tags, notes and watched files accumulate (a group's tag still describes
//! its hosts); variables merge key by key; probes merge by name.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::host::{ExplicitTier, ProbeSpec, Transport};

/// Settings one level of the inventory gives a host; unset means "inherit".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Layer {
    pub address: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub transport: Option<Transport>,
    pub environment: Option<String>,
    pub cluster: Option<String>,
    pub owner: Option<String>,
    pub tier: Option<ExplicitTier>,
    pub identity_file: Option<PathBuf>,
    pub known_hosts_file: Option<PathBuf>,
    pub proxy_jump: Option<String>,
    pub become_root: Option<bool>,
    pub legacy_algorithms: Option<bool>,
    pub tags: Vec<String>,
    pub vars: BTreeMap<String, String>,
    pub notes: Vec<String>,
    pub watch: Vec<String>,
    pub probes: Vec<ProbeSpec>,
}

impl Layer {
    /// Lays `over` on top of `self`: what `over` sets wins.
    pub fn apply(&mut self, over: &Layer) {
        replace(&mut self.address, over.address.as_ref());
        replace(&mut self.port, over.port.as_ref());
        replace(&mut self.user, over.user.as_ref());
        replace(&mut self.transport, over.transport.as_ref());
        replace(&mut self.environment, over.environment.as_ref());
        replace(&mut self.cluster, over.cluster.as_ref());
        replace(&mut self.owner, over.owner.as_ref());
        replace(&mut self.tier, over.tier.as_ref());
        replace(&mut self.identity_file, over.identity_file.as_ref());
        replace(&mut self.known_hosts_file, over.known_hosts_file.as_ref());
        replace(&mut self.proxy_jump, over.proxy_jump.as_ref());
        replace(&mut self.become_root, over.become_root.as_ref());
        replace(&mut self.legacy_algorithms, over.legacy_algorithms.as_ref());

        extend_unique(&mut self.tags, &over.tags);
        extend_unique(&mut self.notes, &over.notes);
        extend_unique(&mut self.watch, &over.watch);
        self.vars.extend(over.vars.iter().map(|(key, value)| (key.clone(), value.clone())));
        merge_probes(&mut self.probes, &over.probes);
    }
}

fn replace<T: Clone>(target: &mut Option<T>, over: Option<&T>) {
    if let Some(value) = over {
        *target = Some(value.clone());
    }
}

fn extend_unique(target: &mut Vec<String>, more: &[String]) {
    for item in more {
        if !target.contains(item) {
            target.push(item.clone());
        }
    }
}

fn merge_probes(target: &mut Vec<ProbeSpec>, more: &[ProbeSpec]) {
    for probe in more {
        match target.iter_mut().find(|existing| existing.name == probe.name) {
            Some(existing) => existing.clone_from(probe),
            None => target.push(probe.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::host::ProbeTarget;

    #[test]
    fn later_layers_win_for_scalars_and_accumulate_lists() {
        let mut base = Layer {
            user: Some("root".into()),
            port: Some(22),
            tags: vec!["linux".into()],
            vars: BTreeMap::from([("dc".into(), "fra1".into()), ("rack".into(), "3".into())]),
            probes: vec![ProbeSpec { name: "web".into(), target: ProbeTarget::Tcp("a:80".into()) }],
            ..Layer::default()
        };
        let over = Layer {
            user: Some("ops".into()),
            tags: vec!["pci".into(), "linux".into()],
            vars: BTreeMap::from([("dc".into(), "ams2".into())]),
            probes: vec![ProbeSpec { name: "web".into(), target: ProbeTarget::Tcp("b:80".into()) }],
            ..Layer::default()
        };
        base.apply(&over);

        assert_eq!(base.user.as_deref(), Some("ops"));
        assert_eq!(base.port, Some(22));
        assert_eq!(base.tags, ["linux", "pci"]);
        assert_eq!(base.vars["dc"], "ams2");
        assert_eq!(base.vars["rack"], "3");
        assert_eq!(base.probes.len(), 1);
        assert_eq!(base.probes[0].target, ProbeTarget::Tcp("b:80".into()));
    }
}
