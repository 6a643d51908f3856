//! The three files of a data set: `schools.csv`, `roads.geojson` and
//! `districts.geojson`.
//!
//! GeoJSON is written by hand, one feature per line, with no spaces and
//! coordinates printed by `f64`'s shortest round-trip form. Coordinates are
//! stored already rounded to 7 decimals (road vertices of the `thailand`
//! preset to 6), so that form has no more decimals than that and equal
//! vertices print equally.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use hubsel::io::schools::SchoolColumns;

use super::geom::LonLat;
use super::{SynthDistrict, SynthRoad, SynthSchool};

/// The column names of `schools.csv`, in order: the fields the engine
/// reads ([`SchoolColumns::FIELDS`]), then the attributes scenarios use.
pub const SCHOOL_COLUMNS: [&str; 17] = columns(
    SchoolColumns::FIELDS,
    [
        "land_rai",
        "internet",
        "electricity",
        "water",
        "ict_teachers",
        "language_teachers",
        "labs",
        "highland",
    ],
);

/// `read` followed by `extra`.
const fn columns(read: [&'static str; 9], extra: [&'static str; 8]) -> [&'static str; 17] {
    let mut all = [""; 17];
    let mut i = 0;
    while i < all.len() {
        all[i] = if i < read.len() {
            read[i]
        } else {
            extra[i - read.len()]
        };
        i += 1;
    }
    all
}

pub fn schools(path: &Path, schools: &[SynthSchool]) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(BufWriter::new(File::create(path)?));
    csv.write_record(SCHOOL_COLUMNS)?;
    let flag = |b: bool| if b { "1" } else { "0" };
    for s in schools {
        csv.write_record([
            format!("{:08}", s.id).as_str(),
            &s.name,
            &format!("{:.6}", s.lon),
            &format!("{:.6}", s.lat),
            &s.district,
            s.level.as_str(),
            &s.students.to_string(),
            &s.teachers.to_string(),
            &s.classrooms.to_string(),
            &format!("{:.1}", s.land_rai),
            flag(s.internet),
            flag(s.electricity),
            flag(s.water),
            &s.ict_teachers.to_string(),
            &s.language_teachers.to_string(),
            &s.labs.to_string(),
            flag(s.highland),
        ])?;
    }
    csv.flush()
}

/// The columns of `schools-obec.csv`: the school columns of the OBEC
/// school registry as its Chiang Mai extract has them (no enrolment, the
/// level as the grade span taught, the amphoe by name and code).
pub const REGISTRY_COLUMNS: [&str; 10] = [
    "smis8",
    "school_id10",
    "name",
    "level",
    "esa_code",
    "esa_name",
    "amphoe",
    "amphoe_code",
    "lat",
    "lon",
];

/// The registry's grade span for a school: most primary schools teach
/// kindergarten to grade 6, opportunity-expansion schools kindergarten to
/// grade 9; a few of each start at grade 1 or run to grade 12, as the
/// national registry's counts have them. Chosen from the id, so the same
/// data set always writes the same spans.
fn registry_level(level: super::SchoolLevel, id: u32) -> &'static str {
    use super::SchoolLevel;
    match level {
        SchoolLevel::Primary if id.is_multiple_of(13) => "ประถมศึกษา",
        SchoolLevel::Primary => "อนุบาล-ประถมศึกษา",
        SchoolLevel::Both if id.is_multiple_of(11) => "อนุบาล-มัธยมศึกษาตอนปลาย",
        SchoolLevel::Both if id.is_multiple_of(7) => "ประถมศึกษา-มัธยมศึกษาตอนต้น",
        SchoolLevel::Both => "อนุบาล-มัธยมศึกษาตอนต้น",
        SchoolLevel::Secondary => "มัธยมศึกษาตอนต้น-มัธยมศึกษาตอนปลาย",
    }
}

/// The schools as the OBEC registry writes them (see [`REGISTRY_COLUMNS`]),
/// CRLF line ends like the registry's files: the shape of a planner's own
/// file, to try hubsel's reading of it on synthetic schools.
pub fn registry_schools(
    path: &Path,
    schools: &[SynthSchool],
    districts: &[SynthDistrict],
) -> io::Result<()> {
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(BufWriter::new(File::create(path)?));
    csv.write_record(REGISTRY_COLUMNS)?;
    for s in schools {
        let amphoe = districts
            .iter()
            .find(|d| d.code == s.district)
            .map_or("", |d| d.name_th.as_str());
        let province = &s.district[..2.min(s.district.len())];
        let (esa_code, esa_name) = if s.level == super::SchoolLevel::Secondary {
            (format!("1017{province}"), format!("สพม.จังหวัด {province}"))
        } else {
            let area = 1 + s.id % 6;
            (
                format!("{province}0{area}"),
                format!("สพป. {province} เขต {area}"),
            )
        };
        csv.write_record([
            format!("{:08}", s.id).as_str(),
            &format!("10{:08}", s.id),
            s.name.trim_start_matches("โรงเรียน"),
            registry_level(s.level, s.id),
            &esa_code,
            &esa_name,
            amphoe,
            &s.district,
            &format!("{:.4}", s.lat),
            &format!("{:.4}", s.lon),
        ])?;
    }
    csv.flush()
}

pub fn roads(path: &Path, roads: &[SynthRoad]) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (i, road) in roads.iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        write!(
            out,
            "{{\"type\":\"Feature\",\"properties\":{{\"class\":\"{}\",\"name\":",
            road.class.as_str()
        )?;
        json_string(&mut out, &road.name)?;
        write!(out, ",\"oneway\":{}", road.oneway)?;
        if let Some(kmh) = road.maxspeed_kmh {
            write!(out, ",\"maxspeed\":{kmh}")?;
        }
        out.write_all(b"},\"geometry\":{\"type\":\"LineString\",\"coordinates\":")?;
        positions(&mut out, &road.coords)?;
        out.write_all(b"}}")?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

pub fn districts(path: &Path, districts: &[SynthDistrict]) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (i, d) in districts.iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        out.write_all(b"{\"type\":\"Feature\",\"properties\":{\"code\":")?;
        json_string(&mut out, &d.code)?;
        out.write_all(b",\"name_th\":")?;
        json_string(&mut out, &d.name_th)?;
        out.write_all(b",\"name_en\":")?;
        json_string(&mut out, &d.name_en)?;
        out.write_all(b",\"province\":")?;
        json_string(&mut out, &d.province)?;
        out.write_all(b"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[")?;
        positions(&mut out, &d.ring)?;
        out.write_all(b"]}}")?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

fn json_string(out: &mut impl Write, text: &str) -> io::Result<()> {
    serde_json::to_writer(out, text).map_err(io::Error::from)
}

fn positions(out: &mut impl Write, coords: &[LonLat]) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, p) in coords.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "[{},{}]", p[0], p[1])?;
    }
    out.write_all(b"]")
}
