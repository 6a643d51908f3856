//! Region-wide selection (`group_by = "province"` or `"none"`): the
//! districts are put into groups ([`GroupBy::key`](crate::scenario::GroupBy::key)), every candidate gets
//! its sparse list of the schools that reach it within the travel limit
//! (one bounded reverse search each, [`reach_lists`](crate::routing::reach::reach_lists)), and each group and
//! level is solved by [`solve_region`](crate::select::region::solve_region), primary first, a school chosen for
//! one level being no candidate for the other (as per district). The
//! chosen hubs go back to their own districts as [`DistrictSelection`]s,
//! so that allocation (across district borders) and the outputs take them
//! as they take the policy's.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::model::{HubLevel, SchoolId, Weighting};
use crate::network::Prepared;
use crate::outcome::{Shortfall, Unreachable};
use crate::error::{Error, Result};
use crate::progress::{check_cancelled, Progress};
use crate::routing::reach::reach_lists_until;
use crate::scenario::{ineligible_on_network, Config};
use crate::select::district::{margin_unit, DistrictSelection, HubExplain};
use crate::select::region::{solve_region_until, RegionMethod, RegionProblem};
use crate::select::{strategy, Choice};

/// The schools of the run as the region-wide selection sees them.
struct Region<'a> {
    prepared: &'a Prepared,
    config: &'a Config,
    weighting: Weighting,
    /// Per school (global index), its position in `sources`, when it is a
    /// candidate of some level.
    source_of: Vec<Option<usize>>,
    /// Per candidate school, `(school, seconds)` of the schools reaching it
    /// within the limit, sorted by school.
    lists: Vec<Vec<(u32, f64)>>,
    /// Asked between levels: a cancelled run stops choosing.
    progress: &'a dyn Progress,
}

/// What one group gives: (district, its part of the selection) and the
/// problems as solved.
type GroupOutcome = (Vec<(usize, DistrictSelection)>, Vec<Solved>);

/// One group: its name for messages and its districts.
struct Group {
    name: String,
    districts: Vec<usize>,
}

/// One group and level as solved, for researchers who want the problem
/// (to export or to solve elsewhere) and not only the hubs.
#[derive(Clone, Debug)]
pub struct Solved {
    /// "province 50", or "the whole run".
    pub group: String,
    pub level: HubLevel,
    pub problem: RegionProblem,
    /// The schools of `problem.demand` and of `problem.lists`, by index
    /// among the schools taking part.
    pub demand: Vec<usize>,
    pub candidates: Vec<usize>,
    /// `None` when the group has no candidate or no school of the level.
    pub choice: Option<Choice>,
    /// Seconds the solver took (not written to any output).
    pub solve_s: f64,
}

/// Chooses the hubs of every group and level and returns them per
/// district (the selections of [`crate::select::district`]'s shape).
/// Stops with [`crate::error::ErrorKind::Cancelled`] once `progress` is
/// cancelled.
pub fn select_grouped(
    prepared: &Prepared,
    config: &Config,
    weighting: Weighting,
    progress: &dyn Progress,
) -> Result<Vec<DistrictSelection>> {
    Ok(solve_groups(prepared, config, weighting, progress)?.0)
}

/// [`select_grouped`], with every group and level's problem and choice.
pub fn solve_groups(
    prepared: &Prepared,
    config: &Config,
    weighting: Weighting,
    progress: &dyn Progress,
) -> Result<(Vec<DistrictSelection>, Vec<Solved>)> {
    let checked = &prepared.checked;
    let n = checked.schools.len();
    let sources: Vec<usize> = (0..n)
        .filter(|&g| {
            HubLevel::ALL.iter().any(|&l| {
                config.hubs_in_group(l, checked.districts.len()) > 0
                    && ineligible_on_network(&checked.schools[g].school, checked.on_network[g], l, config)
                        .is_none()
            })
        })
        .collect();
    let points: Vec<_> = (0..n).map(|g| checked.placed(g)).collect();
    let offroad_s: Vec<f64> = (0..n).map(|g| checked.offroad_s(g, config)).collect();
    let lists = reach_lists_until(
        &checked.graph,
        &points,
        &offroad_s,
        &sources,
        config.max_travel_min * 60.0,
        &|| progress.advance(1),
        &|| progress.cancelled(),
    )
    .ok_or_else(Error::cancelled)?;
    let mut source_of = vec![None; n];
    for (s, &g) in sources.iter().enumerate() {
        source_of[g] = Some(s);
    }
    let region = Region {
        prepared,
        config,
        weighting,
        source_of,
        lists,
        progress,
    };
    let groups = region.groups();
    let solved: Vec<GroupOutcome> = groups
        .par_iter()
        .map(|g| if progress.cancelled() { None } else { region.select_group(g) })
        .collect::<Option<_>>()
        .ok_or_else(Error::cancelled)?;
    // A level skipped below leaves a group's choice unfinished: refused.
    check_cancelled(progress)?;
    let mut out = vec![DistrictSelection::default(); checked.districts.len()];
    let mut all = Vec::new();
    for (parts, details) in solved {
        all.extend(details);
        for (d, part) in parts {
            let s = &mut out[d];
            s.hubs.extend(part.hubs);
            s.shortfalls.extend(part.shortfalls);
            s.unreachable.extend(part.unreachable);
            s.access_pairs.extend(part.access_pairs);
        }
    }
    Ok((out, all))
}

impl Region<'_> {
    /// The groups in key order, each with its districts.
    fn groups(&self) -> Vec<Group> {
        let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (d, district) in self.prepared.checked.districts.iter().enumerate() {
            by_key
                .entry(self.config.group_by.key(&district.code.0))
                .or_default()
                .push(d);
        }
        by_key
            .into_iter()
            .map(|(key, districts)| Group {
                name: if key.is_empty() {
                    "the whole run".to_string()
                } else {
                    format!("province {key}")
                },
                districts,
            })
            .collect()
    }

    fn id(&self, g: usize) -> &SchoolId {
        &self.prepared.checked.schools[g].school.id
    }

    /// Each level of one group, primary first: (district, its part), and
    /// the problems as solved; `None` once the run is cancelled.
    fn select_group(&self, group: &Group) -> Option<GroupOutcome> {
        let mut parts: Vec<(usize, DistrictSelection)> = Vec::new();
        let mut details = Vec::new();
        let mut taken: Vec<usize> = Vec::new();
        let mut schools: Vec<usize> = group
            .districts
            .iter()
            .flat_map(|&d| self.prepared.members[d].iter().copied())
            .collect();
        schools.sort_by(|&a, &b| self.id(a).cmp(self.id(b)));
        for level in HubLevel::ALL {
            let k = self.config.hubs_in_group(level, group.districts.len());
            if k == 0 {
                continue;
            }
            if self.progress.cancelled() {
                return None;
            }
            let (level_part, solved) = self.select_level(group, &schools, level, k, &taken)?;
            for (d, part) in level_part {
                taken.extend(part.hubs.iter().map(|h| self.prepared.members[d][h.0]));
                parts.push((d, part));
            }
            details.push(solved);
        }
        Some((parts, details))
    }

    /// The region problem of one group and level: its demand (schools of
    /// the level) and candidates (eligible, not taken), in id order.
    fn problem(
        &self,
        schools: &[usize],
        level: HubLevel,
        k: usize,
        taken: &[usize],
    ) -> (RegionProblem, Vec<usize>, Vec<usize>) {
        let checked = &self.prepared.checked;
        let demand: Vec<usize> = schools
            .iter()
            .copied()
            .filter(|&g| checked.schools[g].school.level.serves(level))
            .collect();
        let candidates: Vec<usize> = schools
            .iter()
            .copied()
            .filter(|g| !taken.contains(g) && self.source_of[*g].is_some())
            .filter(|&g| {
                ineligible_on_network(&checked.schools[g].school, checked.on_network[g], level, self.config)
                    .is_none()
            })
            .collect();
        let mut position: BTreeMap<usize, u32> = BTreeMap::new();
        for (j, &g) in demand.iter().enumerate() {
            position.insert(g, j as u32);
        }
        let lists = candidates
            .iter()
            .map(|&c| {
                let list = self.source_of[c].map_or(&[][..], |s| self.lists[s].as_slice());
                let mut out: Vec<(u32, f64)> = list
                    .iter()
                    .filter_map(|&(g, t)| position.get(&(g as usize)).map(|&j| (j, t / 60.0)))
                    .collect();
                out.sort_by_key(|e| e.0);
                out
            })
            .collect();
        let forced = (0..candidates.len())
            .filter(|&i| self.config.required_hubs.contains(self.id(candidates[i])))
            .collect();
        let problem = RegionProblem {
            k,
            lists,
            forced,
            demand: demand
                .iter()
                .map(|&g| self.weighting.weight(checked.schools[g].school.students))
                .collect(),
            limit_min: self.config.max_travel_min,
            penalty_min: self.config.search_cutoff_min,
        };
        (problem, demand, candidates)
    }

    /// Solves one group and level; its hubs, shortfall, unreachable
    /// schools and access pairs, each in its district. `None` once the run
    /// is cancelled (asked inside the solver's long loops).
    fn select_level(
        &self,
        group: &Group,
        schools: &[usize],
        level: HubLevel,
        k: usize,
        taken: &[usize],
    ) -> Option<(Vec<(usize, DistrictSelection)>, Solved)> {
        let checked = &self.prepared.checked;
        let (problem, demand, candidates) = self.problem(schools, level, k, taken);
        let mut parts: BTreeMap<usize, DistrictSelection> = BTreeMap::new();
        let first = group.districts.first().copied().unwrap_or(0);
        if candidates.len() < k && !demand.is_empty() {
            parts.entry(first).or_default().shortfalls.push(Shortfall {
                district: checked.districts[first].code.clone(),
                level,
                wanted: k,
                chosen: candidates.len(),
                reason: format!(
                    "{}, {}: only {} eligible candidate{} for {k} hubs (of {} {} school{})",
                    group.name,
                    level.as_str(),
                    candidates.len(),
                    if candidates.len() == 1 { "" } else { "s" },
                    demand.len(),
                    level.as_str(),
                    if demand.len() == 1 { "" } else { "s" },
                ),
            });
        }
        let mut solved = Solved {
            group: group.name.clone(),
            level,
            problem,
            demand,
            candidates,
            choice: None,
            solve_s: 0.0,
        };
        if solved.candidates.is_empty() || solved.demand.is_empty() {
            return Some((parts.into_iter().collect(), solved));
        }
        let start = std::time::Instant::now();
        let cancelled = || self.progress.cancelled();
        let choice = solve_region_until(
            self.config.strategy,
            &solved.problem,
            RegionMethod::default(),
            &cancelled,
        )
        .ok()?;
        solved.solve_s = start.elapsed().as_secs_f64();
        let (problem, demand, candidates) = (&solved.problem, &solved.demand, &solved.candidates);
        self.record(&choice, problem, demand, candidates, level, &mut parts);
        self.unreachable(group, &choice, demand, level, &mut parts);
        solved.choice = Some(choice);
        Some((parts.into_iter().collect(), solved))
    }

    /// The chosen hubs with why, and the access pairs, into `parts`.
    fn record(
        &self,
        choice: &Choice,
        problem: &RegionProblem,
        demand: &[usize],
        candidates: &[usize],
        level: HubLevel,
        parts: &mut BTreeMap<usize, DistrictSelection>,
    ) {
        let checked = &self.prepared.checked;
        let kind = self.config.strategy;
        let unit = margin_unit(kind, strategy(kind).unit(), self.weighting);
        for (j, &pos) in choice.chosen.iter().enumerate() {
            let g = candidates[pos];
            let d = checked.schools[g].district;
            let local = self.prepared.members[d].iter().position(|&x| x == g).unwrap_or(0);
            let runner = choice.runner_up.get(j).and_then(Option::as_ref);
            let explain = HubExplain {
                rank: 1,
                candidates: candidates.len(),
                runner_up: runner.map(|r| candidates[r.candidate]),
                margin: runner.map_or(0.0, |r| r.margin),
                margin_unit: unit,
                forced: problem.forced.contains(&pos),
                exact: choice.exact,
                gap: choice.gap(),
                ..HubExplain::default()
            };
            parts.entry(d).or_default().hubs.push((local, level, explain));
        }
        let nearest = problem.nearest(&choice.chosen);
        for (j, &g) in demand.iter().enumerate() {
            if choice.unreachable.contains(&j) {
                continue;
            }
            let d = checked.schools[g].district;
            parts
                .entry(d)
                .or_default()
                .access_pairs
                .push((nearest[j], problem.demand[j]));
        }
    }

    /// The schools of the level no candidate of the group reaches within
    /// the limit, one record per district that has some.
    fn unreachable(
        &self,
        group: &Group,
        choice: &Choice,
        demand: &[usize],
        level: HubLevel,
        parts: &mut BTreeMap<usize, DistrictSelection>,
    ) {
        let checked = &self.prepared.checked;
        let mut by_district: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &j in &choice.unreachable {
            by_district
                .entry(checked.schools[demand[j]].district)
                .or_default()
                .push(demand[j]);
        }
        let name = level.as_str();
        for (d, schools) in by_district {
            let of = demand.iter().filter(|&&g| checked.schools[g].district == d).count();
            let off_network = schools.iter().filter(|&&g| checked.placed(g).is_none()).count();
            let mut ids: Vec<SchoolId> = schools.iter().map(|&g| self.id(g).clone()).collect();
            ids.sort();
            let code = &checked.districts[d].code;
            let reason = format!(
                "{}, district {code}, {name}: no candidate of the group reaches {} of its {of} {name} school{} within {} min ({} off the road network)",
                group.name,
                ids.len(),
                if of == 1 { "" } else { "s" },
                self.config.max_travel_min,
                off_network,
            );
            parts.entry(d).or_default().unreachable.push(Unreachable {
                district: code.clone(),
                level,
                of,
                off_network,
                island: 0,
                beyond_cutoff: ids.len() - off_network,
                schools: ids,
                reason,
            });
        }
    }
}
