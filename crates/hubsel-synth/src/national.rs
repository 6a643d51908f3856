//! The `thailand` preset: 77 provinces, 928 districts and 29,251 schools
//! on a coarse outline of the country.
//!
//! The country is a grid of blocks, columns of longitude and rows of
//! latitude ([`LON_LINES`], [`LAT_LINES`], finer around Bangkok), and
//! every province is a rectangle of blocks ([`BLOCKS`]). Grid corners are
//! jittered, and every block side between two provinces, or between a
//! province and abroad, is drawn once as a wiggling line; a province's
//! four sides are runs of these lines, so neighbouring provinces share
//! their border vertex for vertex. Each province is then tiled by its own
//! districts ([`districts::tile_sides`]) and goes through the same stages
//! as the `province` preset, in parallel; Chiang Mai keeps its own
//! description, fitted into its block. National highways join the
//! provincial capitals, and a few villages get no road link at all: the
//! road islands ([`ISLANDS`]).
//!
//! District counts per province are the real ones (878 districts and
//! Bangkok's 50 khet); names other than the capital's "Mueang …" are
//! generated. School counts follow the district counts, Bangkok's at a
//! lower rate (most of its schools are run by the city, not the ministry).

use std::collections::BTreeSet;

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::districts::{self, append, wiggle, Arrangement, Sides, Tiling};
use super::geom::{distance_m, inside_with_margin, offset_m, rounded7, Grid, LonLat};
use super::names::{self, DistrictNames, NameBook};
use super::plan::{self, ProvincePlan, Role, Village};
use super::province::{
    DistrictLabel, Province, Terrain, ValleyPoint, BOUNDS_PAD_DEG, CHIANG_MAI,
    SPEC_HAMLETS_PER_SCHOOL, SPEC_REMOTE_SCHOOLS, STREAM_TILING,
};
use super::roads::{Network, RoadLabel};
use super::{province_stream, RoadClass, SynthDataset};

/// Longitudes (degrees) of the block grid's column lines, west to east.
pub const LON_LINES: [f64; 14] = [
    97.45, 98.19, 98.92, 99.66, 100.03, 100.40, 100.77, 101.13, 101.87, 102.60, 103.34, 104.08,
    104.81, 105.55,
];

/// Latitudes (degrees) of the block grid's row lines, south to north.
pub const LAT_LINES: [f64; 24] = [
    5.75, 6.48, 7.21, 7.94, 8.67, 9.40, 10.13, 10.86, 11.59, 12.32, 13.05, 13.415, 13.78, 14.145,
    14.51, 14.875, 15.24, 15.97, 16.70, 17.43, 18.16, 18.89, 19.62, 20.35,
];

/// The province code of every block, rows from north to south, columns
/// west to east; `..` is abroad or sea. Each province is a rectangle of
/// blocks, placed roughly where it lies (the central plain is spread out
/// to give its many small provinces room).
#[rustfmt::skip]
pub const BLOCKS: [&str; 23] = [
    ".. .. 57 57 57 .. .. .. .. .. .. .. ..",
    "58 50 50 56 56 55 55 .. .. .. .. .. ..",
    "58 50 50 52 52 55 55 .. .. .. .. .. ..",
    "58 63 51 54 54 53 53 42 43 43 38 .. ..",
    ".. 63 64 65 65 67 67 42 39 41 47 48 ..",
    ".. 63 62 66 66 67 67 36 40 46 47 49 ..",
    ".. 71 61 60 60 16 16 36 44 45 35 37 34",
    ".. 71 72 18 17 15 19 30 30 31 32 33 34",
    ".. 71 72 18 17 15 19 30 30 31 32 33 34",
    ".. 71 72 73 14 14 26 25 27 .. .. .. ..",
    ".. .. 70 73 12 13 26 25 27 .. .. .. ..",
    ".. .. 70 74 10 10 24 24 27 .. .. .. ..",
    ".. .. 76 75 11 11 20 21 22 .. .. .. ..",
    ".. .. 76 .. .. .. 20 21 22 .. .. .. ..",
    ".. .. 77 .. .. .. .. .. 23 .. .. .. ..",
    ".. .. 77 .. .. .. .. .. .. .. .. .. ..",
    ".. 85 86 .. .. .. .. .. .. .. .. .. ..",
    ".. 82 84 84 80 .. .. .. .. .. .. .. ..",
    ".. 82 84 84 80 .. .. .. .. .. .. .. ..",
    ".. 83 81 81 80 .. .. .. .. .. .. .. ..",
    ".. .. 92 93 90 90 .. .. .. .. .. .. ..",
    ".. .. 91 91 90 90 94 94 96 .. .. .. ..",
    ".. .. .. .. .. .. 95 95 96 .. .. .. ..",
];

/// One province of the national table.
#[derive(Clone, Copy, Debug)]
pub struct ProvinceEntry {
    pub code: &'static str,
    pub name_en: &'static str,
    pub name_th: &'static str,
    /// The abbreviation in rural road numbers.
    pub road_prefix: &'static str,
    /// Districts (amphoe; khet in Bangkok).
    pub districts: u8,
}

const fn entry(
    code: &'static str,
    name_en: &'static str,
    name_th: &'static str,
    road_prefix: &'static str,
    districts: u8,
) -> ProvinceEntry {
    ProvinceEntry {
        code,
        name_en,
        name_th,
        road_prefix,
        districts,
    }
}

/// The 77 provinces with their official codes, names, road prefixes and
/// district counts, in code order.
#[rustfmt::skip]
pub const PROVINCES: [ProvinceEntry; 77] = [
    entry("10", "Bangkok", "กรุงเทพมหานคร", "กท", 50),
    entry("11", "Samut Prakan", "สมุทรปราการ", "สป", 6),
    entry("12", "Nonthaburi", "นนทบุรี", "นบ", 6),
    entry("13", "Pathum Thani", "ปทุมธานี", "ปท", 7),
    entry("14", "Phra Nakhon Si Ayutthaya", "พระนครศรีอยุธยา", "อย", 16),
    entry("15", "Ang Thong", "อ่างทอง", "อท", 7),
    entry("16", "Lop Buri", "ลพบุรี", "ลบ", 11),
    entry("17", "Sing Buri", "สิงห์บุรี", "สห", 6),
    entry("18", "Chai Nat", "ชัยนาท", "ชน", 8),
    entry("19", "Saraburi", "สระบุรี", "สบ", 13),
    entry("20", "Chon Buri", "ชลบุรี", "ชบ", 11),
    entry("21", "Rayong", "ระยอง", "รย", 8),
    entry("22", "Chanthaburi", "จันทบุรี", "จบ", 10),
    entry("23", "Trat", "ตราด", "ตร", 7),
    entry("24", "Chachoengsao", "ฉะเชิงเทรา", "ฉช", 11),
    entry("25", "Prachin Buri", "ปราจีนบุรี", "ปจ", 7),
    entry("26", "Nakhon Nayok", "นครนายก", "นย", 4),
    entry("27", "Sa Kaeo", "สระแก้ว", "สก", 9),
    entry("30", "Nakhon Ratchasima", "นครราชสีมา", "นม", 32),
    entry("31", "Buri Ram", "บุรีรัมย์", "บร", 23),
    entry("32", "Surin", "สุรินทร์", "สร", 17),
    entry("33", "Si Sa Ket", "ศรีสะเกษ", "ศก", 22),
    entry("34", "Ubon Ratchathani", "อุบลราชธานี", "อบ", 25),
    entry("35", "Yasothon", "ยโสธร", "ยส", 9),
    entry("36", "Chaiyaphum", "ชัยภูมิ", "ชย", 16),
    entry("37", "Amnat Charoen", "อำนาจเจริญ", "อจ", 7),
    entry("38", "Bueng Kan", "บึงกาฬ", "บก", 8),
    entry("39", "Nong Bua Lam Phu", "หนองบัวลำภู", "นภ", 6),
    entry("40", "Khon Kaen", "ขอนแก่น", "ขก", 26),
    entry("41", "Udon Thani", "อุดรธานี", "อด", 20),
    entry("42", "Loei", "เลย", "ลย", 14),
    entry("43", "Nong Khai", "หนองคาย", "นค", 9),
    entry("44", "Maha Sarakham", "มหาสารคาม", "มค", 13),
    entry("45", "Roi Et", "ร้อยเอ็ด", "รอ", 20),
    entry("46", "Kalasin", "กาฬสินธุ์", "กส", 18),
    entry("47", "Sakon Nakhon", "สกลนคร", "สน", 18),
    entry("48", "Nakhon Phanom", "นครพนม", "นพ", 12),
    entry("49", "Mukdahan", "มุกดาหาร", "มห", 7),
    entry("50", "Chiang Mai", "เชียงใหม่", "ชม", 25),
    entry("51", "Lamphun", "ลำพูน", "ลพ", 8),
    entry("52", "Lampang", "ลำปาง", "ลป", 13),
    entry("53", "Uttaradit", "อุตรดิตถ์", "อต", 9),
    entry("54", "Phrae", "แพร่", "พร", 8),
    entry("55", "Nan", "น่าน", "นน", 15),
    entry("56", "Phayao", "พะเยา", "พย", 9),
    entry("57", "Chiang Rai", "เชียงราย", "ชร", 18),
    entry("58", "Mae Hong Son", "แม่ฮ่องสอน", "มส", 7),
    entry("60", "Nakhon Sawan", "นครสวรรค์", "นว", 15),
    entry("61", "Uthai Thani", "อุทัยธานี", "อน", 8),
    entry("62", "Kamphaeng Phet", "กำแพงเพชร", "กพ", 11),
    entry("63", "Tak", "ตาก", "ตก", 9),
    entry("64", "Sukhothai", "สุโขทัย", "สท", 9),
    entry("65", "Phitsanulok", "พิษณุโลก", "พล", 9),
    entry("66", "Phichit", "พิจิตร", "พจ", 12),
    entry("67", "Phetchabun", "เพชรบูรณ์", "พช", 11),
    entry("70", "Ratchaburi", "ราชบุรี", "รบ", 10),
    entry("71", "Kanchanaburi", "กาญจนบุรี", "กจ", 13),
    entry("72", "Suphan Buri", "สุพรรณบุรี", "สพ", 10),
    entry("73", "Nakhon Pathom", "นครปฐม", "นฐ", 7),
    entry("74", "Samut Sakhon", "สมุทรสาคร", "สค", 3),
    entry("75", "Samut Songkhram", "สมุทรสงคราม", "สส", 3),
    entry("76", "Phetchaburi", "เพชรบุรี", "พบ", 8),
    entry("77", "Prachuap Khiri Khan", "ประจวบคีรีขันธ์", "ปข", 8),
    entry("80", "Nakhon Si Thammarat", "นครศรีธรรมราช", "นศ", 23),
    entry("81", "Krabi", "กระบี่", "กบ", 8),
    entry("82", "Phangnga", "พังงา", "พง", 8),
    entry("83", "Phuket", "ภูเก็ต", "ภก", 3),
    entry("84", "Surat Thani", "สุราษฎร์ธานี", "สฎ", 19),
    entry("85", "Ranong", "ระนอง", "รน", 5),
    entry("86", "Chumphon", "ชุมพร", "ชพ", 8),
    entry("90", "Songkhla", "สงขลา", "สข", 16),
    entry("91", "Satun", "สตูล", "สต", 7),
    entry("92", "Trang", "ตรัง", "ตง", 10),
    entry("93", "Phatthalung", "พัทลุง", "พท", 11),
    entry("94", "Pattani", "ปัตตานี", "ปน", 12),
    entry("95", "Yala", "ยะลา", "ยล", 8),
    entry("96", "Narathiwat", "นราธิวาส", "นธ", 13),
];

/// Basic-education schools in the country (Ministry of Education, 2024).
pub const NATIONAL_SCHOOLS: usize = 29_251;

/// Provinces with a road island, and how many schools stand on it: hill
/// villages reached only on foot or by river (Mae Hong Son, Tak, Nan),
/// villages across the reservoirs of Kanchanaburi and Surat Thani, and an
/// island village off Phangnga. Each island is one small cluster of lanes
/// in the district farthest from the provincial capital, with no link to
/// any other road.
pub const ISLANDS: [(&str, usize); 6] = [
    ("55", 1),
    ("58", 2),
    ("63", 3),
    ("71", 2),
    ("82", 1),
    ("84", 3),
];

/// Provinces with one district whose secondary-capable schools all stay
/// under 120 students (the most highland district apart from the
/// capital's and the island's), besides Chiang Mai's Galyani Vadhana.
pub const SMALL_SECONDARY_PROVINCES: [&str; 4] = ["55", "58", "63", "71"];

/// The country's rough extent, `(min, max)` `[lon, lat]` degrees: every
/// boundary, road and school lies inside.
pub const EXTENT: (LonLat, LonLat) = ([97.3, 5.6], [105.7, 20.5]);

/// Decimals of road vertices: 6 (about 10 cm) keeps the two-million-vertex
/// file a twentieth smaller than 7 would.
pub const ROAD_DECIMALS: i32 = 6;
/// Bangkok's schools per district relative to other provinces'.
const BANGKOK_SCHOOL_WEIGHT: f64 = 0.3;
/// Remote highland schools (1–3 km off any road) per province at most;
/// Chiang Mai keeps its own count.
const REMOTE_SCHOOLS_PER_PROVINCE: usize = 3;
/// Villages without a school for each village with one: Thailand has
/// about 75,000 villages (muban) for its 29,251 schools.
const HAMLETS_PER_SCHOOL: f64 = 2.0;
/// Village schools' enrolment relative to Chiang Mai's description: over
/// half the country's schools have fewer than 120 students.
const VILLAGE_ENROLMENT: f64 = 0.8;
/// How far around a province its terrain is kept (see [`Terrain::near`]):
/// more than the widest valley's half-width plus the edge ramp.
const TERRAIN_MARGIN_M: f64 = 40_000.0;
/// Corner jitter as a share of the narrowest adjacent column or row.
const CORNER_JITTER_SHARE: f64 = 0.1;
/// How far the lines between rows and the sides between cells may move
/// from even spacing, as a share of a row's or a cell's width.
const SHARE_JITTER: f64 = 0.15;
/// An island's centre keeps this far from its district's boundary, so no
/// remote school of a neighbouring district (1.1–2.9 km off any road)
/// finds the island its nearest road.
const ISLAND_BOUNDARY_M: f64 = 4_500.0;
/// The largest reach of an island's lanes from its centre, in metres.
const ISLAND_REACH_M: f64 = 1_200.0;

/// National stream numbers (province code 0, see [`province_stream`]).
const STREAM_GRID: u64 = 1;
const STREAM_NAMES: u64 = 2;
const STREAM_TRUNK: u64 = 3;
const STREAM_ISLANDS: u64 = 4;
/// The national stages' "province code".
const NATIONAL: &str = "00";

#[rustfmt::skip]
const UPLAND_NORTH_WEST: [LonLat; 22] = [
    [97.2, 20.6], [101.5, 20.6], [101.5, 19.3], [101.25, 18.2], [100.75, 17.55],
    [100.1, 17.65], [99.55, 17.2], [99.25, 16.4], [99.2, 15.3], [99.3, 14.3],
    [99.45, 13.5], [99.55, 12.6], [99.6, 11.6], [99.3, 10.9], [98.95, 10.3],
    [98.85, 9.0], [98.6, 8.3], [97.2, 8.3], [97.2, 12.0], [97.2, 16.0],
    [97.2, 18.0], [97.2, 20.6],
];
#[rustfmt::skip]
const UPLAND_PHETCHABUN_LOEI: [LonLat; 8] = [
    [100.85, 17.35], [101.9, 18.1], [102.2, 17.6], [101.9, 16.2], [101.6, 15.4],
    [101.2, 15.6], [100.9, 16.4], [100.85, 17.35],
];
#[rustfmt::skip]
const UPLAND_KHAO_YAI: [LonLat; 5] = [
    [101.0, 14.75], [102.2, 14.75], [102.3, 14.3], [101.0, 14.3], [101.0, 14.75],
];
#[rustfmt::skip]
const UPLAND_CHANTHABURI: [LonLat; 5] = [
    [101.95, 13.05], [102.5, 13.1], [102.55, 12.45], [102.0, 12.5], [101.95, 13.05],
];
#[rustfmt::skip]
const UPLAND_NAKHON_SI_THAMMARAT: [LonLat; 5] = [
    [99.55, 9.1], [99.95, 9.1], [100.1, 7.6], [99.75, 7.5], [99.55, 9.1],
];
#[rustfmt::skip]
const UPLAND_SANKALAKHIRI: [LonLat; 5] = [
    [100.9, 6.3], [102.0, 6.1], [102.0, 5.5], [100.9, 5.5], [100.9, 6.3],
];

const fn vp(lon: f64, lat: f64, half_width_m: f64) -> ValleyPoint {
    ValleyPoint {
        lon,
        lat,
        half_width_m,
    }
}

/// River valleys through the northern and western hills (the Ping valley
/// around Chiang Mai comes with its description).
#[rustfmt::skip]
const VALLEYS: [&[ValleyPoint]; 9] = [
    // Kok and the Chiang Rai basin.
    &[vp(99.55, 20.30, 8_000.0), vp(99.85, 19.95, 14_000.0), vp(100.15, 19.75, 10_000.0), vp(100.35, 19.65, 5_000.0)],
    // Phayao.
    &[vp(99.85, 19.55, 5_000.0), vp(99.90, 19.20, 9_000.0), vp(100.05, 18.95, 5_000.0)],
    // Wang, Lampang.
    &[vp(99.70, 18.85, 5_000.0), vp(99.95, 18.45, 12_000.0), vp(99.90, 18.20, 6_000.0)],
    // Yom, Phrae.
    &[vp(100.15, 18.30, 4_000.0), vp(100.15, 18.00, 8_000.0), vp(100.00, 17.60, 8_000.0)],
    // Nan, down to Uttaradit.
    &[vp(100.80, 19.50, 4_000.0), vp(100.78, 18.80, 9_000.0), vp(100.65, 18.25, 5_000.0), vp(100.45, 17.85, 7_000.0), vp(100.20, 17.55, 10_000.0)],
    // The lower Ping through Lamphun towards Tak.
    &[vp(99.05, 18.25, 9_000.0), vp(99.05, 17.85, 7_000.0), vp(99.15, 17.45, 6_000.0), vp(99.40, 16.90, 8_000.0)],
    // Mae Sot.
    &[vp(98.50, 16.95, 4_000.0), vp(98.60, 16.65, 7_000.0), vp(98.75, 16.35, 4_000.0)],
    // Pai and Mae Hong Son.
    &[vp(97.95, 19.45, 3_000.0), vp(97.95, 19.25, 4_000.0), vp(97.90, 18.80, 3_000.0), vp(97.95, 18.05, 4_000.0)],
    // The Khwae Noi, Kanchanaburi.
    &[vp(98.55, 14.15, 5_000.0), vp(98.75, 14.50, 4_000.0), vp(98.60, 15.00, 3_000.0)],
];

/// The country's terrain: highland in the north and west, along the
/// Phetchabun and Loei ranges, around Khao Yai, in the hills of
/// Chanthaburi and along the southern spine and border; lowland in the
/// central plain, on the Khorat plateau and along the coasts.
pub fn national_terrain() -> Terrain {
    Terrain {
        valleys: VALLEYS.iter().map(|v| v.to_vec()).collect(),
        uplands: Some(vec![
            UPLAND_NORTH_WEST.to_vec(),
            UPLAND_PHETCHABUN_LOEI.to_vec(),
            UPLAND_KHAO_YAI.to_vec(),
            UPLAND_CHANTHABURI.to_vec(),
            UPLAND_NAKHON_SI_THAMMARAT.to_vec(),
            UPLAND_SANKALAKHIRI.to_vec(),
        ]),
    }
}

/// A province's rectangle of blocks: first column and row (row 0 is the
/// southernmost) and how many of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRect {
    pub column: usize,
    pub row: usize,
    pub columns: usize,
    pub rows: usize,
}

/// [`BLOCKS`] read into `[row][column]` (row 0 the southernmost) indices
/// into [`PROVINCES`]; a code missing from the table reads as abroad.
pub fn block_grid() -> Vec<Vec<Option<usize>>> {
    BLOCKS
        .iter()
        .rev()
        .map(|line| {
            line.split_whitespace()
                .map(|token| PROVINCES.iter().position(|p| p.code == token))
                .collect()
        })
        .collect()
}

/// The bounding rectangle of each province's blocks, by index into
/// [`PROVINCES`] (`None` for a province with no block).
pub fn block_rects(grid: &[Vec<Option<usize>>]) -> Vec<Option<BlockRect>> {
    let mut rects: Vec<Option<BlockRect>> = vec![None; PROVINCES.len()];
    for (row, line) in grid.iter().enumerate() {
        for (column, cell) in line.iter().enumerate() {
            let Some(p) = *cell else { continue };
            rects[p] = Some(match rects[p] {
                None => BlockRect {
                    column,
                    row,
                    columns: 1,
                    rows: 1,
                },
                Some(r) => {
                    let (c0, r0) = (r.column.min(column), r.row.min(row));
                    let c1 = (r.column + r.columns).max(column + 1);
                    let r1 = (r.row + r.rows).max(row + 1);
                    BlockRect {
                        column: c0,
                        row: r0,
                        columns: c1 - c0,
                        rows: r1 - r0,
                    }
                }
            });
        }
    }
    rects
}

/// The jittered block grid and the drawn border lines.
struct Borders {
    /// Along row line `j` from column line `i` to `i + 1`, west to east.
    along_rows: Vec<Vec<Vec<LonLat>>>,
    /// Along column line `i` from row line `j` to `j + 1`, south to north.
    along_columns: Vec<Vec<Vec<LonLat>>>,
}

impl Borders {
    /// Jitters the grid's corners and draws every block side that
    /// separates two provinces or a province from abroad; sides inside a
    /// province stay empty.
    fn draw(grid: &[Vec<Option<usize>>], rng: &mut ChaCha8Rng) -> Borders {
        let (rows, columns) = (LAT_LINES.len() - 1, LON_LINES.len() - 1);
        let span = |lines: &[f64], k: usize| {
            [
                k.checked_sub(1).map(|p| lines[k] - lines[p]),
                lines.get(k + 1).map(|n| n - lines[k]),
            ]
            .into_iter()
            .flatten()
            .fold(f64::INFINITY, f64::min)
        };
        let corners: Vec<Vec<LonLat>> = (0..=rows)
            .map(|j| {
                (0..=columns)
                    .map(|i| {
                        let d_lon =
                            rng.random_range(-1.0..1.0) * CORNER_JITTER_SHARE * span(&LON_LINES, i);
                        let d_lat =
                            rng.random_range(-1.0..1.0) * CORNER_JITTER_SHARE * span(&LAT_LINES, j);
                        rounded7([LON_LINES[i] + d_lon, LAT_LINES[j] + d_lat])
                    })
                    .collect()
            })
            .collect();
        let block = |row: Option<usize>, column: Option<usize>| match (row, column) {
            (Some(r), Some(c)) => grid.get(r).and_then(|line| line.get(c)).copied().flatten(),
            _ => None,
        };
        let along_rows = (0..=rows)
            .map(|j| {
                (0..columns)
                    .map(|i| {
                        let below = block(j.checked_sub(1), Some(i));
                        let above = block(Some(j), Some(i));
                        if below != above {
                            wiggle(corners[j][i], corners[j][i + 1], rng)
                        } else {
                            Vec::new()
                        }
                    })
                    .collect()
            })
            .collect();
        let along_columns = (0..rows)
            .map(|j| {
                (0..=columns)
                    .map(|i| {
                        let west = block(Some(j), i.checked_sub(1));
                        let east = block(Some(j), Some(i));
                        if west != east {
                            wiggle(corners[j][i], corners[j + 1][i], rng)
                        } else {
                            Vec::new()
                        }
                    })
                    .collect()
            })
            .collect();
        Borders {
            along_rows,
            along_columns,
        }
    }

    /// The four sides of a rectangle of blocks.
    fn sides(&self, r: BlockRect) -> Sides {
        let run = |pieces: &mut dyn Iterator<Item = &Vec<LonLat>>| {
            let mut line = Vec::new();
            for piece in pieces {
                append(&mut line, piece.iter());
            }
            line
        };
        let columns = r.column..r.column + r.columns;
        let rows = r.row..r.row + r.rows;
        Sides {
            south: run(&mut columns.clone().map(|i| &self.along_rows[r.row][i])),
            north: run(&mut columns.map(|i| &self.along_rows[r.row + r.rows][i])),
            west: run(&mut rows.clone().map(|j| &self.along_columns[j][r.column])),
            east: run(&mut rows.map(|j| &self.along_columns[j][r.column + r.columns])),
        }
    }
}

/// The point at `share` of a polyline's length.
fn point_at_share(line: &[LonLat], share: f64) -> LonLat {
    let total_m: f64 = line.windows(2).map(|w| distance_m(w[0], w[1])).sum();
    let mut left_m = share.clamp(0.0, 1.0) * total_m;
    for w in line.windows(2) {
        let step_m = distance_m(w[0], w[1]);
        if left_m <= step_m && step_m > 0.0 {
            let t = left_m / step_m;
            return [
                w[0][0] + t * (w[1][0] - w[0][0]),
                w[0][1] + t * (w[1][1] - w[0][1]),
            ];
        }
        left_m -= step_m;
    }
    line[line.len() - 1]
}

/// The point at `(u, v)` of the patch bounded by `sides` (Coons
/// interpolation: `u` runs west to east, `v` south to north, and the
/// patch's edges are the sides themselves).
fn coons(sides: &Sides, u: f64, v: f64) -> LonLat {
    let (s, n) = (
        point_at_share(&sides.south, u),
        point_at_share(&sides.north, u),
    );
    let (w, e) = (
        point_at_share(&sides.west, v),
        point_at_share(&sides.east, v),
    );
    let (sw, se) = (sides.south[0], sides.south[sides.south.len() - 1]);
    let (nw, ne) = (sides.north[0], sides.north[sides.north.len() - 1]);
    let mix = |k: usize| {
        (1.0 - v) * s[k] + v * n[k] + (1.0 - u) * w[k] + u * e[k]
            - ((1.0 - u) * (1.0 - v) * sw[k]
                + u * (1.0 - v) * se[k]
                + (1.0 - u) * v * nw[k]
                + u * v * ne[k])
    };
    [mix(0), mix(1)]
}

fn line_length_m(line: &[LonLat]) -> f64 {
    line.windows(2).map(|w| distance_m(w[0], w[1])).sum()
}

/// Evenly spread shares `1/n .. (n-1)/n`, each moved at random by up to
/// [`SHARE_JITTER`] of a step.
fn jittered_shares(n: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    (1..n)
        .map(|k| (k as f64 + rng.random_range(-SHARE_JITTER..SHARE_JITTER)) / n as f64)
        .collect()
}

/// Rows of cells for `count` districts on a patch `width_m` by
/// `height_m`: about square cells, the counts per row as even as they go.
fn generic_arrangement(
    count: usize,
    width_m: f64,
    height_m: f64,
    rng: &mut ChaCha8Rng,
) -> Arrangement {
    let rows = ((count as f64 * height_m / width_m).sqrt().round() as usize).clamp(1, count);
    let per_row: Vec<usize> = (0..rows)
        .map(|j| (j + 1) * count / rows - j * count / rows)
        .collect();
    let row_shares = jittered_shares(rows, rng);
    // A row as wide as the one below starts from that row's upper corners,
    // as in a regular grid; other rows meet their neighbours in
    // T-junctions.
    let mut column_shares: Vec<(Vec<f64>, Vec<f64>)> = Vec::with_capacity(rows);
    for (j, &n) in per_row.iter().enumerate() {
        let lower = match column_shares.last() {
            Some((_, upper)) if per_row[j - 1] == n => upper.clone(),
            _ => jittered_shares(n, rng),
        };
        let upper = jittered_shares(n, rng);
        column_shares.push((lower, upper));
    }
    let mut next = 0_u8;
    let numbers = per_row
        .iter()
        .map(|&n| {
            (0..n)
                .map(|_| {
                    next += 1;
                    next
                })
                .collect()
        })
        .collect();
    Arrangement {
        row_shares,
        numbers,
        column_shares,
    }
}

/// Chiang Mai's own grid, as shares of its block's sides.
fn chiang_mai_arrangement() -> Arrangement {
    let spec = &CHIANG_MAI;
    let rows = spec.layout.len();
    let (south, north) = (spec.row_lat[0], spec.row_lat[rows]);
    let row_shares = spec.row_lat[1..rows]
        .iter()
        .map(|lat| (lat - south) / (north - south))
        .collect();
    let line_shares = |j: usize| -> Vec<f64> {
        let lons = spec.column_lon[j];
        let (w, e) = (lons[0], lons[lons.len() - 1]);
        lons[1..lons.len() - 1]
            .iter()
            .map(|lon| (lon - w) / (e - w))
            .collect()
    };
    Arrangement {
        row_shares,
        numbers: spec.layout.iter().map(|r| r.to_vec()).collect(),
        column_shares: (0..rows)
            .map(|j| (line_shares(j), line_shares(j + 1)))
            .collect(),
    }
}

fn centroid(ring: &[LonLat]) -> LonLat {
    let n = (ring.len() - 1).max(1) as f64;
    ring[..ring.len() - 1]
        .iter()
        .fold([0.0, 0.0], |c, p| [c[0] + p[0] / n, c[1] + p[1] / n])
}

fn padded_bounds(outline: &[LonLat]) -> (LonLat, LonLat) {
    let (min, max) = plan::bbox(outline);
    (
        [min[0] - BOUNDS_PAD_DEG, min[1] - BOUNDS_PAD_DEG],
        [max[0] + BOUNDS_PAD_DEG, max[1] + BOUNDS_PAD_DEG],
    )
}

/// Where Chiang Mai's description puts `[lon, lat]`, moved into its
/// tiling in the national block: the point's place within the grid cell
/// of the description that holds it (or the nearest one), as fractions
/// across and up, is taken to the same district's cell of `tiling` by
/// bilinear interpolation between that cell's corners. Points move with
/// the districts around them, so the city stays in Mueang Chiang Mai and
/// the Ping valley in the valley districts.
fn fit_chiang_mai(tiling: &Tiling, p: LonLat) -> LonLat {
    let spec = &CHIANG_MAI;
    let rows = spec.layout.len();
    let row = (0..rows)
        .find(|&j| p[1] < spec.row_lat[j + 1])
        .unwrap_or(rows - 1);
    let (south, north) = (spec.row_lat[row], spec.row_lat[row + 1]);
    let v = (p[1] - south) / (north - south);
    // Column line `i` of the description at this height.
    let line = |i: usize| {
        spec.column_lon[row][i] + v * (spec.column_lon[row + 1][i] - spec.column_lon[row][i])
    };
    let columns = spec.layout[row].len();
    let column = (0..columns)
        .find(|&i| p[0] < line(i + 1))
        .unwrap_or(columns - 1);
    let u = (p[0] - line(column)) / (line(column + 1) - line(column));
    let number = spec.layout[row][column];
    let Some(cell) = tiling.cells.iter().find(|c| c.number == number) else {
        return p;
    };
    let [sw, se, ne, nw] = cell.corners;
    let at = |k: usize| {
        (1.0 - u) * (1.0 - v) * sw[k]
            + u * (1.0 - v) * se[k]
            + u * v * ne[k]
            + (1.0 - u) * v * nw[k]
    };
    [at(0), at(1)]
}

/// The country laid out: every province, tiled, named and with its part
/// of the terrain, in table order; and the whole terrain, which includes
/// Chiang Mai's valley as fitted into its block.
pub fn country(seed: u64) -> (Vec<Province>, Terrain) {
    let grid = block_grid();
    let rects = block_rects(&grid);
    let borders = Borders::draw(&grid, &mut province_stream(seed, NATIONAL, STREAM_GRID));
    // Chiang Mai is tiled first: its valley, fitted into its districts,
    // is part of the terrain every province takes its share of.
    let chiang_mai_tiling = tile_chiang_mai(seed, &borders, &rects);
    let terrain = terrain_with_chiang_mai(chiang_mai_tiling.as_ref());
    let mut naming = DistrictNaming::new(seed);
    let mut school_counts = generic_school_counts().into_iter();

    let mut provinces = Vec::with_capacity(PROVINCES.len());
    for (entry, rect) in PROVINCES.iter().zip(&rects) {
        let Some(rect) = *rect else { continue };
        let sides = borders.sides(rect);
        let mut rng = province_stream(seed, entry.code, STREAM_TILING);
        let chiang_mai = entry.code == CHIANG_MAI.code;
        let tiling = match (&chiang_mai_tiling, chiang_mai) {
            (Some(tiling), true) => tiling.clone(),
            _ => tile_generic(entry, &sides, &mut rng),
        };
        let bounds = padded_bounds(&tiling.outline);
        let block = Block {
            entry,
            tiling,
            bounds,
            terrain: terrain.near(bounds.0, bounds.1, TERRAIN_MARGIN_M),
        };
        let mut province = if chiang_mai {
            chiang_mai_province(block)
        } else {
            let school_count = school_counts.next().unwrap_or(0);
            generic_province(block, &sides, &mut rng, &mut naming, school_count)
        };
        province.labels.sort_by_key(|l| l.number);
        provinces.push(province);
    }
    (provinces, terrain)
}

/// Chiang Mai's own description tiled into its block, when the block grid
/// has it.
fn tile_chiang_mai(seed: u64, borders: &Borders, rects: &[Option<BlockRect>]) -> Option<Tiling> {
    PROVINCES
        .iter()
        .zip(rects)
        .find(|(entry, _)| entry.code == CHIANG_MAI.code)
        .and_then(|(entry, rect)| {
            rect.map(|r| {
                districts::tile_sides(
                    &borders.sides(r),
                    &chiang_mai_arrangement(),
                    &mut province_stream(seed, entry.code, STREAM_TILING),
                )
            })
        })
}

/// The national terrain, with Chiang Mai's valley fitted into its tiling.
fn terrain_with_chiang_mai(chiang_mai_tiling: Option<&Tiling>) -> Terrain {
    let mut terrain = national_terrain();
    if let Some(tiling) = chiang_mai_tiling {
        terrain.valleys.push(
            CHIANG_MAI
                .valley
                .iter()
                .map(|v| {
                    let [lon, lat] = fit_chiang_mai(tiling, [v.lon, v.lat]);
                    ValleyPoint { lon, lat, ..*v }
                })
                .collect(),
        );
    }
    terrain
}

/// School counts of the provinces other than Chiang Mai (which has its
/// own), in table order: the national total less Chiang Mai's, shared by
/// district count, Bangkok's at a lower rate.
fn generic_school_counts() -> Vec<usize> {
    let weights: Vec<f64> = PROVINCES
        .iter()
        .filter(|p| p.code != CHIANG_MAI.code)
        .map(|p| {
            let rate = if p.code == "10" {
                BANGKOK_SCHOOL_WEIGHT
            } else {
                1.0
            };
            f64::from(p.districts) * rate
        })
        .collect();
    plan::allocate(NATIONAL_SCHOOLS - CHIANG_MAI.school_count, &weights, 0)
}

/// The district names handed out across the country, so that no two
/// districts share one, and the stream they are drawn from.
struct DistrictNaming {
    book: DistrictNames,
    rng: ChaCha8Rng,
}

impl DistrictNaming {
    /// Chiang Mai's names come with its description: no other district
    /// gets them.
    fn new(seed: u64) -> Self {
        let mut book = DistrictNames::default();
        for label in CHIANG_MAI.labels() {
            book.reserve(&label.name_th);
        }
        DistrictNaming {
            book,
            rng: province_stream(seed, NATIONAL, STREAM_NAMES),
        }
    }
}

/// A generic province's districts tiled into its block: as many as the
/// table says, in rows and columns that suit the block's shape.
fn tile_generic(entry: &ProvinceEntry, sides: &Sides, rng: &mut ChaCha8Rng) -> Tiling {
    let width_m = 0.5 * (line_length_m(&sides.south) + line_length_m(&sides.north));
    let height_m = 0.5 * (line_length_m(&sides.west) + line_length_m(&sides.east));
    let arrangement = generic_arrangement(usize::from(entry.districts), width_m, height_m, rng);
    districts::tile_sides(sides, &arrangement, rng)
}

/// A province's block, tiled: what every province is built from.
struct Block<'a> {
    entry: &'a ProvinceEntry,
    tiling: Tiling,
    bounds: (LonLat, LonLat),
    /// The terrain near the block.
    terrain: Terrain,
}

/// Chiang Mai, as its description has it, in its block.
fn chiang_mai_province(block: Block<'_>) -> Province {
    let Block {
        entry,
        tiling,
        bounds,
        terrain,
    } = block;
    // The description's city, moved into the block.
    let city = rounded7(fit_chiang_mai(&tiling, CHIANG_MAI.city));
    // Kept only where it lands well inside the capital district;
    // otherwise the capital's seat is chosen as any other.
    let city = tiling
        .cells
        .iter()
        .find(|c| c.number == CHIANG_MAI.capital)
        .filter(|c| inside_with_margin(&c.ring, city, 3_000.0))
        .map(|_| city);
    Province {
        code: entry.code,
        road_prefix: entry.road_prefix,
        labels: CHIANG_MAI.labels(),
        tiling,
        bounds,
        terrain,
        school_count: CHIANG_MAI.school_count,
        capital: CHIANG_MAI.capital,
        city,
        small_secondary_district: CHIANG_MAI.small_secondary_district,
        remote_schools: SPEC_REMOTE_SCHOOLS,
        hamlets_per_school: SPEC_HAMLETS_PER_SCHOOL,
        village_enrolment: 1.0,
        islands: Vec::new(),
    }
}

/// A generic province in its block, with `school_count` schools: its
/// districts numbered from the capital and named, and its edge cases
/// marked.
fn generic_province(
    block: Block<'_>,
    sides: &Sides,
    rng: &mut ChaCha8Rng,
    naming: &mut DistrictNaming,
    school_count: usize,
) -> Province {
    let Block {
        entry,
        mut tiling,
        bounds,
        terrain,
    } = block;
    let shares = number_districts(&mut tiling, sides, &terrain, rng);
    let labels = name_districts(entry, &tiling, &mut naming.book, &mut naming.rng);
    let mut province = Province {
        code: entry.code,
        road_prefix: entry.road_prefix,
        labels,
        tiling,
        bounds,
        terrain,
        school_count,
        capital: 1,
        city: None,
        small_secondary_district: None,
        remote_schools: REMOTE_SCHOOLS_PER_PROVINCE,
        hamlets_per_school: HAMLETS_PER_SCHOOL,
        village_enrolment: VILLAGE_ENROLMENT,
        islands: Vec::new(),
    };
    mark_edge_cases(&mut province, &shares);
    province
}

/// Numbers the cells of a generic province: 1 for the capital district,
/// the cell with the most lowland near the middle of the province, then
/// the others in random order. Returns each cell's share of lowland, by
/// district number (index 0 unused).
fn number_districts(
    tiling: &mut Tiling,
    sides: &Sides,
    terrain: &Terrain,
    rng: &mut ChaCha8Rng,
) -> Vec<f64> {
    let middle = coons(sides, 0.5, 0.5);
    let size_m = distance_m(sides.south[0], sides.north[sides.north.len() - 1]).max(1.0);
    let shares: Vec<f64> = tiling
        .cells
        .iter()
        .map(|c| plan::valley_share(terrain, &c.ring))
        .collect();
    let capital = (0..tiling.cells.len())
        .map(|i| {
            let off = distance_m(centroid(&tiling.cells[i].ring), middle) / size_m;
            (i, shares[i] - 1.5 * off)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map_or(0, |(i, _)| i);
    let mut others: Vec<usize> = (0..tiling.cells.len()).filter(|&i| i != capital).collect();
    others.shuffle(rng);
    let mut by_number = vec![0.0; tiling.cells.len() + 1];
    tiling.cells[capital].number = 1;
    by_number[1] = shares[capital];
    for (k, &i) in others.iter().enumerate() {
        let number = k + 2;
        tiling.cells[i].number = number as u8;
        by_number[number] = shares[i];
    }
    by_number
}

/// Names of a generic province's districts, by number: the capital's
/// "Mueang …" (Phra Nakhon in Bangkok), the others generated.
fn name_districts(
    entry: &ProvinceEntry,
    tiling: &Tiling,
    book: &mut DistrictNames,
    rng: &mut ChaCha8Rng,
) -> Vec<DistrictLabel> {
    let mut numbers: Vec<u8> = tiling.cells.iter().map(|c| c.number).collect();
    numbers.sort_unstable();
    numbers
        .into_iter()
        .map(|number| {
            let (name_th, name_en) = if number == 1 {
                if entry.code == "10" {
                    book.reserve("พระนคร");
                    ("พระนคร".to_string(), "Phra Nakhon".to_string())
                } else {
                    book.mueang(entry.name_th, entry.name_en)
                }
            } else {
                book.next(rng)
            };
            DistrictLabel {
                number,
                name_en,
                name_th,
            }
        })
        .collect()
}

/// Puts the province's road island, if it has one, in the district
/// farthest from the capital, and its small-secondary district, if it has
/// one, in the most highland other district.
fn mark_edge_cases(province: &mut Province, lowland_shares: &[f64]) {
    let centre_of = |number: u8| {
        province
            .tiling
            .cells
            .iter()
            .find(|c| c.number == number)
            .map(|c| centroid(&c.ring))
    };
    let Some(capital) = centre_of(province.capital) else {
        return;
    };
    if let Some(&(_, schools)) = ISLANDS.iter().find(|(code, _)| *code == province.code) {
        let farthest = province
            .tiling
            .cells
            .iter()
            .filter(|c| c.number != province.capital)
            .map(|c| (c.number, distance_m(centroid(&c.ring), capital)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        if let Some((number, _)) = farthest {
            province.islands.push((number, schools));
        }
    }
    if SMALL_SECONDARY_PROVINCES.contains(&province.code) {
        let most_highland = (1..lowland_shares.len())
            .map(|n| n as u8)
            .filter(|&n| n != province.capital && province.island_schools(n) == 0)
            .min_by(|&a, &b| {
                lowland_shares[usize::from(a)]
                    .total_cmp(&lowland_shares[usize::from(b)])
                    .then(a.cmp(&b))
            });
        province.small_secondary_district = most_highland;
    }
}

/// Pairs of provinces (indices into `provinces`) whose blocks touch along
/// a side, each once, in order.
fn neighbours(provinces: &[Province]) -> Vec<(usize, usize)> {
    let grid = block_grid();
    let index_of = |table: usize| {
        provinces
            .iter()
            .position(|p| p.code == PROVINCES[table].code)
    };
    let mut pairs = BTreeSet::new();
    for (row, line) in grid.iter().enumerate() {
        for (column, cell) in line.iter().enumerate() {
            let Some(here) = cell.and_then(index_of) else {
                continue;
            };
            let east = line.get(column + 1).copied().flatten().and_then(index_of);
            let north = grid
                .get(row + 1)
                .and_then(|l| l.get(column))
                .copied()
                .flatten()
                .and_then(index_of);
            for other in [east, north].into_iter().flatten() {
                if other != here {
                    pairs.insert((here.min(other), here.max(other)));
                }
            }
        }
    }
    pairs.into_iter().collect()
}

/// Generates the national data set.
pub fn generate(seed: u64) -> SynthDataset {
    let (provinces, terrain) = country(seed);
    let extent = (
        [EXTENT.0[0] - 0.1, EXTENT.0[1] - 0.1],
        [EXTENT.1[0] + 0.1, EXTENT.1[1] + 0.1],
    );
    let pairs = neighbours(&provinces);
    super::assemble(
        &provinces,
        extent,
        ROAD_DECIMALS,
        seed,
        |network, plans, books| {
            national_highways(&provinces, plans, &pairs, &terrain, network, seed);
            road_islands(&provinces, plans, books, network, seed);
        },
    )
}

/// The capital seat's vertex of each province.
fn capital_nodes(provinces: &[Province], plans: &[ProvincePlan]) -> Vec<u32> {
    provinces
        .iter()
        .zip(plans)
        .map(|(province, plan)| {
            plan.districts
                .iter()
                .find(|d| d.number == province.capital)
                .and_then(|d| d.villages.first())
                .map_or(0, |v| v.node)
        })
        .collect()
}

/// Primary roads between the capitals of neighbouring provinces: the
/// cheapest tree (length, more in the hills) keeps the country connected;
/// further neighbour links are primary on the flat and sometimes
/// secondary elsewhere.
fn national_highways(
    provinces: &[Province],
    plans: &[ProvincePlan],
    pairs: &[(usize, usize)],
    terrain: &Terrain,
    network: &mut Network,
    seed: u64,
) {
    let mut rng = province_stream(seed, NATIONAL, STREAM_TRUNK);
    let capitals = capital_nodes(provinces, plans);
    let at = |p: usize| network.nodes[capitals[p] as usize];
    let hilliness = |a: LonLat, b: LonLat| {
        (0..=8)
            .map(|k| terrain.highland_weight(plan::lerp(a, b, k as f64 / 8.0)))
            .sum::<f64>()
            / 9.0
    };
    let mut costed: Vec<(f64, f64, usize, usize)> = pairs
        .iter()
        .map(|&(a, b)| {
            let hills = hilliness(at(a), at(b));
            (distance_m(at(a), at(b)) * (1.0 + 2.0 * hills), hills, a, b)
        })
        .collect();
    costed.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.2.cmp(&y.2)).then(x.3.cmp(&y.3)));
    let mut parent: Vec<usize> = (0..provinces.len()).collect();
    fn root(parent: &mut [usize], mut v: usize) -> usize {
        while parent[v] != v {
            parent[v] = parent[parent[v]];
            v = parent[v];
        }
        v
    }
    let mut highways = 0;
    for (_, hills, a, b) in costed {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        let in_tree = ra != rb;
        if in_tree {
            parent[ra] = rb;
        }
        let class = if in_tree || (hills < 0.35 && rng.random_bool(0.6)) {
            RoadClass::Primary
        } else if rng.random_bool(0.4) {
            RoadClass::Secondary
        } else {
            continue;
        };
        let posted = rng.random_bool(if hills < 0.5 { 0.8 } else { 0.4 });
        let label = if class == RoadClass::Primary {
            highways += 1;
            RoadLabel {
                class,
                name: names::national_highway(highways - 1),
                maxspeed_kmh: posted.then_some(if hills < 0.5 { 90 } else { 60 }),
            }
        } else {
            RoadLabel {
                class,
                name: names::rural_road(provinces[a].road_prefix, &mut rng),
                maxspeed_kmh: posted.then_some(if hills < 0.5 { 80 } else { 60 }),
            }
        };
        network.build_road(capitals[a], capitals[b], label, terrain, &mut rng);
    }
}

/// Segments of `network` near a box, indexed for distance queries.
struct Clearance {
    segments: Vec<(LonLat, LonLat)>,
    grid: Grid<u32>,
}

impl Clearance {
    const CELL_DEG: f64 = 0.01;

    fn around(network: &Network, min: LonLat, max: LonLat) -> Clearance {
        let mut segments = Vec::new();
        let mut grid = Grid::new(min, max, Self::CELL_DEG);
        for road in &network.roads {
            for w in road.nodes.windows(2) {
                let (a, b) = (network.nodes[w[0] as usize], network.nodes[w[1] as usize]);
                let outside = a[0].max(b[0]) < min[0]
                    || a[0].min(b[0]) > max[0]
                    || a[1].max(b[1]) < min[1]
                    || a[1].min(b[1]) > max[1];
                if !outside {
                    grid.insert_box(a, b, segments.len() as u32);
                    segments.push((a, b));
                }
            }
        }
        Clearance { segments, grid }
    }

    /// Metres from `p` to the nearest indexed segment, at most `cap_m`.
    fn distance_m(&self, p: LonLat, cap_m: f64) -> f64 {
        self.grid
            .around(p, cap_m)
            .map(|s| {
                let (a, b) = self.segments[s as usize];
                super::geom::point_segment_m(p, a, b).0
            })
            .fold(cap_m, f64::min)
    }
}

/// Builds each planned road island: the spot of its district farthest
/// from every road, a village there with lanes to a few more, none of
/// them reaching any other road; the island's villages hold its schools.
fn road_islands(
    provinces: &[Province],
    plans: &mut [ProvincePlan],
    books: &mut [NameBook],
    network: &mut Network,
    seed: u64,
) {
    let mut rng = province_stream(seed, NATIONAL, STREAM_ISLANDS);
    for (p, province) in provinces.iter().enumerate() {
        for &(number, schools) in &province.islands {
            let Some(district) = plans[p].districts.iter_mut().find(|d| d.number == number) else {
                continue;
            };
            let (min, max) = plan::bbox(&district.ring);
            let clearance = Clearance::around(network, min, max);
            let search_m = 4.0 * ISLAND_REACH_M;
            // The spot farthest from any road among random ones well inside
            // the district; nearer the boundary only if none is found (the
            // district is then small, and its schools must still be placed).
            let mut best: Option<(f64, LonLat)> = None;
            for boundary_m in [ISLAND_BOUNDARY_M, 1_500.0, 200.0, 0.0] {
                for _ in 0..800 {
                    let spot = plan::random_in_box(&district.ring, &mut rng);
                    if !inside_with_margin(&district.ring, spot, boundary_m) {
                        continue;
                    }
                    let clear_m = clearance.distance_m(spot, search_m);
                    if best.is_none_or(|(b, _)| clear_m > b) {
                        best = Some((clear_m, spot));
                    }
                }
                if best.is_some() {
                    break;
                }
            }
            let (clear_m, centre) = best.unwrap_or((0.0, district.seat));
            // The lanes stay inside a circle that no other road enters.
            let reach_m = ISLAND_REACH_M.min(0.6 * clear_m);
            let highland = province.terrain.is_highland(centre);
            let class = if highland {
                RoadClass::Track
            } else {
                RoadClass::Unclassified
            };
            let hub = network.add_node(centre);
            let mut sites = vec![hub];
            let lanes = schools + 1;
            let turn = rng.random_range(0.0..std::f64::consts::TAU);
            for k in 0..lanes {
                let angle = turn
                    + std::f64::consts::TAU * (k as f64 + rng.random_range(-0.2..0.2))
                        / lanes as f64;
                let length_m = rng.random_range(0.45..0.95) * reach_m;
                let mut nodes = vec![hub];
                let steps = ((length_m / 90.0).ceil() as usize).max(2);
                for s in 1..=steps {
                    let along_m = length_m * s as f64 / steps as f64;
                    // A gentle wobble that keeps within the clear circle.
                    let wobble_m = (0.02 * reach_m).min(12.0);
                    let side_m = if s < steps {
                        rng.random_range(-1.0..1.0) * wobble_m
                    } else {
                        0.0
                    };
                    let (sin, cos) = angle.sin_cos();
                    let q = offset_m(
                        centre,
                        along_m * cos - side_m * sin,
                        along_m * sin + side_m * cos,
                    );
                    nodes.push(network.add_node(q));
                }
                if k + 1 < schools {
                    sites.push(nodes[nodes.len() - 1]);
                }
                network.add_road(RoadLabel::new(class, String::new()), nodes);
            }
            for node in sites {
                district.villages.push(Village {
                    position: network.nodes[node as usize],
                    node,
                    name: books[p].village(highland, &mut rng),
                    role: Role::Village,
                    school: true,
                });
            }
            district.island_schools = 0;
        }
    }
}
