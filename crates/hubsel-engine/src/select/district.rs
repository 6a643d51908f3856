//! The selection problem of one district: for each level, which of its
//! schools are candidates, the [`LevelProblem`] the strategy solves (the
//! travel minutes, the straight distances, the demand weights, the
//! policy scores), the choice and why ([`HubExplain`]), and, when the
//! district cannot have the hubs asked, the shortfall and the schools no
//! candidate reaches, in words for a planner.

use geo::{Distance, Haversine, Point};

use crate::error::{quote, Error, ErrorKind, Result};
use crate::model::{DistrictCode, HubLevel, School, SchoolId, Weighting};
use crate::outcome::{Shortfall, Unreachable};
use crate::routing::matrix::TravelMatrix;
use crate::scenario::{
    ineligible, ineligible_on_network, Config, Ineligible, Measure, StrategyKind,
};
use crate::score;
use crate::select::{self, Candidate, Choice, LevelProblem};
use crate::validate::PlacedSchool;

/// One district as the selection sees it.
#[derive(Clone, Copy)]
pub struct DistrictView<'a> {
    /// Every school taking part (global indices).
    pub schools: &'a [PlacedSchool],
    /// The district's schools (global indices, in id order): local index
    /// `i` is school `members[i]`.
    pub members: &'a [usize],
    /// Travel from each of its schools to each of its candidates.
    pub matrix: &'a TravelMatrix,
    pub code: &'a DistrictCode,
    /// The road network piece of every school (global index), `None` when
    /// the school is not on the network.
    pub component: &'a [Option<u32>],
}

impl DistrictView<'_> {
    /// The school of local index `i`.
    fn school(&self, i: usize) -> &School {
        &self.schools[self.members[i]].school
    }

    /// Why the school of local index `i` is no candidate for `level`.
    fn ineligible(&self, i: usize, level: HubLevel, config: &Config) -> Option<Ineligible> {
        ineligible_on_network(
            self.school(i),
            self.component[self.members[i]].is_some(),
            level,
            config,
        )
    }
}

/// The schools of one level in a district and the candidates among them.
struct Group {
    level: HubLevel,
    /// Hubs asked.
    k: usize,
    /// Local indices of the schools of the level.
    demand: Vec<usize>,
    /// (matrix row, local index) of each candidate.
    rows: Vec<(usize, usize)>,
}

/// The hubs chosen in one district.
#[derive(Clone, Debug, Default)]
pub struct DistrictSelection {
    /// (local school, level, explanation) per hub.
    pub hubs: Vec<(usize, HubLevel, HubExplain)>,
    pub shortfalls: Vec<Shortfall>,
    /// Schools no candidate reaches, per level that has candidates.
    pub unreachable: Vec<Unreachable>,
    /// (minutes to the nearest chosen hub of the level, `INFINITY` when
    /// none reaches it; weight) for every school of every level that got at
    /// least one hub, except the schools no candidate reaches.
    pub access_pairs: Vec<(f64, f64)>,
    /// Per level with candidates, every candidate (local school) with its
    /// policy score, best first (ties: the lower id first): the ranking a
    /// planner reads beside the choice.
    pub ranked: Vec<(HubLevel, Vec<(usize, f64)>)>,
}

#[derive(Clone, Debug, Default)]
/// Why a hub was chosen, as the outcome reports it.
pub struct HubExplain {
    pub score: f64,
    pub parts: Vec<(String, f64)>,
    pub rank: usize,
    pub candidates: usize,
    /// The runner-up's school (global index among the schools taking part).
    pub runner_up: Option<usize>,
    pub margin: f64,
    pub margin_unit: &'static str,
    pub forced: bool,
    pub exact: bool,
    pub gap: Option<f64>,
    pub stability: Option<(String, f64)>,
}

/// `strategy = "largest"` ranks candidates by their student counts: a run
/// where a candidate (other than a required hub, which is chosen anyway)
/// has no count, or where every candidate's count is 0, is refused rather
/// than decided by the id order. Leaving schools without a count out is
/// the scenario's to say (`required_fields = ["students"]`).
pub fn check_largest(config: &Config, schools: &[PlacedSchool]) -> Result<()> {
    if config.strategy != StrategyKind::Largest {
        return Ok(());
    }
    let candidates: Vec<&School> = schools
        .iter()
        .map(|p| &p.school)
        .filter(|s| !config.required_hubs.contains(&s.id))
        .filter(|s| {
            HubLevel::ALL
                .iter()
                .any(|&l| config.hubs_for(l) > 0 && ineligible(s, l, config).is_none())
        })
        .collect();
    let mut missing: Vec<&SchoolId> = candidates
        .iter()
        .filter(|s| s.students.is_none())
        .map(|s| &s.id)
        .collect();
    missing.sort();
    let remedy = "add the counts, leave schools without one out with [constraints] required_fields = [\"students\"], or choose a strategy that weighs every school once when there are no counts (p-median, p-center, max-cover, central)";
    let problem = if !missing.is_empty() {
        format!(
            "strategy = \"largest\" chooses the candidates with the most students, but {} of {} candidate schools have no student count ({}): {remedy}",
            missing.len(),
            candidates.len(),
            listed(&missing, 5)
        )
    } else if !candidates.is_empty() && candidates.iter().all(|s| s.students == Some(0.0)) {
        format!(
            "strategy = \"largest\" chooses the candidates with the most students, but every candidate's student count is 0: {remedy}"
        )
    } else {
        return Ok(());
    };
    Err(Error::new(ErrorKind::Scenario, problem)
        .in_file(&config.source)
        .on_field("strategy"))
}

/// Up to `max` ids, quoted, then how many more.
fn listed(ids: &[&SchoolId], max: usize) -> String {
    let mut text: Vec<String> = ids.iter().take(max).map(|id| quote(&id.0)).collect();
    if ids.len() > max {
        text.push(format!("and {} more", ids.len() - max));
    }
    text.join(", ")
}

/// Why a school of the level is not among a group's candidates.
#[derive(Clone, Debug, PartialEq)]
enum Left {
    Rule(Ineligible),
    /// Already the district's hub of the other level.
    Taken(HubLevel),
}

/// The schools of a level that are not candidates, grouped by reason and
/// counted, in the order of the checks: "4 excluded by exclude_if
/// highland, 1 has fewer than 120 students".
fn left_out_counts(reasons: &[Left], config: &Config) -> String {
    let mut groups: Vec<((u8, usize), String)> = Vec::new();
    let mut seen: Vec<&Left> = Vec::new();
    for r in reasons {
        if seen.contains(&r) {
            continue;
        }
        seen.push(r);
        let n = reasons.iter().filter(|x| *x == r).count();
        groups.push(match r {
            Left::Rule(why) => (why.order(config), why.counted(n)),
            Left::Taken(other) => (
                (6, 0),
                format!(
                    "{n} already {} the district's {} hub",
                    if n == 1 { "is" } else { "are" },
                    other.as_str()
                ),
            ),
        });
    }
    groups.sort();
    groups
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why no candidate reaches a school.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cause {
    OffNetwork,
    Island,
    BeyondCutoff,
}

/// Chooses the hubs of one district, level by level: a school chosen for
/// one level is no candidate for the other.
pub fn select_district(
    view: DistrictView<'_>,
    config: &Config,
    weighting: Weighting,
) -> DistrictSelection {
    let mut out = DistrictSelection::default();
    let mut taken: Vec<(usize, HubLevel)> = Vec::new();
    for level in HubLevel::ALL {
        let k = config.hubs_for(level);
        if k == 0 {
            continue;
        }
        let group = group_of(view, level, k, &taken, config);
        if group.rows.len() < k {
            out.shortfalls.push(shortfall(view, &group, &taken, config));
        }
        if group.rows.is_empty() {
            continue;
        }
        for (c, explain) in select_group(view, &group, config, weighting, &mut out) {
            out.hubs.push((c, level, explain));
            taken.push((c, level));
        }
    }
    out
}

/// The schools of `level` in the district and its candidates: eligible
/// for the level and not already a hub of the other one.
fn group_of(
    view: DistrictView<'_>,
    level: HubLevel,
    k: usize,
    taken: &[(usize, HubLevel)],
    config: &Config,
) -> Group {
    let demand: Vec<usize> = (0..view.members.len())
        .filter(|&i| view.school(i).level.serves(level))
        .collect();
    let rows: Vec<(usize, usize)> = view
        .matrix
        .candidates
        .iter()
        .enumerate()
        .filter(|(_, &c)| {
            !taken.iter().any(|t| t.0 == c) && view.ineligible(c, level, config).is_none()
        })
        .map(|(row, &c)| (row, c))
        .collect();
    Group {
        level,
        k,
        demand,
        rows,
    }
}

/// The problem of a group as the strategies see it, before demand no
/// candidate reaches is left out and before the candidates are scored.
fn level_problem(
    view: DistrictView<'_>,
    group: &Group,
    config: &Config,
    weights: &[f64],
) -> LevelProblem {
    let demand = &group.demand;
    let minutes: Vec<f64> = group
        .rows
        .iter()
        .flat_map(|&(row, _)| {
            demand
                .iter()
                .map(move |&i| view.matrix.seconds(row, i) / 60.0)
        })
        .collect();
    // Only the `central` baseline measures crow-flies metres: the other
    // strategies (a weight change re-selects with them) skip the
    // trigonometry.
    let straight_m: Vec<f64> = group
        .rows
        .iter()
        .filter(|_| config.strategy == StrategyKind::Central)
        .flat_map(|&(_, c)| {
            let a = view.school(c);
            demand.iter().map(move |&i| {
                let b = view.school(i);
                Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat))
            })
        })
        .collect();
    let forced: Vec<usize> = group
        .rows
        .iter()
        .enumerate()
        .filter(|(_, &(_, c))| config.required_hubs.contains(&view.school(c).id))
        .map(|(p, _)| p)
        .collect();
    LevelProblem {
        k: group.k,
        candidates: group
            .rows
            .iter()
            .map(|&(_, c)| {
                let school = view.school(c);
                Candidate {
                    score: 0.0,
                    students: school.students.unwrap_or(0.0),
                    lottery: lottery(config.seed, &school.id),
                }
            })
            .collect(),
        forced,
        demand: weights.to_vec(),
        minutes,
        straight_m,
        limit_min: config.max_travel_min,
        penalty_min: config.search_cutoff_min,
    }
}

/// The raw value of every criterion for every candidate of `problem`: a
/// school field, or an access measure of its travel minutes.
fn criterion_values(
    view: DistrictView<'_>,
    group: &Group,
    problem: &LevelProblem,
    config: &Config,
) -> Vec<Vec<f64>> {
    let d = problem.demand.len();
    group
        .rows
        .iter()
        .enumerate()
        .map(|(r, &(_, c))| {
            let school = view.school(c);
            config
                .criteria
                .iter()
                .map(|cr| match &cr.measure {
                    Measure::Field(f) => cr.transform.apply(school.field(f).unwrap_or(0.0)),
                    Measure::Access(m) => cr.transform.apply(score::access(
                        *m,
                        &problem.minutes[r * d..(r + 1) * d],
                        &problem.demand,
                        problem.limit_min,
                        problem.penalty_min,
                    )),
                })
                .collect()
        })
        .collect()
}

/// Scores and solves one group; records what no candidate reaches and
/// the access pairs in `out`, and returns each chosen hub (local index)
/// with why.
fn select_group(
    view: DistrictView<'_>,
    group: &Group,
    config: &Config,
    weighting: Weighting,
    out: &mut DistrictSelection,
) -> Vec<(usize, HubExplain)> {
    let weights: Vec<f64> = group
        .demand
        .iter()
        .map(|&i| weighting.weight(view.school(i).students))
        .collect();
    let full = level_problem(view, group, config, &weights);
    // Demand no candidate reaches is left out of the access criteria
    // and the objectives alike, and reported.
    let (compared, left_out) = full.for_comparison();
    let mut problem = compared.into_owned();
    if !left_out.is_empty() {
        out.unreachable
            .push(unreachable(view, group, &left_out, config));
    }
    let kept: Vec<usize> = (0..group.demand.len())
        .filter(|j| !left_out.contains(j))
        .collect();
    let raw = criterion_values(view, group, &problem, config);
    let scored = score::score(config, &raw);
    let mut ranked: Vec<(usize, f64)> = group
        .rows
        .iter()
        .zip(&scored)
        .map(|(&(_, c), sc)| (c, sc.score))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out.ranked.push((group.level, ranked));
    for (candidate, sc) in problem.candidates.iter_mut().zip(&scored) {
        candidate.score = sc.score;
    }
    let strategy = select::strategy(config.strategy);
    let choice = select::solve(strategy, &problem);
    if !choice.chosen.is_empty() {
        let nearest = problem.nearest(&choice.chosen);
        out.access_pairs
            .extend(nearest.into_iter().zip(kept.iter().map(|&j| weights[j])));
    }
    let unit = margin_unit(config.strategy, strategy.unit(), weighting);
    (0..choice.chosen.len())
        .map(|j| {
            let pos = choice.chosen[j];
            let mut explain = explain(group, &problem, &choice, &scored, j, unit, config);
            explain.runner_up = explain.runner_up.map(|local| view.members[local]);
            (group.rows[pos].1, explain)
        })
        .collect()
}

/// Why the `j`-th chosen candidate of `choice`: its score and rank, the
/// runner-up and margin, and for the score strategy how stable it is.
fn explain(
    group: &Group,
    problem: &LevelProblem,
    choice: &Choice,
    scored: &[score::Scored],
    j: usize,
    margin_unit: &'static str,
    config: &Config,
) -> HubExplain {
    let pos = choice.chosen[j];
    let score = scored[pos].score;
    let rank = 1 + scored.iter().filter(|s| s.score > score + 1e-12).count();
    let runner = choice.runner_up[j].as_ref();
    let forced = problem.forced.contains(&pos);
    HubExplain {
        score,
        parts: config
            .criteria
            .iter()
            .zip(&scored[pos].parts)
            .map(|(cr, v)| (cr.key(), *v))
            .collect(),
        rank,
        candidates: group.rows.len(),
        runner_up: runner.map(|r| group.rows[r.candidate].1),
        margin: runner.map_or(0.0, |r| r.margin),
        margin_unit,
        forced,
        exact: choice.exact,
        gap: choice.gap(),
        stability: if config.strategy == StrategyKind::Score && !forced {
            stability(scored, pos, &choice.chosen, config)
        } else {
            None
        },
    }
}

/// Stability of a score choice: the smallest single-weight change that
/// lets any unchosen candidate catch the hub at `pos` up.
fn stability(
    scored: &[score::Scored],
    pos: usize,
    chosen: &[usize],
    config: &Config,
) -> Option<(String, f64)> {
    let weights: Vec<f64> = config.criteria.iter().map(|c| c.weight).collect();
    (0..scored.len())
        .filter(|o| !chosen.contains(o))
        .filter_map(|o| {
            score::weight_flip(&weights, &scored[pos].normalized, &scored[o].normalized)
        })
        .min_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .map(|(k, delta)| (config.criteria[k].key(), delta))
}

/// The shortfall of a level with fewer candidates (`rows`) than the `k`
/// hubs asked, naming the district and what kept its schools out.
fn shortfall(
    view: DistrictView<'_>,
    group: &Group,
    taken: &[(usize, HubLevel)],
    config: &Config,
) -> Shortfall {
    let Group {
        level,
        k,
        demand,
        rows,
    } = group;
    let (level, k, code) = (*level, *k, view.code);
    let name = level.as_str();
    let n = demand.len();
    let reasons: Vec<Left> = demand
        .iter()
        .filter(|i| !rows.iter().any(|r| r.1 == **i))
        .filter_map(|&i| match taken.iter().find(|t| t.0 == i) {
            Some(&(_, other)) => Some(Left::Taken(other)),
            None => view.ineligible(i, level, config).map(Left::Rule),
        })
        .collect();
    let counts = left_out_counts(&reasons, config);
    let schools_of = |n: usize| {
        if n == 1 {
            format!("1 {name} school")
        } else {
            format!("{n} {name} schools")
        }
    };
    let reason = if n == 0 {
        format!("district {code}, {name}: the district has no {name} school")
    } else if rows.is_empty() {
        let none = if n == 1 {
            format!("its only {name} school is not a candidate")
        } else {
            format!("none of its {n} {name} schools is a candidate")
        };
        format!("district {code}, {name}: {none}: {counts}")
    } else {
        let of = if counts.is_empty() {
            format!("{}, all eligible", schools_of(n))
        } else {
            format!("{}: {counts}", schools_of(n))
        };
        format!(
            "district {code}, {name}: only {} eligible candidate{} for {k} hubs (of {of})",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        )
    };
    Shortfall {
        district: code.clone(),
        level,
        wanted: k,
        chosen: rows.len().min(k),
        reason,
    }
}

/// The report of the demand no candidate of a group reaches (`left_out`,
/// positions in `demand`), with each school's cause.
fn unreachable(
    view: DistrictView<'_>,
    group: &Group,
    left_out: &[usize],
    config: &Config,
) -> Unreachable {
    let (demand, rows, level, code) = (&group.demand, &group.rows, group.level, view.code);
    let (schools, members, component) = (view.schools, view.members, view.component);
    let candidate_components: Vec<u32> = rows
        .iter()
        .filter_map(|&(_, c)| component.get(members[c]).copied().flatten())
        .collect();
    let mut found: Vec<(&SchoolId, Cause)> = left_out
        .iter()
        .filter_map(|&j| demand.get(j))
        .map(|&i| {
            let g = members[i];
            let cause = match component.get(g).copied().flatten() {
                None => Cause::OffNetwork,
                Some(c) if !candidate_components.contains(&c) => Cause::Island,
                Some(_) => Cause::BeyondCutoff,
            };
            (&schools[g].school.id, cause)
        })
        .collect();
    found.sort();
    let name = level.as_str();
    let mut parts = Vec::new();
    let mut count = |cause: Cause, text: String| {
        let ids: Vec<&SchoolId> = found.iter().filter(|f| f.1 == cause).map(|f| f.0).collect();
        if !ids.is_empty() {
            parts.push(format!("{} {text} ({})", ids.len(), listed(&ids, 5)));
        }
        ids.len()
    };
    let off_network = count(
        Cause::OffNetwork,
        format!(
            "farther than max_snap_m ({} m) from every road",
            config.max_snap_m
        ),
    );
    let island = count(
        Cause::Island,
        "on a road island that no candidate is on".to_string(),
    );
    let beyond_cutoff = count(
        Cause::BeyondCutoff,
        format!(
            "beyond the search cutoff ({} min) from every candidate",
            config.search_cutoff_min
        ),
    );
    Unreachable {
        district: code.clone(),
        level,
        schools: found.iter().map(|f| f.0.clone()).collect(),
        of: demand.len(),
        off_network,
        island,
        beyond_cutoff,
        reason: format!(
            "district {code}, {name}: no candidate reaches {} of its {} {name} school{}, left out when comparing hubs: {}",
            found.len(),
            demand.len(),
            if demand.len() == 1 { "" } else { "s" },
            parts.join(", ")
        ),
    }
}

/// The unit of a margin: the strategy's, with "students" read as
/// "schools" where the objective weighs schools (p-median, max-cover) and
/// the run weighs by schools.
pub(crate) fn margin_unit(kind: StrategyKind, unit: &'static str, weighting: Weighting) -> &'static str {
    match (weighting, kind) {
        (Weighting::Schools, StrategyKind::PMedian) => "school-minutes",
        (Weighting::Schools, StrategyKind::MaxCover) => "schools",
        _ => unit,
    }
}

/// A stable number in [0, 1) from the seed and an id (SplitMix64 over
/// FNV-1a), for the `random` strategy.
pub(crate) fn lottery(seed: u64, id: &SchoolId) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.0.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = h ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}
