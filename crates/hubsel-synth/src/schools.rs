//! Schools: one per village, set a little off the road, plus a few remote
//! highland schools far from any road; then their levels, sizes and
//! facilities.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::geom::{inside_with_margin, offset_m, rounded6, LonLat};
use super::names::NameBook;
use super::plan::{DistrictPlan, ProvincePlan, Role};
use super::province::Province;
use super::roads::RoadIndex;
use super::{province_stream, SchoolLevel, SynthSchool};

/// A school stands this far (metres) from its village's road vertex.
const OFFSET_FROM_VILLAGE_M: std::ops::Range<f64> = 20.0..250.0;
/// The distance to the nearest road a village school should have.
const NEAR_ROAD_M: std::ops::RangeInclusive<f64> = 10.0..=300.0;
/// The distance to the nearest road a remote school must have.
const REMOTE_ROAD_M: std::ops::RangeInclusive<f64> = 1_100.0..=2_900.0;
/// A school is at least this far inside its district's boundary, so that
/// it is strictly inside whatever point-in-polygon rule a reader uses.
const BOUNDARY_CLEARANCE_M: f64 = 5.0;
/// The student count of the small-secondary district's secondary-capable
/// schools stays below this.
const SMALL_SECONDARY_LIMIT: u32 = 120;
/// Elsewhere each district has a secondary-capable and a primary-capable
/// school of at least this many students.
const LARGE_SCHOOL: u32 = 150;
/// Shares of secondary and both-level schools per district.
const SECONDARY_SHARE: f64 = 0.15;
const BOTH_SHARE: f64 = 0.20;

/// Stream number of a district's schools, plus the district number (see
/// [`super::stream`]).
const STREAM_SCHOOLS: u64 = 300;

/// One school before its attributes are drawn.
#[derive(Clone, Debug)]
struct Site {
    position: LonLat,
    village: String,
    role: Role,
    remote: bool,
    road_m: f64,
}

/// All schools of a province, sorted by id.
pub fn schools(
    province: &Province,
    plan: &ProvincePlan,
    roads: &RoadIndex,
    seed: u64,
    names: &mut NameBook,
) -> Vec<SynthSchool> {
    let mut all = Vec::new();
    for district in &plan.districts {
        let mut rng = province_stream(
            seed,
            province.code,
            STREAM_SCHOOLS + u64::from(district.number),
        );
        let sites = sites(province, district, roads, names, &mut rng);
        all.extend(district_schools(province, district, sites, &mut rng));
    }
    all.sort_by_key(|s| s.id);
    all
}

fn sites(
    province: &Province,
    district: &DistrictPlan,
    roads: &RoadIndex,
    names: &mut NameBook,
    rng: &mut ChaCha8Rng,
) -> Vec<Site> {
    let mut sites: Vec<Site> = district
        .villages
        .iter()
        .filter(|v| v.school)
        .map(|v| {
            let (position, road_m) = near_road(v.position, &district.ring, roads, rng);
            Site {
                position,
                village: v.name.clone(),
                role: v.role,
                remote: false,
                road_m,
            }
        })
        .collect();
    for _ in 0..district.remote_schools {
        let site = match remote_site(province, &district.ring, roads, rng) {
            Some((position, road_m)) => Site {
                position,
                village: names.village(true, rng),
                role: Role::Village,
                remote: true,
                road_m,
            },
            // No spot far enough from every road: the school joins a village.
            None => {
                let v = &district.villages[rng.random_range(0..district.villages.len())];
                // Any settlement will do, hamlets included: it is on a road.
                let (position, road_m) = near_road(v.position, &district.ring, roads, rng);
                Site {
                    position,
                    village: names.village(true, rng),
                    role: Role::Village,
                    remote: false,
                    road_m,
                }
            }
        };
        sites.push(site);
    }
    // Ids follow this order; real registers number schools with no regard
    // to size or level, so neither should the sequence here.
    sites.shuffle(rng);
    sites
}

/// A spot a short walk from `village`, off the road but near it, inside
/// the district.
fn near_road(
    village: LonLat,
    ring: &[LonLat],
    roads: &RoadIndex,
    rng: &mut ChaCha8Rng,
) -> (LonLat, f64) {
    let mut fallback = None;
    for attempt in 0..120 {
        // Widen the search if the first tries all land on or far off roads.
        let reach = if attempt < 60 {
            OFFSET_FROM_VILLAGE_M
        } else {
            10.0..600.0
        };
        let (angle, distance) = (
            rng.random_range(0.0..std::f64::consts::TAU),
            rng.random_range(reach),
        );
        let p = rounded6(offset_m(
            village,
            distance * angle.cos(),
            distance * angle.sin(),
        ));
        if !inside_with_margin(ring, p, BOUNDARY_CLEARANCE_M) {
            continue;
        }
        let road_m = roads.nearest_m(p, 1_000.0).unwrap_or(1_000.0);
        if NEAR_ROAD_M.contains(&road_m) {
            return (p, road_m);
        }
        fallback.get_or_insert((p, road_m));
    }
    // Villages keep well clear of boundaries, so some try was inside.
    fallback.unwrap_or_else(|| (rounded6(village), 0.0))
}

/// A highland spot 1–3 km from the nearest road, if one is found.
fn remote_site(
    province: &Province,
    ring: &[LonLat],
    roads: &RoadIndex,
    rng: &mut ChaCha8Rng,
) -> Option<(LonLat, f64)> {
    let (min, max) = ring.iter().fold(
        ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
        |(lo, hi), p| {
            (
                [lo[0].min(p[0]), lo[1].min(p[1])],
                [hi[0].max(p[0]), hi[1].max(p[1])],
            )
        },
    );
    for _ in 0..5_000 {
        let p = rounded6([
            rng.random_range(min[0]..max[0]),
            rng.random_range(min[1]..max[1]),
        ]);
        if !province.terrain.is_highland(p) || !inside_with_margin(ring, p, 300.0) {
            continue;
        }
        if let Some(road_m) = roads.nearest_m(p, *REMOTE_ROAD_M.end()) {
            if REMOTE_ROAD_M.contains(&road_m) {
                return Some((p, road_m));
            }
        }
    }
    None
}

/// Levels, sizes, staff and facilities of one district's schools.
fn district_schools(
    province: &Province,
    district: &DistrictPlan,
    sites: Vec<Site>,
    rng: &mut ChaCha8Rng,
) -> Vec<SynthSchool> {
    let levels = levels(&sites, rng);
    let capital = district.number == province.capital;
    let code = province.district_code(district.number);
    let district_th = province
        .label(district.number)
        .map_or("", |d| d.name_th.as_str());
    let id_base =
        province.code.parse::<u32>().unwrap_or(0) * 1_000_000 + u32::from(district.number) * 10_000;
    let mut schools: Vec<SynthSchool> = sites
        .iter()
        .zip(&levels)
        .enumerate()
        .map(|(k, (site, &level))| {
            let highland = province.terrain.is_highland(site.position);
            let students = students(
                level,
                site,
                highland,
                capital,
                province.village_enrolment,
                rng,
            );
            let name = school_name(level, site, highland, district_th, rng);
            let mut school = SynthSchool {
                id: id_base + k as u32 + 1,
                name,
                lon: site.position[0],
                lat: site.position[1],
                district: code.clone(),
                level,
                students,
                teachers: 0,
                classrooms: 0,
                land_rai: 0.0,
                internet: false,
                electricity: false,
                water: false,
                ict_teachers: 0,
                language_teachers: 0,
                labs: 0,
                highland,
                road_m: site.road_m,
            };
            facilities(&mut school, site.remote, rng);
            school
        })
        .collect();
    if province.small_secondary_district == Some(district.number) {
        for school in schools.iter_mut().filter(|s| s.level.teaches_secondary()) {
            if school.students >= SMALL_SECONDARY_LIMIT {
                school.students = rng.random_range(40..SMALL_SECONDARY_LIMIT);
            }
        }
    } else {
        ensure_large(&mut schools, SchoolLevel::teaches_secondary, rng);
        ensure_large(&mut schools, SchoolLevel::teaches_primary, rng);
    }
    // Staff and rooms follow the final student counts.
    for school in &mut schools {
        staff(school, rng);
    }
    schools
}

/// Per-district quotas of secondary and both-level schools (rounded at
/// random so the province's shares come out right on average). The seat
/// school always teaches secondary; other secondary schools go to
/// sub-centres first; remote schools are primary.
fn levels(sites: &[Site], rng: &mut ChaCha8Rng) -> Vec<SchoolLevel> {
    let n = sites.len() as f64;
    let mut secondary = (SECONDARY_SHARE * n + rng.random::<f64>()).floor() as usize;
    let both = (BOTH_SHARE * n + rng.random::<f64>()).floor() as usize;
    if secondary + both == 0 {
        secondary = 1;
    }
    let mut levels = vec![SchoolLevel::Primary; sites.len()];
    let mut open: Vec<usize> = (0..sites.len())
        .filter(|&i| !sites[i].remote && sites[i].role != Role::Seat)
        .collect();
    open.shuffle(rng);
    // Sub-centres first: the sort is stable, so the shuffle orders the rest.
    open.sort_by_key(|&i| sites[i].role != Role::SubCentre);
    let seat = sites.iter().position(|s| s.role == Role::Seat);
    let mut secondary_slots = seat.into_iter().chain(open.iter().copied());
    if secondary == 0 {
        if let Some(i) = secondary_slots.next() {
            levels[i] = SchoolLevel::Both;
        }
    }
    for i in secondary_slots.by_ref().take(secondary) {
        levels[i] = SchoolLevel::Secondary;
    }
    let mut rest: Vec<usize> = secondary_slots.collect();
    rest.shuffle(rng);
    let already_both = levels.iter().filter(|l| **l == SchoolLevel::Both).count();
    for &i in rest.iter().take(both.saturating_sub(already_both)) {
        levels[i] = SchoolLevel::Both;
    }
    levels
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Enrolment: log-normal around a median for the level, larger in towns
/// and the capital, smaller in the hills and off the road; village
/// schools scaled by `village_enrolment`.
fn students(
    level: SchoolLevel,
    site: &Site,
    highland: bool,
    capital: bool,
    village_enrolment: f64,
    rng: &mut ChaCha8Rng,
) -> u32 {
    let (median, sigma, low, high) = match level {
        SchoolLevel::Primary => (105.0, 0.7, 12.0, 1_500.0),
        SchoolLevel::Both => (200.0, 0.55, 25.0, 1_800.0),
        SchoolLevel::Secondary => (600.0, 0.6, 60.0, 2_000.0),
    };
    let place = match site.role {
        Role::Seat => 1.8,
        Role::SubCentre => 1.3,
        Role::Village => village_enrolment,
    };
    let terrain = if site.remote {
        0.4
    } else if highland {
        0.6
    } else {
        1.0
    };
    let city = if capital { 1.3 } else { 1.0 };
    let drawn = median * place * terrain * city * (sigma * normal(rng)).exp();
    if capital && site.role == Role::Seat && level == SchoolLevel::Secondary {
        // The big city school, the largest of the province.
        return rng.random_range(2_200..=3_000);
    }
    drawn.clamp(low, high).round() as u32
}

/// Makes sure some school that passes `capable` has at least
/// [`LARGE_SCHOOL`] students, enlarging the biggest one if needed.
fn ensure_large(
    schools: &mut [SynthSchool],
    capable: fn(SchoolLevel) -> bool,
    rng: &mut ChaCha8Rng,
) {
    let biggest = schools
        .iter_mut()
        .filter(|s| capable(s.level))
        .max_by_key(|s| (s.students, std::cmp::Reverse(s.id)));
    if let Some(school) = biggest {
        if school.students < LARGE_SCHOOL {
            school.students = rng.random_range(LARGE_SCHOOL..2 * LARGE_SCHOOL);
        }
    }
}

fn school_name(
    level: SchoolLevel,
    site: &Site,
    highland: bool,
    district_th: &str,
    rng: &mut ChaCha8Rng,
) -> String {
    match (level, site.role) {
        (SchoolLevel::Secondary, Role::Seat) => format!("โรงเรียน{district_th}วิทยาคม"),
        (SchoolLevel::Secondary, _) => format!("โรงเรียน{}วิทยา", site.village),
        // Lowland primary schools are often temple schools.
        (SchoolLevel::Primary, _) if !highland && rng.random_bool(0.35) => {
            format!("โรงเรียนวัด{}", site.village)
        }
        _ => format!("โรงเรียนบ้าน{}", site.village),
    }
}

/// Land and utilities: poorer in the hills, poorest off the road.
fn facilities(school: &mut SynthSchool, remote: bool, rng: &mut ChaCha8Rng) {
    let land_median = match school.level {
        SchoolLevel::Primary => 12.0,
        SchoolLevel::Both => 20.0,
        SchoolLevel::Secondary => 35.0,
    };
    school.land_rai =
        ((land_median * (0.5 * normal(rng)).exp()).clamp(1.5, 150.0) * 10.0).round() / 10.0;
    let (internet, electricity, water) = match (remote, school.highland) {
        (true, _) => (0.35, 0.5, 0.6),
        (false, true) => (0.72, 0.88, 0.8),
        (false, false) => (0.96, 0.995, 0.97),
    };
    school.internet = rng.random_bool(internet);
    school.electricity = rng.random_bool(electricity);
    school.water = rng.random_bool(water);
}

/// Teachers about one per 18 students, rooms about one per 25, specialist
/// teachers and labs growing with size.
fn staff(school: &mut SynthSchool, rng: &mut ChaCha8Rng) {
    let students = f64::from(school.students);
    // Noise clipped to ±2.5 standard deviations: no absurd staff numbers.
    let mut noise = || normal(rng).clamp(-2.5, 2.5);
    school.teachers = (students / 18.0 + noise()).round().max(2.0) as u32;
    school.classrooms = (students / 25.0 + 1.0 + noise()).round().max(3.0) as u32;
    let teachers = f64::from(school.teachers);
    let ict = if school.internet {
        teachers / 15.0 + rng.random::<f64>()
    } else {
        rng.random::<f64>() * 0.6
    };
    school.ict_teachers = (ict.floor() as u32).min(4);
    let language_base = match school.level {
        SchoolLevel::Primary => teachers / 10.0,
        SchoolLevel::Both | SchoolLevel::Secondary => teachers / 7.0,
    };
    school.language_teachers = ((language_base + rng.random::<f64>()).floor() as u32).min(8);
    let labs = match school.level {
        SchoolLevel::Primary => students / 400.0 + rng.random::<f64>() * 0.8,
        SchoolLevel::Both => students / 300.0 + rng.random::<f64>() * 1.2,
        SchoolLevel::Secondary => 1.0 + students / 400.0 + rng.random::<f64>() * 1.5,
    };
    school.labs = (labs.floor() as u32).min(6);
}
