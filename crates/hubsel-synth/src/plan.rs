//! The layout of one province: district polygons, seats, the trunk roads
//! between seats, and district by district the villages and the roads
//! that reach them.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::districts::Tiling;
use super::geom::{
    distance_m, inside_with_margin, offset_m, ring_area_m2, ring_contains, ring_distance_m, LonLat,
};
use super::names::{self, NameBook};
use super::province::{Province, Terrain};
use super::roads::{Network, RoadLabel};
use super::{province_stream, RoadClass};

/// Fewest schools any district gets.
const MIN_SCHOOLS_PER_DISTRICT: usize = 8;
/// Schools per square kilometre of lowland relative to highland: valleys
/// hold most villages.
const VALLEY_DENSITY_RATIO: f64 = 20.0;
/// The capital district's extra weight in the school allocation.
const CAPITAL_WEIGHT: f64 = 2.0;
/// Villages keep this far from district boundaries, so a school placed
/// near its village stays well inside the district.
const VILLAGE_MARGIN_M: f64 = 700.0;
/// Seats keep this far from district boundaries.
const SEAT_MARGIN_M: f64 = 3_000.0;
/// The city grid: streets each way and their spacing.
const CITY_LINES: usize = 9;
const CITY_SPACING_M: f64 = 260.0;
/// Farthest a village looks for a road to join, in metres.
const MAX_LINK_M: f64 = 200_000.0;

/// Stream numbers within a province (see [`super::stream`]); 1 is the
/// tiling's.
const STREAM_SEATS: u64 = 2;
const STREAM_TRUNK: u64 = 3;
const STREAM_CITY: u64 = 4;
const STREAM_DISTRICT: u64 = 100;

/// What a village is to its district.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The district seat, the town where the main school is.
    Seat,
    /// A sub-district centre, reached by a secondary road (tertiary when
    /// it lies near an existing road).
    SubCentre,
    Village,
}

/// A settlement on the road network.
#[derive(Clone, Debug)]
pub struct Village {
    /// The road vertex the village stands at (rounded as the network's).
    pub position: LonLat,
    /// Its vertex in the network.
    pub node: u32,
    /// Thai name; empty for a hamlet.
    pub name: String,
    pub role: Role,
    /// Whether the village has a school; hamlets only add roads.
    pub school: bool,
}

#[derive(Clone, Debug)]
pub struct DistrictPlan {
    pub number: u8,
    /// Closed, counter-clockwise exterior ring.
    pub ring: Vec<LonLat>,
    pub seat: LonLat,
    /// Most of the district's area is highland.
    pub highland: bool,
    /// Seat first, then sub-centres, then villages and hamlets by distance
    /// from the seat.
    pub villages: Vec<Village>,
    /// Schools to place 1–3 km away from any road, besides the villages'.
    pub remote_schools: usize,
    /// Schools still to be placed on this district's road island; the
    /// island's villages join `villages` when it is built.
    pub island_schools: usize,
}

#[derive(Clone, Debug)]
pub struct ProvincePlan {
    /// Ordered by district number.
    pub districts: Vec<DistrictPlan>,
}

/// Lays out `province`, adding its roads to `network`.
pub fn lay_out(
    province: &Province,
    seed: u64,
    network: &mut Network,
    names: &mut NameBook,
) -> ProvincePlan {
    let rng = |local: u64| province_stream(seed, province.code, local);
    let tiling = &province.tiling;
    let valley_shares: Vec<f64> = tiling
        .cells
        .iter()
        .map(|c| valley_share(&province.terrain, &c.ring))
        .collect();
    let school_counts = allocate(
        province.school_count,
        &school_weights(province, &valley_shares),
        MIN_SCHOOLS_PER_DISTRICT,
    );
    let seats = Seats::place(province, network, &mut rng(STREAM_SEATS));
    if let Some(capital) = tiling
        .cells
        .iter()
        .position(|c| c.number == province.capital)
    {
        network.add_city_grid(
            seats.nodes[capital],
            CITY_LINES,
            CITY_SPACING_M,
            &mut rng(STREAM_CITY),
        );
    }
    trunk_roads(province, &seats, network, names, &mut rng(STREAM_TRUNK));

    let mut order: Vec<usize> = (0..tiling.cells.len()).collect();
    order.sort_by_key(|&i| tiling.cells[i].number);
    let remote = remote_schools(province, &order, &valley_shares);
    let mut plans = Vec::with_capacity(order.len());
    for (i, remote_schools) in order.into_iter().zip(remote) {
        let cell = &tiling.cells[i];
        let island_schools = province.island_schools(cell.number);
        let mut district = DistrictPlan {
            number: cell.number,
            ring: cell.ring.clone(),
            seat: seats.positions[i],
            highland: valley_shares[i] < 0.5,
            villages: Vec::new(),
            remote_schools,
            island_schools,
        };
        let mut district_rng = rng(STREAM_DISTRICT + u64::from(cell.number));
        let village_count = school_counts[i] - remote_schools - island_schools;
        settle_villages(
            province,
            &mut district,
            seats.nodes[i],
            village_count,
            network,
            names,
            &mut district_rng,
        );
        rural_roads(
            province,
            &tiling.outline,
            &district,
            network,
            &mut district_rng,
        );
        plans.push(district);
    }
    ProvincePlan { districts: plans }
}

/// Each district's weight in the province's school allocation, by tiling
/// cell: its area in km², lowland counting [`VALLEY_DENSITY_RATIO`] times
/// highland, the capital's times [`CAPITAL_WEIGHT`].
fn school_weights(province: &Province, valley_shares: &[f64]) -> Vec<f64> {
    province
        .tiling
        .cells
        .iter()
        .zip(valley_shares)
        .map(|(cell, share)| {
            let capital = if cell.number == province.capital {
                CAPITAL_WEIGHT
            } else {
                1.0
            };
            ring_area_m2(&cell.ring) * 1e-6 * (1.0 + (VALLEY_DENSITY_RATIO - 1.0) * share) * capital
        })
        .collect()
}

/// Remote schools for the districts in `order` (tiling cells in number
/// order): one each to the highland districts without an island, in
/// number order, while the province's last.
fn remote_schools(province: &Province, order: &[usize], valley_shares: &[f64]) -> Vec<usize> {
    let mut remote_left = province.remote_schools;
    order
        .iter()
        .map(|&i| {
            let highland = valley_shares[i] < 0.5;
            let island_schools = province.island_schools(province.tiling.cells[i].number);
            let remote = usize::from(highland && island_schools == 0 && remote_left > 0);
            remote_left -= remote;
            remote
        })
        .collect()
}

/// The district seats, by tiling cell: their vertices in the network and
/// their positions (as the network rounded them).
struct Seats {
    nodes: Vec<u32>,
    positions: Vec<LonLat>,
}

impl Seats {
    /// A seat for every district, the capital's at the city centre when
    /// the province has one, each added to `network`.
    fn place(province: &Province, network: &mut Network, rng: &mut ChaCha8Rng) -> Seats {
        let seats: Vec<LonLat> = province
            .tiling
            .cells
            .iter()
            .map(|cell| match province.city {
                Some(city) if cell.number == province.capital => city,
                _ => seat_for(&province.terrain, &cell.ring, rng),
            })
            .collect();
        let nodes: Vec<u32> = seats.iter().map(|&s| network.add_node(s)).collect();
        let positions = nodes.iter().map(|&n| network.nodes[n as usize]).collect();
        Seats { nodes, positions }
    }
}

/// Share of a ring's area in the valley, from a regular grid of samples.
pub fn valley_share(terrain: &Terrain, ring: &[LonLat]) -> f64 {
    const SAMPLES: usize = 24;
    let (min, max) = bbox(ring);
    let (mut inside, mut valley) = (0_usize, 0_usize);
    for i in 0..SAMPLES {
        for j in 0..SAMPLES {
            let p = [
                min[0] + (i as f64 + 0.5) / SAMPLES as f64 * (max[0] - min[0]),
                min[1] + (j as f64 + 0.5) / SAMPLES as f64 * (max[1] - min[1]),
            ];
            if ring_contains(ring, p) {
                inside += 1;
                valley += usize::from(!terrain.is_highland(p));
            }
        }
    }
    valley as f64 / inside.max(1) as f64
}

/// Splits `total` into integer shares proportional to `weights`, each at
/// least `floor` (largest remainder, ties to the lower index).
pub fn allocate(total: usize, weights: &[f64], floor: usize) -> Vec<usize> {
    let spare = total.saturating_sub(floor * weights.len());
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| spare as f64 * w / sum).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| floor + e.floor() as usize).collect();
    let mut by_remainder: Vec<usize> = (0..weights.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let short = total.saturating_sub(counts.iter().sum());
    for &i in by_remainder.iter().take(short) {
        counts[i] += 1;
    }
    counts
}

pub fn bbox(ring: &[LonLat]) -> (LonLat, LonLat) {
    ring.iter().fold(
        ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
        |(lo, hi), p| {
            (
                [lo[0].min(p[0]), lo[1].min(p[1])],
                [hi[0].max(p[0]), hi[1].max(p[1])],
            )
        },
    )
}

/// A uniformly random point of the ring's bounding box.
pub fn random_in_box(ring: &[LonLat], rng: &mut ChaCha8Rng) -> LonLat {
    let (min, max) = bbox(ring);
    [
        rng.random_range(min[0]..max[0]),
        rng.random_range(min[1]..max[1]),
    ]
}

/// A district seat: near the middle of the district, drawn to the valley
/// where the district has one (towns grow on the flat land).
fn seat_for(terrain: &Terrain, ring: &[LonLat], rng: &mut ChaCha8Rng) -> LonLat {
    let n = (ring.len() - 1).max(1) as f64;
    let centre = ring[..ring.len() - 1]
        .iter()
        .fold([0.0, 0.0], |c, p| [c[0] + p[0] / n, c[1] + p[1] / n]);
    // Off-centre by up to a fifth of the district's size, so that seats do
    // not line up along the grid rows.
    let (min, max) = bbox(ring);
    let aim = [
        centre[0] + rng.random_range(-0.2..0.2) * (max[0] - min[0]),
        centre[1] + rng.random_range(-0.2..0.2) * (max[1] - min[1]),
    ];
    let score = |p: LonLat| distance_m(p, aim) + 15_000.0 * terrain.highland_weight(p);
    let mut best: Option<(f64, LonLat)> = None;
    for _ in 0..300 {
        let p = random_in_box(ring, rng);
        let s = score(p);
        if best.is_none_or(|(b, _)| s < b) && inside_with_margin(ring, p, SEAT_MARGIN_M) {
            best = Some((s, p));
        }
    }
    best.map_or(centre, |(_, p)| p)
}

/// Roads between district seats. The cheapest tree over neighbouring seats
/// (cost: length, more in the hills) are the primary roads, so the trunk
/// network is connected; further neighbour links are primary in the valley
/// and sometimes secondary elsewhere.
fn trunk_roads(
    province: &Province,
    seats: &Seats,
    network: &mut Network,
    names: &mut NameBook,
    rng: &mut ChaCha8Rng,
) {
    let links = seat_links(&province.tiling, rng);
    let mut tree = Forest::new(seats.positions.len());
    for (hills, a, b) in cheapest_first(province, &seats.positions, &links) {
        let in_tree = tree.join(a, b);
        let class = if in_tree || hills < 0.35 {
            RoadClass::Primary
        } else if rng.random_bool(0.4) {
            RoadClass::Secondary
        } else {
            continue;
        };
        let label = trunk_label(province, class, hills, names, rng);
        network.build_road(
            seats.nodes[a],
            seats.nodes[b],
            label,
            &province.terrain,
            rng,
        );
    }
}

/// Pairs of districts (tiling cells) whose seats a trunk road may join:
/// neighbours along the grid, and one diagonal of some grid squares, as
/// highways cut corners.
fn seat_links(tiling: &Tiling, rng: &mut ChaCha8Rng) -> Vec<(usize, usize)> {
    let at = |row: usize, column: usize| {
        tiling
            .cells
            .iter()
            .position(|c| c.row == row && c.column == column)
    };
    let mut links: Vec<(usize, usize)> = Vec::new();
    for (i, cell) in tiling.cells.iter().enumerate() {
        let (r, c) = (cell.row, cell.column);
        links.extend(at(r, c + 1).map(|j| (i, j)));
        links.extend(at(r + 1, c).map(|j| (i, j)));
        if rng.random_bool(0.4) {
            let diagonal = if rng.random_bool(0.5) {
                (at(r, c), at(r + 1, c + 1))
            } else {
                (at(r, c + 1), at(r + 1, c))
            };
            if let (Some(a), Some(b)) = diagonal {
                links.push((a, b));
            }
        }
    }
    links
}

/// The links, cheapest first (length, up to three times more in the
/// hills), each as its hilliness (0–1, sampled along the straight line)
/// and its two districts.
fn cheapest_first(
    province: &Province,
    seats: &[LonLat],
    links: &[(usize, usize)],
) -> Vec<(f64, usize, usize)> {
    let hilliness = |a: LonLat, b: LonLat| {
        (0..=8)
            .map(|k| province.terrain.highland_weight(lerp(a, b, k as f64 / 8.0)))
            .sum::<f64>()
            / 9.0
    };
    let mut costed: Vec<(f64, f64, usize, usize)> = links
        .iter()
        .map(|&(a, b)| {
            let hills = hilliness(seats[a], seats[b]);
            (
                distance_m(seats[a], seats[b]) * (1.0 + 2.0 * hills),
                hills,
                a,
                b,
            )
        })
        .collect();
    costed.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.2.cmp(&y.2)).then(x.3.cmp(&y.3)));
    costed
        .into_iter()
        .map(|(_, hills, a, b)| (hills, a, b))
        .collect()
}

/// Which seats the trunk roads have joined so far (union–find).
struct Forest {
    parent: Vec<usize>,
}

impl Forest {
    fn new(seats: usize) -> Self {
        Forest {
            parent: (0..seats).collect(),
        }
    }

    fn root(&mut self, mut v: usize) -> usize {
        while self.parent[v] != v {
            self.parent[v] = self.parent[self.parent[v]];
            v = self.parent[v];
        }
        v
    }

    /// Joins the trees of `a` and `b`; `false` when they were one already.
    fn join(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.root(a), self.root(b));
        let joined = ra != rb;
        if joined {
            self.parent[ra] = rb;
        }
        joined
    }
}

/// A trunk road's name and posted speed: a primary road is a numbered
/// highway, a secondary one a rural road of the province. Posted limits
/// are higher in the valley, where primary roads are also posted more
/// often.
fn trunk_label(
    province: &Province,
    class: RoadClass,
    hills: f64,
    names: &mut NameBook,
    rng: &mut ChaCha8Rng,
) -> RoadLabel {
    match class {
        RoadClass::Primary => {
            let posted = rng.random_bool(if hills < 0.5 { 0.7 } else { 0.4 });
            let maxspeed_kmh = posted.then_some(if hills < 0.5 { 90 } else { 60 });
            RoadLabel {
                class,
                name: names.highway(),
                maxspeed_kmh,
            }
        }
        _ => {
            let posted = rng.random_bool(0.3);
            let maxspeed_kmh = posted.then_some(if hills < 0.5 { 80 } else { 60 });
            RoadLabel {
                class,
                name: names::rural_road(province.road_prefix, rng),
                maxspeed_kmh,
            }
        }
    }
}

pub fn lerp(a: LonLat, b: LonLat, t: f64) -> LonLat {
    [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
}

/// Places a district's villages and joins each to the nearest road
/// vertex: sub-centres first by secondary roads, then villages outwards
/// from the seat, so the network grows as a tree from the trunk roads.
/// `schools` of the villages (the seat among them) get a school; about as
/// many again are hamlets without one.
fn settle_villages(
    province: &Province,
    district: &mut DistrictPlan,
    seat_node: u32,
    schools: usize,
    network: &mut Network,
    names: &mut NameBook,
    rng: &mut ChaCha8Rng,
) {
    let hamlets = (province.hamlets_per_school * schools as f64).round() as usize;
    let terrain = &province.terrain;
    let mut points = scatter_villages(
        terrain,
        &district.ring,
        district.seat,
        schools + hamlets,
        rng,
    );
    // Scatter order is random, so the first ones are a random choice of
    // school villages.
    let others: Vec<(LonLat, bool)> = points
        .split_off(1.min(points.len()))
        .into_iter()
        .enumerate()
        .map(|(i, p)| (p, i + 1 < schools))
        .collect();
    let school_points: Vec<LonLat> = others
        .iter()
        .filter(|(_, school)| *school)
        .map(|(p, _)| *p)
        .collect();
    let sub_centres = farthest_points(
        district.seat,
        &school_points,
        (schools / 12).clamp(2, 4).min(school_points.len()),
    );
    let sub_centre_points: Vec<LonLat> = sub_centres.iter().map(|&i| school_points[i]).collect();
    let mut rest: Vec<(LonLat, bool)> = others
        .into_iter()
        .filter(|(p, _)| !sub_centre_points.contains(p))
        .collect();
    rest.sort_by(|a, b| distance_m(a.0, district.seat).total_cmp(&distance_m(b.0, district.seat)));

    district.villages.push(Village {
        position: district.seat,
        node: seat_node,
        name: names.village(terrain.is_highland(district.seat), rng),
        role: Role::Seat,
        school: true,
    });
    let ordered = sub_centre_points
        .into_iter()
        .map(|p| (p, Role::SubCentre, true))
        .chain(
            rest.into_iter()
                .map(|(p, school)| (p, Role::Village, school)),
        );
    for (p, role, school) in ordered {
        let (near, link_m) = network
            .nearest_node(p, MAX_LINK_M)
            .unwrap_or((seat_node, distance_m(p, district.seat)));
        let node = network.add_node(p);
        let hills = terrain.highland_weight(p);
        let class = match role {
            Role::SubCentre if link_m > 3_000.0 => RoadClass::Secondary,
            Role::SubCentre => RoadClass::Tertiary,
            _ if hills > 0.5 && link_m > 2_500.0 && rng.random_bool(0.5) => RoadClass::Track,
            _ if hills <= 0.5 && link_m > 1_800.0 => RoadClass::Tertiary,
            _ => RoadClass::Unclassified,
        };
        let label = RoadLabel::new(class, road_name(province.road_prefix, class, rng));
        network.build_road(near, node, label, terrain, rng);
        let name = if school {
            names.village(hills > 0.5, rng)
        } else {
            String::new()
        };
        district.villages.push(Village {
            position: network.nodes[node as usize],
            node,
            name,
            role,
            school,
        });
    }
}

/// The seat and `count - 1` more village sites inside the district, away
/// from its boundary and from each other; sparser in the hills.
fn scatter_villages(
    terrain: &Terrain,
    ring: &[LonLat],
    seat: LonLat,
    count: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<LonLat> {
    let mut points = vec![seat];
    let mut relax = 1.0;
    let mut misses = 0_usize;
    while points.len() < count {
        let p = random_in_box(ring, rng);
        if !ring_contains(ring, p) {
            continue;
        }
        let hills = terrain.highland_weight(p);
        // Cheap tests first: the boundary distance costs most.
        if !rng.random_bool(1.0 - 0.95 * hills) || ring_distance_m(ring, p) < VILLAGE_MARGIN_M {
            continue;
        }
        let gap_m = (800.0 + 1_700.0 * hills) * relax;
        if points.iter().any(|&q| distance_m(p, q) < gap_m) {
            misses += 1;
            // A crowded district accepts closer neighbours rather than loop.
            if misses.is_multiple_of(400) {
                relax *= 0.85;
            }
            continue;
        }
        points.push(p);
    }
    points
}

/// Indices of `k` of `points` spread out by farthest-point sampling from
/// `origin`.
fn farthest_points(origin: LonLat, points: &[LonLat], k: usize) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::with_capacity(k);
    let mut nearest_m: Vec<f64> = points.iter().map(|&p| distance_m(p, origin)).collect();
    for _ in 0..k {
        let Some(next) = (0..points.len())
            .filter(|i| !chosen.contains(i))
            .max_by(|&a, &b| nearest_m[a].total_cmp(&nearest_m[b]).then(b.cmp(&a)))
        else {
            break;
        };
        chosen.push(next);
        for (i, d) in nearest_m.iter_mut().enumerate() {
            *d = d.min(distance_m(points[i], points[next]));
        }
    }
    chosen
}

pub fn road_name(road_prefix: &str, class: RoadClass, rng: &mut ChaCha8Rng) -> String {
    match class {
        RoadClass::Primary | RoadClass::Secondary => names::rural_road(road_prefix, rng),
        RoadClass::Tertiary if rng.random_bool(0.5) => names::rural_road(road_prefix, rng),
        RoadClass::Unclassified if rng.random_bool(0.15) => {
            format!("ซอย {}", rng.random_range(1..40))
        }
        _ => String::new(),
    }
}

/// Loops between neighbouring villages, and dead-end spurs to fields:
/// lanes in the valley, tracks in the hills.
fn rural_roads(
    province: &Province,
    outline: &[LonLat],
    district: &DistrictPlan,
    network: &mut Network,
    rng: &mut ChaCha8Rng,
) {
    let mut order: Vec<usize> = (1..district.villages.len()).collect();
    order.shuffle(rng);
    for i in order {
        let here = district.villages[i].position;
        let hills = province.terrain.highland_weight(here);
        let (loop_chance, reach_m) = if hills > 0.5 {
            (0.12, 8_000.0)
        } else {
            (0.3, 5_000.0)
        };
        if rng.random_bool(loop_chance) {
            let partner = (0..district.villages.len())
                .filter(|&j| j != i)
                .map(|j| (j, distance_m(here, district.villages[j].position)))
                .filter(|&(_, d)| (1_200.0..reach_m).contains(&d))
                .min_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((j, d)) = partner {
                let class = match (hills > 0.5, d > 3_000.0) {
                    (true, _) => RoadClass::Track,
                    (false, true) => RoadClass::Tertiary,
                    (false, false) => RoadClass::Unclassified,
                };
                let label = RoadLabel::new(class, road_name(province.road_prefix, class, rng));
                network.build_road(
                    district.villages[i].node,
                    district.villages[j].node,
                    label,
                    &province.terrain,
                    rng,
                );
            }
        }
        let (spurs, length_m, class) = if hills > 0.5 {
            (rng.random_range(0..=2), 1_200.0..4_000.0, RoadClass::Track)
        } else {
            (
                usize::from(rng.random_bool(0.35)),
                400.0..1_500.0,
                RoadClass::Unclassified,
            )
        };
        for _ in 0..spurs {
            let (angle, reach_m) = (
                rng.random_range(0.0..std::f64::consts::TAU),
                rng.random_range(length_m.clone()),
            );
            let end = offset_m(here, reach_m * angle.cos(), reach_m * angle.sin());
            if !inside_with_margin(outline, end, 300.0) {
                continue;
            }
            let end_node = network.add_node(end);
            network.build_road(
                district.villages[i].node,
                end_node,
                RoadLabel::new(class, String::new()),
                &province.terrain,
                rng,
            );
        }
    }
}
