//! What a province is to the generator: its districts' names and polygons,
//! its terrain, its school count, its capital and its edge cases.
//!
//! A [`ProvinceSpec`] is a hand-written description (Chiang Mai); a
//! [`Province`] is what the stages run on, built either from a spec alone
//! (the `province` preset) or by the national layout (`thailand`), which
//! gives every province a block of the country and tiles it.

use super::districts::{self, Tiling};
use super::geom::{point_segment_m, ring_contains, ring_distance_m, LonLat};
use super::province_stream;

/// One district's official number within its province and its names.
#[derive(Clone, Copy, Debug)]
pub struct DistrictName {
    /// The last two digits of the district code (`5001` → 1).
    pub number: u8,
    pub name_en: &'static str,
    pub name_th: &'static str,
}

/// A point of a river valley's centre line with the valley's half-width
/// there; the lowland is every point closer to the line than the
/// half-width interpolated along it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValleyPoint {
    pub lon: f64,
    pub lat: f64,
    pub half_width_m: f64,
}

/// Everything the generator needs to know about one hand-described
/// province.
#[derive(Debug)]
pub struct ProvinceSpec {
    /// The two-digit province code, also the first digits of district and
    /// school codes.
    pub code: &'static str,
    /// The province's abbreviation in rural road numbers (ชม. for Chiang Mai).
    pub road_prefix: &'static str,
    pub districts: &'static [DistrictName],
    /// The district number of every grid cell; rows run south to north,
    /// columns west to east.
    pub layout: &'static [&'static [u8]],
    /// Latitude (degrees) of each grid row line, south to north: one more
    /// than there are rows.
    pub row_lat: &'static [f64],
    /// Longitude (degrees) of each grid column line, one list per row line,
    /// so that columns can narrow around a city and widen in the hills.
    pub column_lon: &'static [&'static [f64]],
    /// How many schools the province has.
    pub school_count: usize,
    /// The lowland; everything else is highland.
    pub valley: &'static [ValleyPoint],
    /// The district holding the provincial capital, and the city centre,
    /// which becomes that district's seat with a small street grid.
    pub capital: u8,
    pub city: LonLat,
    /// A remote district whose secondary-capable schools are all kept under
    /// 120 students, so that a minimum-size rule leaves it without a
    /// secondary hub candidate (an edge case the selection must report).
    pub small_secondary_district: Option<u8>,
}

/// How far the highland weight takes to go from lowland to highland
/// across the edge of a valley or an upland, in metres.
const HIGHLAND_EDGE_M: f64 = 3_000.0;

/// How many highland schools of a described province lie far off any road
/// (1–3 km).
pub const SPEC_REMOTE_SCHOOLS: usize = 10;
/// Villages without a school for each village with one, in a described
/// province.
pub const SPEC_HAMLETS_PER_SCHOOL: f64 = 1.0;

impl ProvinceSpec {
    /// The spec's own terrain: highland everywhere but in its valley.
    pub fn terrain(&self) -> Terrain {
        Terrain {
            valleys: vec![self.valley.to_vec()],
            uplands: None,
        }
    }

    /// The longitude and latitude span of the spec's grid, `(min, max)`.
    pub fn frame(&self) -> (LonLat, LonLat) {
        let mut min = [f64::INFINITY; 2];
        let mut max = [f64::NEG_INFINITY; 2];
        for (lons, &lat) in self.column_lon.iter().zip(self.row_lat) {
            for &lon in lons.iter() {
                min = [min[0].min(lon), min[1].min(lat)];
                max = [max[0].max(lon), max[1].max(lat)];
            }
        }
        (min, max)
    }

    pub fn labels(&self) -> Vec<DistrictLabel> {
        self.districts
            .iter()
            .map(|d| DistrictLabel {
                number: d.number,
                name_en: d.name_en.to_string(),
                name_th: d.name_th.to_string(),
            })
            .collect()
    }
}

/// The lie of the land: which points are highland, and a weight that ramps
/// smoothly from lowland (0) to highland (1) across the edges between them.
///
/// A point is highland when it lies inside an upland and outside every
/// valley. The two tests are combined as one signed "highland excess" in
/// metres, the smaller of how far outside the nearest valley and how far
/// inside an upland the point lies.
#[derive(Clone, Debug, PartialEq)]
pub struct Terrain {
    /// Lowland corridors, each a centre line of at least two points.
    pub valleys: Vec<Vec<ValleyPoint>>,
    /// Closed rings of the highland; `None` makes the whole plane upland
    /// (the province preset: hills everywhere but in the valley).
    pub uplands: Option<Vec<Vec<LonLat>>>,
}

impl Terrain {
    /// Metres by which `p` lies outside every valley: negative inside one.
    fn valley_excess_m(&self, p: LonLat) -> f64 {
        self.valleys
            .iter()
            .flat_map(|valley| valley.windows(2))
            .map(|w| {
                let (a, b) = ([w[0].lon, w[0].lat], [w[1].lon, w[1].lat]);
                let (d_m, t) = point_segment_m(p, a, b);
                d_m - (w[0].half_width_m + t * (w[1].half_width_m - w[0].half_width_m))
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// Metres by which `p` lies inside an upland: negative outside all.
    fn upland_depth_m(&self, p: LonLat) -> f64 {
        let Some(rings) = &self.uplands else {
            return f64::INFINITY;
        };
        rings
            .iter()
            .map(|ring| {
                let d_m = ring_distance_m(ring, p);
                if ring_contains(ring, p) {
                    d_m
                } else {
                    -d_m
                }
            })
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// Metres by which `p` lies in the highland: negative in the lowland.
    pub fn highland_excess_m(&self, p: LonLat) -> f64 {
        let valley = self.valley_excess_m(p);
        match self.uplands {
            None => valley,
            Some(_) => valley.min(self.upland_depth_m(p)),
        }
    }

    /// Whether `p` is in the highland zone, the `highland` flag of schools.
    pub fn is_highland(&self, p: LonLat) -> bool {
        self.highland_excess_m(p) > 0.0
    }

    /// 0 deep in the lowland, 1 in the hills, a smooth ramp across the
    /// edge: how winding and how sparse roads and villages are.
    pub fn highland_weight(&self, p: LonLat) -> f64 {
        let s = (self.highland_excess_m(p) / HIGHLAND_EDGE_M + 0.5).clamp(0.0, 1.0);
        s * s * (3.0 - 2.0 * s)
    }

    /// The part of the terrain that matters within `margin_m` metres of the
    /// box `min`–`max`: valleys and uplands wholly farther away are left
    /// out. For points in that reach the answers do not change: a dropped
    /// valley or upland is so far that the highland weight is saturated
    /// and the zone is decided by what is kept. (The margin must exceed the
    /// widest valley's half-width plus the edge ramp.)
    pub fn near(&self, min: LonLat, max: LonLat, margin_m: f64) -> Terrain {
        let lo = super::geom::offset_m(min, -margin_m, -margin_m);
        let hi = super::geom::offset_m(max, margin_m, margin_m);
        let overlaps = |points: &mut dyn Iterator<Item = LonLat>, pad_m: f64| {
            let (mut a, mut b) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
            for p in points {
                a = [a[0].min(p[0]), a[1].min(p[1])];
                b = [b[0].max(p[0]), b[1].max(p[1])];
            }
            let a = super::geom::offset_m(a, -pad_m, -pad_m);
            let b = super::geom::offset_m(b, pad_m, pad_m);
            a[0] <= hi[0] && lo[0] <= b[0] && a[1] <= hi[1] && lo[1] <= b[1]
        };
        Terrain {
            valleys: self
                .valleys
                .iter()
                .filter(|v| {
                    let pad_m = v.iter().map(|p| p.half_width_m).fold(0.0, f64::max);
                    overlaps(&mut v.iter().map(|p| [p.lon, p.lat]), pad_m)
                })
                .cloned()
                .collect(),
            uplands: self.uplands.as_ref().map(|rings| {
                rings
                    .iter()
                    .filter(|r| overlaps(&mut r.iter().copied(), 0.0))
                    .cloned()
                    .collect()
            }),
        }
    }
}

/// A district's number and names, as the data set spells them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistrictLabel {
    pub number: u8,
    pub name_en: String,
    pub name_th: String,
}

/// A province ready for the stages: tiled, named, with its terrain.
#[derive(Clone, Debug)]
pub struct Province {
    /// Two digits, the first of district and school codes.
    pub code: &'static str,
    /// The abbreviation in rural road numbers.
    pub road_prefix: &'static str,
    pub labels: Vec<DistrictLabel>,
    pub tiling: Tiling,
    /// A box around the tiling with room for roads that wander a little
    /// past the border, `(min, max)` degrees: what the road network's
    /// indexes cover.
    pub bounds: (LonLat, LonLat),
    pub terrain: Terrain,
    pub school_count: usize,
    /// The district of the provincial capital.
    pub capital: u8,
    /// The city centre, seat of the capital district; `None` lets the
    /// capital's seat be chosen as any other.
    pub city: Option<LonLat>,
    /// See [`ProvinceSpec::small_secondary_district`].
    pub small_secondary_district: Option<u8>,
    /// Highland schools 1–3 km off any road, one per highland district in
    /// number order while they last.
    pub remote_schools: usize,
    /// Villages without a school for each village with one.
    pub hamlets_per_school: f64,
    /// Village schools' enrolment relative to the baseline (seats and
    /// sub-centres keep theirs).
    pub village_enrolment: f64,
    /// Districts with a road island (a village cluster no road reaches),
    /// and how many of the district's schools stand on it. The national
    /// layout builds the islands once every other road is in place.
    pub islands: Vec<(u8, usize)>,
}

impl Province {
    /// The province a spec describes, tiled by its own grid.
    pub fn from_spec(spec: &'static ProvinceSpec, seed: u64) -> Province {
        let tiling = districts::tile(spec, &mut province_stream(seed, spec.code, STREAM_TILING));
        let (min, max) = spec.frame();
        Province {
            code: spec.code,
            road_prefix: spec.road_prefix,
            labels: spec.labels(),
            tiling,
            bounds: (
                [min[0] - BOUNDS_PAD_DEG, min[1] - BOUNDS_PAD_DEG],
                [max[0] + BOUNDS_PAD_DEG, max[1] + BOUNDS_PAD_DEG],
            ),
            terrain: spec.terrain(),
            school_count: spec.school_count,
            capital: spec.capital,
            city: Some(spec.city),
            small_secondary_district: spec.small_secondary_district,
            remote_schools: SPEC_REMOTE_SCHOOLS,
            hamlets_per_school: SPEC_HAMLETS_PER_SCHOOL,
            village_enrolment: 1.0,
            islands: Vec::new(),
        }
    }

    pub fn district_code(&self, number: u8) -> String {
        format!("{}{:02}", self.code, number)
    }

    pub fn label(&self, number: u8) -> Option<&DistrictLabel> {
        self.labels.iter().find(|d| d.number == number)
    }

    /// Island schools planned for district `number`.
    pub fn island_schools(&self, number: u8) -> usize {
        self.islands
            .iter()
            .filter(|(n, _)| *n == number)
            .map(|(_, k)| k)
            .sum()
    }
}

/// The room [`Province::bounds`] leaves around a province, in degrees.
pub const BOUNDS_PAD_DEG: f64 = 0.2;

/// Stream number of a province's tiling (see [`super::stream`]).
pub const STREAM_TILING: u64 = 1;

#[rustfmt::skip]
const CHIANG_MAI_DISTRICTS: [DistrictName; 25] = [
    DistrictName { number: 1, name_en: "Mueang Chiang Mai", name_th: "เมืองเชียงใหม่" },
    DistrictName { number: 2, name_en: "Chom Thong", name_th: "จอมทอง" },
    DistrictName { number: 3, name_en: "Mae Chaem", name_th: "แม่แจ่ม" },
    DistrictName { number: 4, name_en: "Chiang Dao", name_th: "เชียงดาว" },
    DistrictName { number: 5, name_en: "Doi Saket", name_th: "ดอยสะเก็ด" },
    DistrictName { number: 6, name_en: "Mae Taeng", name_th: "แม่แตง" },
    DistrictName { number: 7, name_en: "Mae Rim", name_th: "แม่ริม" },
    DistrictName { number: 8, name_en: "Samoeng", name_th: "สะเมิง" },
    DistrictName { number: 9, name_en: "Fang", name_th: "ฝาง" },
    DistrictName { number: 10, name_en: "Mae Ai", name_th: "แม่อาย" },
    DistrictName { number: 11, name_en: "Phrao", name_th: "พร้าว" },
    DistrictName { number: 12, name_en: "San Pa Tong", name_th: "สันป่าตอง" },
    DistrictName { number: 13, name_en: "San Kamphaeng", name_th: "สันกำแพง" },
    DistrictName { number: 14, name_en: "San Sai", name_th: "สันทราย" },
    DistrictName { number: 15, name_en: "Hang Dong", name_th: "หางดง" },
    DistrictName { number: 16, name_en: "Hot", name_th: "ฮอด" },
    DistrictName { number: 17, name_en: "Doi Tao", name_th: "ดอยเต่า" },
    DistrictName { number: 18, name_en: "Omkoi", name_th: "อมก๋อย" },
    DistrictName { number: 19, name_en: "Saraphi", name_th: "สารภี" },
    DistrictName { number: 20, name_en: "Wiang Haeng", name_th: "เวียงแหง" },
    DistrictName { number: 21, name_en: "Chai Prakan", name_th: "ไชยปราการ" },
    DistrictName { number: 22, name_en: "Mae Wang", name_th: "แม่วาง" },
    DistrictName { number: 23, name_en: "Mae On", name_th: "แม่ออน" },
    DistrictName { number: 24, name_en: "Doi Lo", name_th: "ดอยหล่อ" },
    DistrictName { number: 25, name_en: "Galyani Vadhana", name_th: "กัลยาณิวัฒนา" },
];

/// Chiang Mai: the Ping valley runs north–south through the middle and
/// opens into the Chiang Mai basin around the city; the Fang basin lies in
/// the far north. The grid puts the mountain districts (Mae Chaem, Omkoi,
/// Galyani Vadhana, Wiang Haeng, Samoeng, …) in the west and the valley
/// districts in the narrow middle columns. Positions are synthetic.
#[rustfmt::skip]
pub static CHIANG_MAI: ProvinceSpec = ProvinceSpec {
    code: "50",
    road_prefix: "ชม",
    districts: &CHIANG_MAI_DISTRICTS,
    layout: &[
        &[18, 16, 17, 24, 23], // Omkoi, Hot, Doi Tao, Doi Lo, Mae On
        &[3, 2, 12, 19, 13],   // Mae Chaem, Chom Thong, San Pa Tong, Saraphi, San Kamphaeng
        &[8, 22, 15, 1, 5],    // Samoeng, Mae Wang, Hang Dong, Mueang, Doi Saket
        &[25, 6, 7, 14, 11],   // Galyani Vadhana, Mae Taeng, Mae Rim, San Sai, Phrao
        &[20, 4, 21, 9, 10],   // Wiang Haeng, Chiang Dao, Chai Prakan, Fang, Mae Ai
    ],
    row_lat: &[17.32, 18.10, 18.60, 18.90, 19.40, 19.98],
    column_lon: &[
        &[98.15, 98.45, 98.65, 98.85, 99.05, 99.35],
        &[98.10, 98.45, 98.70, 98.85, 99.02, 99.40],
        &[98.10, 98.50, 98.80, 98.91, 99.04, 99.50],
        &[98.10, 98.50, 98.82, 98.93, 99.06, 99.50],
        &[98.15, 98.55, 98.85, 99.02, 99.20, 99.50],
        &[98.35, 98.75, 98.98, 99.12, 99.32, 99.52],
    ],
    school_count: 687,
    valley: &[
        ValleyPoint { lon: 99.25, lat: 20.05, half_width_m: 11_000.0 },
        ValleyPoint { lon: 99.17, lat: 19.80, half_width_m: 10_000.0 },
        ValleyPoint { lon: 99.08, lat: 19.55, half_width_m: 5_000.0 },
        ValleyPoint { lon: 99.00, lat: 19.35, half_width_m: 5_000.0 },
        ValleyPoint { lon: 98.97, lat: 19.12, half_width_m: 8_000.0 },
        ValleyPoint { lon: 99.00, lat: 18.92, half_width_m: 14_000.0 },
        ValleyPoint { lon: 99.00, lat: 18.75, half_width_m: 18_000.0 },
        ValleyPoint { lon: 98.95, lat: 18.50, half_width_m: 14_000.0 },
        ValleyPoint { lon: 98.85, lat: 18.30, half_width_m: 8_000.0 },
        ValleyPoint { lon: 98.70, lat: 18.13, half_width_m: 5_000.0 },
        ValleyPoint { lon: 98.62, lat: 17.95, half_width_m: 3_000.0 },
    ],
    capital: 1,
    city: [98.985, 18.788],
    small_secondary_district: Some(25),
};
