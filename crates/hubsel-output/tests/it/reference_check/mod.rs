//! Checks shared by the integration tests: the engine against the
//! independent reference of `hubsel_testkit::reference`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use hubsel::model::Inputs;
use hubsel::outcome::Role;
use hubsel::pipeline::{finish, prepare};
use hubsel::progress::Silent;
use hubsel_testkit::reference::{Network, Snapped};
use hubsel::scenario::Config;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// What [`engine_equals_reference_in_any_road_order`] checked.
#[derive(Debug, Default)]
pub struct Checked {
    /// (school, candidate) door-to-door times compared per road order.
    pub pairs: usize,
    /// Of them, reachable within the cutoff.
    pub reachable: usize,
    /// Members whose travel minutes were compared per road order.
    pub members: usize,
}

/// Runs the engine on `inputs` with the roads in their original, reversed
/// and shuffled (seeded) order, and checks that every school→candidate
/// door-to-door time of the travel matrices and every member's
/// `travel_min` equal the reference's (to 1e-6 relative; unreachable is
/// infinite on both sides), and that the three orders give the same
/// matrices bit for bit.
pub fn engine_equals_reference_in_any_road_order(inputs: &Inputs, config: &Config) -> Checked {
    let net = Network::new(&inputs.roads, &crate::common::reference_speeds(&config.speeds));
    let offroad_s = |m: f64| m * 3.6 / config.offroad_speed_kmh;
    let cutoff_s = config.search_cutoff_min * 60.0;
    let place = |lon: f64, lat: f64| -> Option<Snapped> {
        net.place(
            lon,
            lat,
            config.max_snap_m,
            config.small_component_junctions,
        )
        .filter(|p| p.offroad_m <= config.max_snap_m)
    };
    let mut reversed = inputs.clone();
    reversed.roads.reverse();
    let mut shuffled = inputs.clone();
    shuffled
        .roads
        .shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(20240229));
    let mut checked = Checked::default();
    let mut first: Option<Vec<Vec<u64>>> = None;
    // Reference door-to-door seconds per district: [school][candidate row].
    let mut expected: Option<Vec<Vec<Vec<f64>>>> = None;
    for run in [inputs.clone(), reversed, shuffled] {
        let prepared = prepare(run, config, &Silent).unwrap();
        let schools = &prepared.checked.schools;
        let expected = expected.get_or_insert_with(|| {
            prepared
                .matrices
                .iter()
                .enumerate()
                .map(|(d, m)| {
                    let members = &prepared.members[d];
                    let placed: Vec<Option<Snapped>> = members
                        .iter()
                        .map(|&g| place(schools[g].school.lon, schools[g].school.lat))
                        .collect();
                    let hubs: Vec<Snapped> =
                        m.candidates.iter().filter_map(|&c| placed[c]).collect();
                    placed
                        .iter()
                        .enumerate()
                        .map(|(i, from)| {
                            let Some(from) = from else {
                                return vec![f64::INFINITY; m.candidates.len()];
                            };
                            let times = net.times_s(from, &hubs);
                            let mut k = 0;
                            m.candidates
                                .iter()
                                .map(|&c| {
                                    let Some(to) = placed[c] else {
                                        return f64::INFINITY;
                                    };
                                    let road_s = times[k];
                                    k += 1;
                                    let t = if c == i {
                                        0.0
                                    } else {
                                        road_s + offroad_s(from.offroad_m) + offroad_s(to.offroad_m)
                                    };
                                    if t <= cutoff_s {
                                        t
                                    } else {
                                        f64::INFINITY
                                    }
                                })
                                .collect()
                        })
                        .collect()
                })
                .collect()
        });
        let mut bits = Vec::new();
        for (d, m) in prepared.matrices.iter().enumerate() {
            for (i, row_times) in expected[d].iter().enumerate() {
                for (row, &want) in row_times.iter().enumerate() {
                    let got = m.seconds(row, i);
                    if want.is_finite() {
                        assert!(
                            (got - want).abs() <= 1e-6 * want.max(1.0),
                            "district {}, school {}, candidate {}: engine {got} s, reference {want} s",
                            prepared.checked.districts[d].code,
                            schools[prepared.members[d][i]].school.id,
                            schools[prepared.members[d][m.candidates[row]]].school.id,
                        );
                        checked.reachable += 1;
                    } else {
                        assert!(
                            got.is_infinite(),
                            "district {}, school {}, candidate {}: engine {got} s, reference unreachable",
                            prepared.checked.districts[d].code,
                            schools[prepared.members[d][i]].school.id,
                            schools[prepared.members[d][m.candidates[row]]].school.id,
                        );
                    }
                    checked.pairs += 1;
                }
            }
            bits.push(m.seconds.iter().map(|s| s.to_bits()).collect::<Vec<u64>>());
        }
        match &first {
            None => first = Some(bits),
            Some(f) => assert!(f == &bits, "the road order changed the travel matrices"),
        }
        // Every member's minutes: its hub is a candidate of its district.
        let result = finish(&prepared, config, &Silent).unwrap();
        for o in result.schools.iter().filter(|o| o.role == Role::Member) {
            let g = schools.iter().position(|p| p.school.id == o.id).unwrap();
            let d = schools[g].district;
            let members = &prepared.members[d];
            let i = members.iter().position(|&x| x == g).unwrap();
            let hub = o.hub_id.as_ref().unwrap();
            let row = prepared.matrices[d]
                .candidates
                .iter()
                .position(|&c| &schools[members[c]].school.id == hub)
                .expect("the hub is a candidate of the member's district");
            let want_min = expected[d][i][row] / 60.0;
            let got_min = o.travel_min.unwrap();
            assert!(
                (got_min - want_min).abs() <= 1e-6 * want_min.max(1.0),
                "member {}: {got_min} min, reference {want_min} min",
                o.id
            );
            checked.members += 1;
        }
    }
    checked
}
