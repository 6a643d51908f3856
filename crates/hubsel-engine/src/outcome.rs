//! What a run produces: one outcome per input school, the chosen hubs
//! and why, the members' routes, each district's figures and the run's
//! access figures ([`RunResult`]), and what `hubsel validate` reports
//! ([`CheckReport`]). These are the types the writers (`output`),
//! `compare` and `bench` read; the stages before them fill them in.
//!
//! The district and access figures are weighted as the run weighs
//! ([`Weighting`]) through [`crate::figures`], the one definition the
//! score's access criteria use too.

use std::collections::BTreeMap;
use std::time::Duration;

use geo::Coord;

use crate::figures;
use crate::model::{
    District, DistrictCode, HubLevel, Level, Reason, Rejects, SchoolId, Weighting,
};
use crate::progress::Stage;
use crate::scenario::Config;

/// A school's part in the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Hub,
    Member,
    StandAlone,
    Rejected,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hub => "hub",
            Role::Member => "member",
            Role::StandAlone => "stand-alone",
            Role::Rejected => "rejected",
        }
    }
}

/// One input school in the result (every input row appears once).
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolOutcome {
    pub id: SchoolId,
    pub name: String,
    pub district: Option<DistrictCode>,
    pub level: Option<Level>,
    /// Enrolment, `None` when unknown.
    pub students: Option<f64>,
    pub lon_lat: Option<(f64, f64)>,
    pub role: Role,
    /// For hubs, the level they serve; for members, their hub's level.
    pub hub_level: Option<HubLevel>,
    /// The hub a member joins (a hub names itself).
    pub hub_id: Option<SchoolId>,
    /// Door-to-door minutes to the hub (members; 0 for hubs).
    pub travel_min: Option<f64>,
    /// Road kilometres of the member's route.
    pub road_km: Option<f64>,
    /// A member that joined a hub already at capacity.
    pub over_capacity: bool,
    /// Metres from the school to its snap point on the road.
    pub offroad_m: Option<f64>,
    /// Why a school stands alone, is refused, or joined a full hub.
    pub reason: Option<Reason>,
}

impl SchoolOutcome {
    /// The reason in English, `""` when there is none: the layers'
    /// `reason` field.
    pub fn reason_en(&self) -> String {
        self.reason.as_ref().map(Reason::en).unwrap_or_default()
    }
}

/// A chosen hub and why.
#[derive(Clone, Debug, PartialEq)]
pub struct HubOutcome {
    pub id: SchoolId,
    pub name: String,
    pub district: DistrictCode,
    pub level: HubLevel,
    pub lon: f64,
    pub lat: f64,
    /// Enrolment of the hub school, `None` when unknown.
    pub students: Option<f64>,
    /// Policy score (computed for every strategy, so runs compare).
    pub score: f64,
    /// Weighted score parts by criterion key; they sum to `score`.
    pub parts: Vec<(String, f64)>,
    /// Rank of the hub by score among its group's candidates (1 = best).
    pub rank: usize,
    pub candidates: usize,
    pub runner_up: Option<SchoolId>,
    pub runner_up_name: String,
    /// How much worse the strategy's objective gets if the runner-up
    /// replaces this hub, in `margin_unit`.
    pub margin: f64,
    pub margin_unit: &'static str,
    /// A required hub from the scenario.
    pub forced: bool,
    /// The group's choice is proven optimal for the strategy.
    pub exact: bool,
    /// At most this fraction worse than the optimum (0 when exact; `None`
    /// for a heuristic choice of a strategy without a lower bound).
    pub gap: Option<f64>,
    /// For the score strategy: the criterion whose weight, changed by the
    /// given amount (in the scenario's weight units), would let another
    /// candidate tie this hub — the smallest such change of one weight.
    pub stability: Option<(String, f64)>,
    pub members: usize,
    /// Own students plus members' students (the known counts); `None`
    /// when none of them has a count.
    pub students_served: Option<f64>,
    /// Students the hub can serve, under the scenario's capacity rule.
    pub capacity: Option<f64>,
    /// Members that joined although the hub was full.
    pub over_capacity: usize,
}

/// A member's road path to its hub.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteOutcome {
    pub school: SchoolId,
    pub hub: SchoolId,
    pub district: DistrictCode,
    pub level: HubLevel,
    pub travel_min: f64,
    pub road_km: f64,
    /// From the school's snap point to the hub's, along the roads.
    pub coords: Vec<Coord<f64>>,
}

/// A district's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct DistrictOutcome {
    pub code: DistrictCode,
    pub name: String,
    pub hubs_primary: usize,
    pub hubs_secondary: usize,
    pub schools: usize,
    /// Students of the district's schools (the known counts); `None` when
    /// none has a count.
    pub students: Option<f64>,
    pub members: usize,
    pub standalone: usize,
    /// Weighted (by [`RunResult::weighting`]) mean, 95th percentile and
    /// maximum door-to-door minutes of the members (0 when there are none).
    pub mean_min: f64,
    pub p95_min: f64,
    pub max_min: f64,
    /// Share of the district's weight (students, or schools) at a hub or a
    /// member within the limit.
    pub share_within: f64,
    /// Levels with fewer hubs than asked, and why.
    pub shortfalls: Vec<Shortfall>,
    /// Per level that has candidates, the schools no candidate reaches by
    /// road: left out when hubs were compared, counted here by cause.
    pub unreachable: Vec<Unreachable>,
    /// Per level with candidates, the candidates ranked by policy score
    /// (best first), whether or not the strategy chose by it: why one
    /// school and not another, in a planner's terms.
    pub ranked: Vec<RankedLevel>,
}

/// A district's candidates of one level, best policy score first.
#[derive(Clone, Debug, PartialEq)]
pub struct RankedLevel {
    pub level: HubLevel,
    pub candidates: Vec<RankedCandidate>,
}

/// A candidate hub and its policy score.
#[derive(Clone, Debug, PartialEq)]
pub struct RankedCandidate {
    pub id: SchoolId,
    pub name: String,
    pub score: f64,
    /// Chosen as a hub of this level.
    pub hub: bool,
}

/// A district and level that got fewer hubs than the scenario asks.
#[derive(Clone, Debug, PartialEq)]
pub struct Shortfall {
    pub district: DistrictCode,
    pub level: HubLevel,
    pub wanted: usize,
    pub chosen: usize,
    pub reason: String,
}

/// Schools of a district and level that no candidate hub reaches by road
/// (within the search cutoff). Every choice of hubs would leave them
/// unreached alike, so the objectives and the access criteria leave them
/// out (else p-center's worst trip and `acc_max` would read the cutoff for
/// every choice); they are counted here instead, and in the run's
/// [`AccessFigures::unreachable`]. No hub of their district reaches them,
/// so they are stand-alone unless cross-district allocation finds them a
/// hub of another district.
#[derive(Clone, Debug, PartialEq)]
pub struct Unreachable {
    pub district: DistrictCode,
    pub level: HubLevel,
    /// The schools, in id order.
    pub schools: Vec<SchoolId>,
    /// Schools of the level in the district.
    pub of: usize,
    /// Of `schools`: farther than `max_snap_m` from every road.
    pub off_network: usize,
    /// On a road network (an island) that no candidate is on.
    pub island: usize,
    /// On a candidate's road network but beyond the search cutoff (or
    /// against one-way roads) from every candidate.
    pub beyond_cutoff: usize,
    /// In words, for a planner: "district 9901, primary: no candidate
    /// reaches 1 of its 5 primary schools, …".
    pub reason: String,
}

/// Timings and sizes, for `bench` and the terminal; never written to the
/// outputs (they would break byte-identical reruns).
#[derive(Clone, Debug, Default)]
pub struct RunStats {
    pub stages: Vec<(Stage, Duration)>,
    pub graph_nodes: usize,
    pub graph_links: usize,
    pub components: usize,
    pub searches: usize,
    pub settled_nodes: u64,
}

/// Everything a run produces.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub config: Config,
    pub districts: Vec<District>,
    pub district_outcomes: Vec<DistrictOutcome>,
    pub schools: Vec<SchoolOutcome>,
    pub hubs: Vec<HubOutcome>,
    pub routes: Vec<RouteOutcome>,
    pub rejects: Rejects,
    /// What the figures and objectives weigh schools by.
    pub weighting: Weighting,
    /// Why, in words ("the schools have no student count: …").
    pub weighting_note: String,
    /// Notes on the inputs as a whole, for the console, summary and report.
    pub notes: Vec<String>,
    /// How near the chosen hubs are to the schools they are for, counting
    /// every school of each level (also those beyond the limit) — the
    /// figures the location models optimise.
    pub access: AccessFigures,
    /// What allocation adds up to, when hubs have capacities.
    pub allocation: Option<AllocationTotals>,
    pub stats: RunStats,
}

/// What an allocation adds up to, for the summary and the report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AllocationTotals {
    /// The method that placed the members (`min-cost` only where hubs
    /// have capacities and full hubs send schools on).
    pub method: crate::scenario::Method,
    /// Students of members times their minutes to their hub.
    pub student_minutes: f64,
    /// Members' students that joined a hub already at capacity.
    pub students_over: f64,
    /// Students of the schools standing alone (no hub within the rules).
    pub students_alone: f64,
    /// With min-cost: the transportation optimum (students as flow, a
    /// school may be split), a lower bound on `student_minutes` when
    /// `bound_students_over` equals `students_over`.
    pub bound_student_minutes: Option<f64>,
    pub bound_students_over: Option<f64>,
    /// Schools the transportation optimum split between hubs (or over
    /// capacity in part), placed whole afterwards.
    pub split_schools: usize,
}

impl AllocationTotals {
    /// The totals in one line, for the console and the report.
    pub fn line(&self) -> String {
        let mut text = format!(
            "allocation ({}): {:.0} student-minutes; students over capacity: {}; students unassigned (stand-alone, reasons in schools): {}",
            self.method.name(),
            self.student_minutes,
            self.students_over,
            self.students_alone
        );
        if let (Some(b), Some(o)) = (self.bound_student_minutes, self.bound_students_over) {
            let gap = if o == self.students_over && b > 0.0 {
                format!(", gap {:.3}%", 100.0 * (self.student_minutes - b) / b)
            } else {
                String::new()
            };
            text.push_str(&format!(
                "; transportation optimum (students as flow): {b:.0} student-minutes, {o} over capacity, {} school(s) split{gap}",
                self.split_schools
            ));
        }
        text
    }

    /// The same totals in Thai, for the Thai report.
    pub fn line_th(&self) -> String {
        let mut text = format!(
            "การจัดสรร ({}): {:.0} นักเรียน-นาที; นักเรียนที่เกินความจุ: {}; นักเรียนที่ไม่ได้จัดสรร (โรงเรียนเดี่ยว ดูเหตุผลในชั้นข้อมูลโรงเรียน): {}",
            self.method.name(),
            self.student_minutes,
            self.students_over,
            self.students_alone
        );
        if let (Some(b), Some(o)) = (self.bound_student_minutes, self.bound_students_over) {
            let gap = if o == self.students_over && b > 0.0 {
                format!(" ส่วนต่าง {:.3}%", 100.0 * (self.student_minutes - b) / b)
            } else {
                String::new()
            };
            text.push_str(&format!(
                "; ค่าที่ดีที่สุดของปัญหาการขนส่ง (นับนักเรียนเป็นการไหล): {b:.0} นักเรียน-นาที เกินความจุ {o} คน แบ่งโรงเรียน {} แห่ง{gap}",
                self.split_schools
            ));
        }
        text
    }
}

impl RunResult {
    /// Everything worth telling the user about this run as a whole: how
    /// the scenario was fitted to the data ([`Config::notes`]), then the
    /// notes on the inputs.
    pub fn all_notes(&self) -> impl Iterator<Item = &String> {
        self.config.notes.iter().chain(&self.notes)
    }
}

/// Door-to-door minutes from every school to the nearest chosen hub of
/// each level it teaches (a `both` school counts once per level), in
/// districts and levels that got a hub, weighted as the run weighs
/// ([`RunResult::weighting`]; weights that sum to 0 count equally). The
/// figures are [`crate::figures::travel`]'s, the definitions the access
/// criteria of the score use ([`crate::score::access`]), so the two never
/// disagree.
///
/// Schools that no candidate of their group reaches are left out (no
/// choice could have served them) and counted in `unreachable`. Schools
/// that the chosen hubs leave unreached although another candidate would
/// reach them stay in, charged the search cutoff as the objectives charge
/// them, and are counted in `unreached`: a planner reading a mean pulled up
/// by the cutoff sees how many pairs did it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccessFigures {
    /// Weighted mean minutes: what p-median minimises.
    pub mean_min: f64,
    /// Weighted 95th percentile minutes.
    pub p95_min: f64,
    /// Worst minutes: what p-center minimises.
    pub max_min: f64,
    /// Weighted share within the limit: what max-cover maximises.
    pub share_within: f64,
    /// (school, level) pairs counted.
    pub pairs: usize,
    /// Of `pairs`, those no chosen hub reaches (charged the cutoff, never
    /// within the limit).
    pub unreached: usize,
    /// (school, level) pairs left out because no candidate of their
    /// district and level reaches them (see [`Unreachable`]).
    pub unreachable: usize,
}

impl AccessFigures {
    /// The figures of (minutes to the nearest chosen hub, weight) pairs,
    /// `f64::INFINITY` where no chosen hub reaches the school; the count of
    /// pairs left out is the caller's to set.
    pub fn of(pairs: &[(f64, f64)], limit_min: f64, penalty_min: f64) -> AccessFigures {
        use crate::figures::travel;
        AccessFigures {
            mean_min: travel::mean(pairs, penalty_min),
            p95_min: travel::quantile(pairs, 0.95, penalty_min),
            max_min: travel::max(pairs, penalty_min),
            share_within: travel::share_within(pairs, limit_min),
            pairs: pairs.len(),
            unreached: travel::unreached(pairs),
            unreachable: 0,
        }
    }
}

/// What `hubsel validate` reports: the inputs checked, no selection run.
#[derive(Clone, Debug)]
pub struct CheckReport {
    pub districts: usize,
    /// Schools read (placed plus refused).
    pub schools: usize,
    /// Schools that would take part in a run.
    pub placed: usize,
    pub rejects: Rejects,
    /// Notes on the scenario as applied to the data ([`Config::notes`])
    /// and on the inputs as a whole ([`crate::model::Inputs::notes`]).
    pub notes: Vec<String>,
    /// Names of the schools and districts by id, for `rejects.csv`.
    pub names: BTreeMap<String, String>,
    pub stats: RunStats,
}

impl CheckReport {
    /// `rejects.csv` as `hubsel validate` writes it (the same columns as a
    /// run's).
    pub fn rejects_csv(&self) -> String {
        self.rejects.to_csv(&self.names)
    }
}

impl DistrictOutcome {
    /// A district's figures from the outcomes of its schools: how many
    /// joined, how far the members travel (weighted as the run weighs) and
    /// what share is served; `hubs` are the levels of the hubs chosen in it.
    pub fn of(
        district: &District,
        schools: &[&SchoolOutcome],
        hubs: &[HubLevel],
        weighting: Weighting,
        shortfalls: Vec<Shortfall>,
        unreachable: Vec<Unreachable>,
    ) -> DistrictOutcome {
        let weight = |o: &SchoolOutcome| weighting.weight(o.students);
        let member_min: Vec<(f64, f64)> = schools
            .iter()
            .filter(|o| o.role == Role::Member)
            .filter_map(|o| o.travel_min.map(|m| (m, weight(o))))
            .collect();
        let joined: Vec<(bool, f64)> = schools
            .iter()
            .map(|o| (matches!(o.role, Role::Hub | Role::Member), weight(o)))
            .collect();
        let students: Option<f64> = schools
            .iter()
            .filter_map(|o| o.students)
            .fold(None, |acc, n| Some(acc.unwrap_or(0.0) + n));
        let count = |level: HubLevel| hubs.iter().filter(|&&l| l == level).count();
        DistrictOutcome {
            code: district.code.clone(),
            name: district.name.clone(),
            hubs_primary: count(HubLevel::Primary),
            hubs_secondary: count(HubLevel::Secondary),
            schools: schools.len(),
            students,
            members: schools.iter().filter(|o| o.role == Role::Member).count(),
            standalone: schools
                .iter()
                .filter(|o| o.role == Role::StandAlone)
                .count(),
            mean_min: figures::mean(&member_min),
            p95_min: figures::quantile(member_min.clone(), 0.95),
            max_min: figures::max(&member_min),
            share_within: figures::share(&joined),
            shortfalls,
            unreachable,
            ranked: Vec::new(),
        }
    }
}
