//! Deterministic synthetic data: schools, roads and districts that look
//! like a Thai province or the whole country, for tests, examples and
//! benchmarks that must not depend on real data.
//!
//! [`generate`] builds a [`SynthDataset`] from a [`Preset`] and a seed; the
//! same preset and seed always give the same data, whatever the number of
//! threads, and [`SynthDataset::write`] the same bytes. The `province`
//! preset models Chiang Mai: 25 districts, 687 schools, a lowland valley
//! with dense, straight roads and highlands with sparse, winding ones. The
//! `thailand` preset is the country: 77 provinces tiled by 928 districts,
//! 29,251 schools and about 2.3 million road vertices, highland in the
//! north and west, national highways between the provincial capitals, six
//! road islands carrying 12 schools, and five districts with no
//! secondary-capable school of 120 students (see the `national` module;
//! it is generated when needed, in seconds, not committed).
//!
//! ```no_run
//! # use hubsel_synth::{generate, Preset};
//! let data = generate(Preset::Province, 42);
//! data.write(std::path::Path::new("fixtures/province"))?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! How a province is made, stage by stage:
//! 1. districts: a jittered grid of cells with wiggling shared sides that
//!    tile the province (`districts`);
//! 2. seats and trunk roads: a seat per district, a connected network of
//!    primary roads between neighbouring seats, a street grid with one-way
//!    couplets in the capital (`plan`, `roads`);
//! 3. per district, villages joined to the nearest road vertex, loops and
//!    dead-end spurs (`plan`);
//! 4. noding: every crossing becomes a shared vertex (`roads`);
//! 5. schools: one per village, a little off the road, a few remote ones in
//!    the hills, with levels, sizes and facilities (`schools`).
//!
//! Each province (a `Province`: tiling, terrain, counts) runs
//! stages 2, 3 and 5 on its own random streams and its own network, so the
//! national preset lays provinces out in parallel; it tiles the country
//! into provinces first, joins their networks, adds the national highways
//! and the road islands, then nodes the whole network once.

// No function over 80 lines (clippy.toml); ARCHITECTURE.md names any exception.
#![cfg_attr(not(test), deny(clippy::too_many_lines))]

mod districts;
mod geom;
mod names;
mod national;
pub mod osm;
mod osm_roads;
mod pbf;
mod plan;
mod province;
mod roads;
mod schools;
mod write;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod osm_tests;
#[cfg(test)]
mod thailand_tests;

use std::fmt;
use std::io;
use std::path::Path;
use std::str::FromStr;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use self::names::NameBook;
use self::province::Province;
use self::roads::{Network, RoadIndex};

/// A named recipe for a data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Chiang Mai province: 25 districts, 687 schools.
    Province,
    /// The whole country: 77 provinces, 928 districts, 29,251 schools and
    /// a road network of over two million vertices.
    Thailand,
    /// The `province` data set as an OpenStreetMap extract (`.osm.pbf`,
    /// see [`osm`]): for tests.
    ProvinceOsm,
    /// The `thailand` data set as an OpenStreetMap extract: over 20
    /// million road nodes in over 2 million ways, as many objects off the
    /// road, about 160 MB.
    ThailandOsm,
    /// Ten countries side by side (five columns 9° of longitude apart, two
    /// rows 15° of latitude apart), each the `thailand` preset from its
    /// own seed: 9,280 districts, about 292,500 schools and 22.7 million
    /// road vertices, for measuring how a run's cost grows. The copies
    /// are not joined by road; codes are prefixed with the copy's digit
    /// and school ids offset by copy × 100,000,000.
    ThailandX10,
}

impl Preset {
    /// Every preset, in the order help texts list them.
    pub const ALL: [Preset; 5] = [
        Preset::Province,
        Preset::Thailand,
        Preset::ProvinceOsm,
        Preset::ThailandOsm,
        Preset::ThailandX10,
    ];

    /// The name [`FromStr`] accepts.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Province => "province",
            Preset::Thailand => "thailand",
            Preset::ProvinceOsm => "province-osm",
            Preset::ThailandOsm => "thailand-osm",
            Preset::ThailandX10 => "thailand-x10",
        }
    }

    /// The preset whose data set an OpenStreetMap preset lays out, `None`
    /// for the others.
    pub fn osm_base(self) -> Option<Preset> {
        match self {
            Preset::ProvinceOsm => Some(Preset::Province),
            Preset::ThailandOsm => Some(Preset::Thailand),
            _ => None,
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A preset name that matches none of [`Preset::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPreset {
    pub given: String,
}

impl fmt::Display for UnknownPreset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let valid: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
        write!(
            f,
            "unknown preset {:?}; valid presets: {}",
            self.given,
            valid.join(", ")
        )
    }
}

impl std::error::Error for UnknownPreset {}

impl FromStr for Preset {
    type Err = UnknownPreset;

    /// Case-insensitive.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownPreset {
                given: text.to_string(),
            })
    }
}

/// The levels a school teaches, as `schools.csv` spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SchoolLevel {
    Primary,
    /// An opportunity-expansion school (kindergarten to grade 9), or K–12.
    Both,
    Secondary,
}

impl SchoolLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            SchoolLevel::Primary => "primary",
            SchoolLevel::Both => "both",
            SchoolLevel::Secondary => "secondary",
        }
    }

    /// Could serve as a primary hub.
    pub fn teaches_primary(self) -> bool {
        self != SchoolLevel::Secondary
    }

    /// Could serve as a secondary hub.
    pub fn teaches_secondary(self) -> bool {
        self != SchoolLevel::Primary
    }
}

/// Road classes, spelt as OpenStreetMap's `highway` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoadClass {
    Primary,
    Secondary,
    Tertiary,
    Unclassified,
    Track,
}

impl RoadClass {
    pub const ALL: [RoadClass; 5] = [
        RoadClass::Primary,
        RoadClass::Secondary,
        RoadClass::Tertiary,
        RoadClass::Unclassified,
        RoadClass::Track,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoadClass::Primary => "primary",
            RoadClass::Secondary => "secondary",
            RoadClass::Tertiary => "tertiary",
            RoadClass::Unclassified => "unclassified",
            RoadClass::Track => "track",
        }
    }
}

/// One row of `schools.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthSchool {
    /// 8 digits: province code, district number, 4-digit sequence
    /// (`50010001`).
    pub id: u32,
    /// Thai name.
    pub name: String,
    /// WGS 84 degrees, rounded to 6 decimals.
    pub lon: f64,
    pub lat: f64,
    /// Code of the district polygon that strictly contains the school.
    pub district: String,
    pub level: SchoolLevel,
    pub students: u32,
    pub teachers: u32,
    pub classrooms: u32,
    /// School land in rai (1 rai = 1,600 m²), rounded to 0.1.
    pub land_rai: f64,
    pub internet: bool,
    pub electricity: bool,
    pub water: bool,
    pub ict_teachers: u32,
    pub language_teachers: u32,
    pub labs: u32,
    /// The school stands in the highland zone.
    pub highland: bool,
    /// Metres to the nearest road as generated (not written): 10–300 for
    /// most schools, 1,100–2,900 for the remote highland ones.
    pub road_m: f64,
}

/// One feature of `roads.geojson`.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthRoad {
    pub class: RoadClass,
    /// Thai name, often empty.
    pub name: String,
    /// Travel only in the direction of `coords`.
    pub oneway: bool,
    /// Posted speed limit in km/h, on some primary and secondary roads.
    pub maxspeed_kmh: Option<u32>,
    /// `[lon, lat]` WGS 84 degrees rounded to 7 decimals (6 in the
    /// `thailand` preset, which keeps its two-million-vertex file smaller);
    /// roads meet only at equal vertices, and no two consecutive vertices
    /// are equal.
    pub coords: Vec<[f64; 2]>,
}

/// One feature of `districts.geojson`.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthDistrict {
    /// Four digits, province then district (`5001`).
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    /// Two-digit province code (`50`).
    pub province: String,
    /// Exterior ring, `[lon, lat]` degrees rounded to 7 decimals, closed and
    /// counter-clockwise; neighbours share their common boundary vertex for
    /// vertex.
    pub ring: Vec<[f64; 2]>,
    /// The district seat (its main town), where its trunk roads meet.
    pub seat: [f64; 2],
    /// Most of the district's area is highland.
    pub highland: bool,
}

/// A generated data set.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthDataset {
    /// Sorted by id.
    pub schools: Vec<SynthSchool>,
    pub roads: Vec<SynthRoad>,
    /// Sorted by code.
    pub districts: Vec<SynthDistrict>,
}

impl SynthDataset {
    /// Writes `schools.csv`, `roads.geojson` and `districts.geojson` into
    /// `dir`, creating it if needed, and the same schools as the OBEC
    /// registry writes them in `schools-obec.csv` (no enrolment, the
    /// registry's level values, 4 decimals as its tambon points).
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        write::schools(&dir.join("schools.csv"), &self.schools)?;
        write::registry_schools(
            &dir.join("schools-obec.csv"),
            &self.schools,
            &self.districts,
        )?;
        write::roads(&dir.join("roads.geojson"), &self.roads)?;
        write::districts(&dir.join("districts.geojson"), &self.districts)
    }
}

/// Generates the data set of `preset` from `seed`.
pub fn generate(preset: Preset, seed: u64) -> SynthDataset {
    match preset {
        Preset::Province => {
            let province = Province::from_spec(&province::CHIANG_MAI, seed);
            let extent = province.bounds;
            assemble(&[province], extent, 7, seed, |_, _, _| {})
        }
        Preset::Thailand => national::generate(seed),
        Preset::ThailandX10 => tiled_countries(seed, 10),
        Preset::ProvinceOsm | Preset::ThailandOsm => {
            generate(preset.osm_base().unwrap_or(Preset::Province), seed)
        }
    }
}

/// The OpenStreetMap extract of an OSM preset (`None` for the others):
/// its base preset's data set, from the same seed, laid out as
/// [`osm::OsmExtract`] says.
pub fn generate_osm(preset: Preset, seed: u64) -> Option<osm::OsmExtract> {
    let base = preset.osm_base()?;
    Some(osm::OsmExtract::new(generate(base, seed), seed))
}

/// `copies` national data sets (seeds `seed`, `seed + 1`, …) side by
/// side, five to a row: copy `k` moved by `(k % 5) × 9°` east and
/// `(k / 5) × 15°` north (coordinates rounded again as each preset
/// rounds them), its district codes prefixed with `k` and its school ids
/// offset by `k × 100,000,000`.
fn tiled_countries(seed: u64, copies: u32) -> SynthDataset {
    let mut all = SynthDataset {
        schools: Vec::new(),
        roads: Vec::new(),
        districts: Vec::new(),
    };
    for k in 0..copies {
        let mut data = national::generate(seed.wrapping_add(u64::from(k)));
        let (east, north) = (f64::from(k % 5) * 9.0, f64::from(k / 5) * 15.0);
        let moved = |p: [f64; 2], round: fn(f64) -> f64| [round(p[0] + east), round(p[1] + north)];
        for r in &mut data.roads {
            r.coords.iter_mut().for_each(|p| *p = moved(*p, geom::round6));
        }
        for d in &mut data.districts {
            d.ring.iter_mut().for_each(|p| *p = moved(*p, geom::round7));
            d.seat = moved(d.seat, geom::round7);
            d.code = format!("{k}{}", d.code);
            d.province = format!("{k}{}", d.province);
        }
        for s in &mut data.schools {
            [s.lon, s.lat] = moved([s.lon, s.lat], geom::round6);
            s.district = format!("{k}{}", s.district);
            s.id += k * 100_000_000;
        }
        all.schools.append(&mut data.schools);
        all.roads.append(&mut data.roads);
        all.districts.append(&mut data.districts);
    }
    all
}

/// Runs the stages on `provinces`: lays each out on its own road network
/// (in parallel; each province draws from its own streams, so the thread
/// count cannot change a byte), joins the networks in province order,
/// lets `connect` add what links or sets apart the provinces, nodes every
/// crossing, then places the schools.
fn assemble(
    provinces: &[Province],
    extent: ([f64; 2], [f64; 2]),
    road_decimals: i32,
    seed: u64,
    connect: impl FnOnce(&mut Network, &mut [plan::ProvincePlan], &mut [NameBook]),
) -> SynthDataset {
    let laid: Vec<(plan::ProvincePlan, Network, NameBook)> = provinces
        .par_iter()
        .map(|province| {
            let mut network = Network::new(province.bounds.0, province.bounds.1, road_decimals);
            let mut names = NameBook::default();
            let plan = plan::lay_out(province, seed, &mut network, &mut names);
            (plan, network, names)
        })
        .collect();
    let mut network = Network::new(extent.0, extent.1, road_decimals);
    let mut plans = Vec::with_capacity(laid.len());
    let mut books = Vec::with_capacity(laid.len());
    for (mut plan, part, names) in laid {
        let offset = network.append(part);
        for village in plan.districts.iter_mut().flat_map(|d| &mut d.villages) {
            village.node += offset;
        }
        plans.push(plan);
        books.push(names);
    }
    connect(&mut network, &mut plans, &mut books);
    network.node_crossings();
    let roads = network.into_roads();
    let index = RoadIndex::new(&roads, extent.0, extent.1);

    let per_province: Vec<(Vec<SynthSchool>, Vec<SynthDistrict>)> = provinces
        .par_iter()
        .zip(&plans)
        .zip(books.into_par_iter())
        .map(|((province, plan), mut names)| {
            let schools = schools::schools(province, plan, &index, seed, &mut names);
            let districts = plan
                .districts
                .iter()
                .map(|d| {
                    let label = province.label(d.number);
                    SynthDistrict {
                        code: province.district_code(d.number),
                        name_th: label.map_or_else(String::new, |n| n.name_th.clone()),
                        name_en: label.map_or_else(String::new, |n| n.name_en.clone()),
                        province: province.code.to_string(),
                        ring: d.ring.clone(),
                        seat: d.seat,
                        highland: d.highland,
                    }
                })
                .collect();
            (schools, districts)
        })
        .collect();
    let mut dataset = SynthDataset {
        schools: Vec::new(),
        roads,
        districts: Vec::new(),
    };
    for (schools, districts) in per_province {
        dataset.schools.extend(schools);
        dataset.districts.extend(districts);
    }
    dataset
}

/// An independent random stream per stage (and per district), so that a
/// change to one stage leaves the others' draws alone: the seed picks the
/// key, the stage the ChaCha stream.
fn stream(seed: u64, stream_id: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream_id);
    rng
}

/// The stream of stage `local` of the province with code `code`: each
/// province owns the stream numbers `code * 1_000 ..`, and code 0 (no
/// province has it) holds the national stages.
fn province_stream(seed: u64, code: &str, local: u64) -> ChaCha8Rng {
    stream(seed, code.parse::<u64>().unwrap_or(0) * 1_000 + local)
}
