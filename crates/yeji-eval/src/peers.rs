//! An entity among its peers (same level and unit kind): the one definition
//! of the peer median and the percentile that pages, the API and feedback
//! drafts cite.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use yeji_core::scheme::percentile;
use yeji_core::{CATALOGUE, Level};

use crate::{EntityResult, Evaluation};

/// For each KPI with a value: the share (0–100) of the entity's peers that do
/// worse, by the KPI's direction, ties counting half (the percentile scoring
/// uses). KPIs no peer has a value of are left out.
pub fn percentiles(evaluation: &Evaluation, entity: &EntityResult) -> BTreeMap<String, f64> {
    let peers: Vec<&EntityResult> = evaluation
        .results
        .iter()
        .filter(|r| r.level == entity.level && r.kind == entity.kind && r.id != entity.id)
        .collect();
    let mut out = BTreeMap::new();
    for kpi in CATALOGUE {
        let Some(mine) = entity.kpis.get(kpi.id).and_then(|k| k.value) else { continue };
        let mut values: Vec<f64> = peers.iter().filter_map(|p| p.kpis.get(kpi.id).and_then(|k| k.value)).collect();
        values.push(mine);
        if let Some(share) = percentile(mine, &values, kpi.direction) {
            out.insert(kpi.id.to_owned(), share);
        }
    }
    out
}

/// For each KPI with a value: the median over the entity's peer group (those
/// with a score: the group `rank_of` counts).
pub fn peer_medians(evaluation: &Evaluation, entity: &EntityResult) -> BTreeMap<String, f64> {
    PeerMedians::of(evaluation).of_entity(entity)
}

/// The peer medians of every peer group of an evaluation, computed once (a
/// draft for each of 2000 reps asks for them 2000 times).
pub struct PeerMedians {
    groups: HashMap<(Level, Option<String>), BTreeMap<String, f64>>,
}

impl PeerMedians {
    pub fn of(evaluation: &Evaluation) -> PeerMedians {
        let mut members: HashMap<(Level, Option<String>), Vec<&EntityResult>> = HashMap::new();
        for result in evaluation.results.iter().filter(|r| r.score.is_some()) {
            members.entry((result.level, result.kind.clone())).or_default().push(result);
        }
        let groups = members
            .into_iter()
            .map(|(group, peers)| {
                let kpis: BTreeSet<&String> = peers.iter().flat_map(|p| p.kpis.keys()).collect();
                let medians = kpis
                    .into_iter()
                    .filter_map(|kpi| {
                        let values = peers.iter().filter_map(|p| p.kpis.get(kpi).and_then(|k| k.value)).collect();
                        Some((kpi.clone(), crate::report::median(values)?))
                    })
                    .collect();
                (group, medians)
            })
            .collect();
        PeerMedians { groups }
    }

    /// The medians of the group of `level` and unit `kind` (a rep: none).
    pub fn of_group(&self, level: Level, kind: Option<String>) -> Option<&BTreeMap<String, f64>> {
        self.groups.get(&(level, kind))
    }

    /// The medians of `entity`'s group, for the KPIs it has a value of.
    pub fn of_entity(&self, entity: &EntityResult) -> BTreeMap<String, f64> {
        let Some(medians) = self.groups.get(&(entity.level, entity.kind.clone())) else { return BTreeMap::new() };
        entity.kpis.keys().filter_map(|kpi| Some((kpi.clone(), *medians.get(kpi)?))).collect()
    }
}
