//! Why a row was refused or flagged, and why a school stands alone: a
//! [`Reason`] is a kind plus its numbers and fields, rendered in English
//! ([`Reason::en`], the text `rejects.csv`'s `reason`, `summary.json` and
//! the layers have always had) or in Thai ([`Reason::th`]).
//!
//! Values from the data (ids, district codes, text quoted from a cell) go
//! into both renderings as they are; numbers keep the same format in both.
//! A reader library's own message (the CSV parser's, a geometry parser's)
//! is kept in English: [`Reason::Unreadable`] and [`Reason::InvalidPolygon`]
//! say in Thai what could not be read, and the English `reason` beside it
//! has the library's words.
//!
//! [`ReasonKind::ALL`] lists every kind: it is made by the same macro as
//! the enum, so a new kind cannot be left out of it (the Thai test renders
//! each one).

use std::cmp::Ordering;
use std::fmt;

use crate::error::quote;

use super::Level;

/// What a reader could not read (its message, in English, is kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadPart {
    /// A CSV row the parser refused.
    CsvRow,
    /// A Shapefile record; the rest of the file is skipped.
    RestOfFile,
    /// A GeoPackage row; the rest of the table is skipped.
    RestOfTable,
    /// A feature's geometry.
    Geometry,
}

/// Which way one-way roads shut a school off from its district's others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapWay {
    /// Roads lead in, none leads out: it cannot reach the others.
    NoWayOut,
    /// Roads lead out, none leads in: it cannot be reached.
    NoWayIn,
    /// One-way against it both ways.
    Both,
}

/// Defines [`Reason`], its fieldless [`ReasonKind`] and `ReasonKind::ALL`
/// from one list, so that the list of kinds is the enum's own.
macro_rules! reasons {
    ($( $(#[doc = $doc:literal])* $kind:ident $({ $($field:ident : $ty:ty),* $(,)? })? ),* $(,)?) => {
        /// Why a row was refused or flagged, or why a school stands alone.
        #[derive(Clone, Debug)]
        pub enum Reason {
            $( $(#[doc = $doc])* $kind $({ $($field: $ty),* })? ),*
        }

        /// The kind of a [`Reason`], without its values.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ReasonKind {
            $( $kind ),*
        }

        impl ReasonKind {
            /// Every kind, in the enum's order.
            pub const ALL: &'static [ReasonKind] = &[$( ReasonKind::$kind ),*];
        }

        impl Reason {
            pub fn kind(&self) -> ReasonKind {
                match self {
                    $( Reason::$kind { .. } => ReasonKind::$kind ),*
                }
            }
        }
    };
}

reasons! {
    // Rows of the schools' files.
    /// The id cell is blank.
    BlankId,
    /// Both coordinate cells are blank.
    NoCoordinates,
    MissingLongitude,
    MissingLatitude,
    LongitudeNotNumber { text: String },
    LatitudeNotNumber { text: String },
    /// Not a longitude/latitude (the file is read as WGS 84).
    OutOfRange { x: f64, y: f64 },
    /// The position cannot be converted from the file's CRS.
    NotConvertible { x: f64, y: f64, crs: String },
    /// Outside the districts' extent, inside once swapped (not fixed).
    SwappedRefused { x: f64, y: f64 },
    /// Swapped, and fixed (`--fix-swapped`).
    SwappedFixed { x: f64, y: f64 },
    UnknownLevel { text: String },
    /// The student count is not a non-negative number: taken as unknown.
    StudentsNotNumber { text: String },
    /// A blank student count while other schools have one.
    BlankStudents,
    /// An OSM school's count tag that is not a number.
    TagNotNumber { key: String, text: String },
    /// What a reader could not read, with its library's message.
    Unreadable { part: ReadPart, detail: String },
    // District polygons.
    DistrictWithoutCode,
    /// No ring with at least 3 distinct points.
    EmptyPolygon,
    PolygonOutOfRange,
    /// Kept as drawn; the problems are `geo`'s words.
    InvalidPolygon { problems: Vec<String> },
    /// Shapefile holes outside every outer ring.
    OrphanHoles { n: usize },
    /// OSM boundary inner rings outside every outer ring.
    OrphanInnerRings { n: usize },
    /// An OSM boundary whose ways close into no ring.
    UnclosedBoundary { missing: usize, open_ends: usize },
    /// An OSM boundary partly unclosed; the closed rings are used.
    PartlyUnclosed { missing: usize, open_ends: usize },
    // Roads.
    RoadNotLine,
    RoadOutOfRange,
    // Validation.
    /// A school id seen before, at `file`:`line`.
    DuplicateId { file: String, line: u64 },
    /// A point id (`hubsel matrix`) seen before, at line `line` of `file`.
    DuplicatePoint { file: String, line: u64 },
    UnknownDistrict { code: String },
    OutsideEveryDistrict,
    /// The given district (code and name) is not the one the point lies in
    /// (`found`, or none); the given code is kept.
    DistrictElsewhere { given: String, found: Option<String> },
    // The road network.
    /// Farther than `max_snap_m` from every road: made stand-alone.
    FarFromRoad { offroad_m: f64, max_snap_m: f64 },
    /// A point (`hubsel matrix`) farther than `max_snap_m`: no trips.
    PointFarFromRoad { offroad_m: f64, max_snap_m: f64 },
    /// Snapped past a nearer road on a small fragment (0 junctions: a
    /// one-way piece between two parts of the network).
    PastFragment { snap_m: f64, nearest_m: f64, junctions: usize, small_junctions: usize },
    /// On a road island of `junctions` junctions, away from the `others`
    /// schools of `district`.
    RoadIsland { junctions: usize, others: usize, district: String },
    OneWayTrap { way: TrapWay, others: usize, district: String },
    // Where a school ends up.
    /// A member that joined a hub already at capacity.
    OverCapacity,
    /// No hub of its level in `district` (none: in any district).
    NoHub { level: Level, district: Option<String> },
    /// Not on the road network (`offroad_m` none: there are no roads).
    OffNetwork { offroad_m: Option<f64>, max_snap_m: f64 },
    OnIsland,
    /// Every hub of its level (in `district`, or anywhere) is off the roads.
    HubsOffNetwork { district: Option<String>, max_snap_m: f64 },
    /// One-way roads lead from it to no hub (in `district`, or anywhere).
    TrappedFromHubs { district: Option<String> },
    BeyondCutoff { cutoff_min: f64 },
    NoneWithinLimit { limit_min: f64 },
    TooFar { travel_min: f64, limit_min: f64 },
}

fn hub_levels_en(level: Level) -> &'static str {
    match level {
        Level::Primary => "primary",
        Level::Secondary => "secondary",
        Level::Both => "primary or secondary",
    }
}

fn hub_levels_th(level: Level) -> &'static str {
    match level {
        Level::Primary => "ประถมศึกษา",
        Level::Secondary => "มัธยมศึกษา",
        Level::Both => "ประถมศึกษาหรือมัธยมศึกษา",
    }
}

impl Reason {
    /// A geometry a reader could not use, with its message.
    pub fn geometry(detail: impl Into<String>) -> Reason {
        Reason::Unreadable {
            part: ReadPart::Geometry,
            detail: detail.into(),
        }
    }

    /// In English: the words hubsel has always written.
    pub fn en(&self) -> String {
        use Reason::*;
        match self {
            BlankId => "blank id".into(),
            NoCoordinates => "no coordinates: longitude and latitude are blank".into(),
            MissingLongitude => "missing longitude".into(),
            MissingLatitude => "missing latitude".into(),
            LongitudeNotNumber { text } => format!("longitude is not a number: {}", quote(text)),
            LatitudeNotNumber { text } => format!("latitude is not a number: {}", quote(text)),
            OutOfRange { x, y } => format!("coordinates out of range: lon {x}, lat {y}"),
            NotConvertible { x, y, crs } => format!("coordinates ({x}, {y}) cannot be converted from {crs} to WGS 84"),
            SwappedRefused { x, y } => format!("latitude and longitude look swapped: ({x}, {y}) lies outside the districts' extent and ({y}, {x}) inside; fix the file or use --fix-swapped"),
            SwappedFixed { x, y } => format!("latitude and longitude were swapped: read ({x}, {y}), used ({y}, {x})"),
            UnknownLevel { text } => format!("unknown level {} (expected primary, secondary, both, a grade span such as อนุบาล-ประถมศึกษา or ป.1-ม.3, or a value the scenario's [levels] table maps)", quote(text)),
            StudentsNotNumber { text } => format!("students is not a non-negative number: {}; the count is taken as unknown", quote(text)),
            BlankStudents => "no student count (blank) while other schools have one".into(),
            TagNotNumber { key, text } => format!("{key}={} is not a number; the student count is taken as unknown", quote(text)),
            Unreadable { part, detail } => unreadable_en(*part, detail),
            DistrictWithoutCode => "district without a code".into(),
            EmptyPolygon => "empty polygon (no ring with at least 3 distinct points)".into(),
            PolygonOutOfRange => "polygon coordinates outside longitude/latitude range".into(),
            InvalidPolygon { problems } => format!("invalid polygon: {}; kept as drawn", problems.join("; ")),
            OrphanHoles { n } => format!("{n} hole(s) outside every outer ring, left out"),
            OrphanInnerRings { n } => format!("{n} inner ring(s) outside every outer ring, left out"),
            UnclosedBoundary { missing, open_ends } => unclosed_en(*missing, *open_ends),
            PartlyUnclosed { missing, open_ends } => format!("boundary partly unclosed ({missing} member way(s) missing, {open_ends} open ring end(s)); the closed rings are used"),
            RoadNotLine => "road geometry is not a LineString or MultiLineString".into(),
            RoadOutOfRange => "road coordinates outside longitude/latitude range".into(),
            DuplicateId { file, line } => format!("duplicate id: first seen at {file}:{line}"),
            DuplicatePoint { file, line } => format!("duplicate id: line {line} of {file} has it"),
            UnknownDistrict { code } => format!("unknown district code {code}"),
            OutsideEveryDistrict => "point lies outside every district".into(),
            DistrictElsewhere { given, found } => elsewhere_en(given, found.as_deref()),
            FarFromRoad { offroad_m, max_snap_m } => format!("{offroad_m:.0} m from the nearest road, beyond max_snap_m {max_snap_m}; made stand-alone"),
            PointFarFromRoad { offroad_m, max_snap_m } => format!("{offroad_m:.0} m from the nearest road, beyond max_snap_m {max_snap_m}; no trips"),
            PastFragment { snap_m, nearest_m, junctions, small_junctions } => fragment_en(*snap_m, *nearest_m, *junctions, *small_junctions),
            RoadIsland { junctions, others, district } => format!("on a road island: its road network ({junctions} junctions) does not reach the one of the other {others} school(s) of district {district}; unreachable, stand-alone unless a hub is on the same island"),
            OneWayTrap { way, others, district } => trap_en(*way, *others, district),
            OverCapacity => "joined a hub already at capacity".into(),
            NoHub { level, district } => no_hub_en(*level, district.as_deref()),
            OffNetwork { offroad_m, max_snap_m } => match offroad_m {
                Some(m) => format!("not on the road network: the nearest road is {m:.0} m away, beyond max_snap_m {max_snap_m}"),
                None => "not on the road network: there are no roads".into(),
            },
            OnIsland => "on a road island: no road connects it to a hub of its level".into(),
            HubsOffNetwork { district, max_snap_m } => match district {
                Some(d) => format!("no hub of its level in district {d} is on the road network (each is farther than max_snap_m {max_snap_m} from every road)"),
                None => format!("no hub of its level is on the road network (each is farther than max_snap_m {max_snap_m} from every road)"),
            },
            TrappedFromHubs { district } => match district {
                Some(d) => format!("one-way trap: no road leads from it to a hub of its level in district {d}; the roads that join them are one-way the other way"),
                None => "one-way trap: no road leads from it to any hub of its level; the roads that join them are one-way the other way".into(),
            },
            BeyondCutoff { cutoff_min } => format!("no hub of its level within the {cutoff_min} min search cutoff"),
            NoneWithinLimit { limit_min } => format!("no hub of its level within the {limit_min} min limit in any district"),
            TooFar { travel_min, limit_min } => format!("nearest hub {travel_min:.1} min away, beyond the {limit_min} min limit"),
        }
    }

    /// In Thai. Scenario keys (`max_snap_m`), options (`--fix-swapped`),
    /// coordinate systems (`WGS 84`) and units (`m`, `min`) stay as a
    /// planner types them.
    pub fn th(&self) -> String {
        use Reason::*;
        match self {
            BlankId => "รหัสโรงเรียนว่าง".into(),
            NoCoordinates => "ไม่มีพิกัด: ช่องลองจิจูดและละติจูดว่าง".into(),
            MissingLongitude => "ไม่มีลองจิจูด".into(),
            MissingLatitude => "ไม่มีละติจูด".into(),
            LongitudeNotNumber { text } => format!("ลองจิจูดไม่ใช่ตัวเลข: {}", quote(text)),
            LatitudeNotNumber { text } => format!("ละติจูดไม่ใช่ตัวเลข: {}", quote(text)),
            OutOfRange { x, y } => format!("พิกัดอยู่นอกช่วงที่เป็นไปได้: ลองจิจูด {x} ละติจูด {y}"),
            NotConvertible { x, y, crs } => format!("แปลงพิกัด ({x}, {y}) จาก {crs} เป็น WGS 84 ไม่ได้"),
            SwappedRefused { x, y } => format!("ละติจูดและลองจิจูดน่าจะสลับกัน: ({x}, {y}) อยู่นอกขอบเขตของอำเภอทั้งหมด แต่ ({y}, {x}) อยู่ภายใน; แก้ไขไฟล์ หรือใช้ตัวเลือก --fix-swapped"),
            SwappedFixed { x, y } => format!("ละติจูดและลองจิจูดสลับกัน: อ่านได้ ({x}, {y}) ใช้ ({y}, {x})"),
            UnknownLevel { text } => format!("ไม่รู้จักระดับชั้น {} (ควรเป็น ประถมศึกษา มัธยมศึกษา ทั้งสองระดับ ช่วงชั้น เช่น อนุบาล-ประถมศึกษา หรือ ป.1-ม.3 หรือค่าที่ตาราง [levels] ของสถานการณ์กำหนดไว้)", quote(text)),
            StudentsNotNumber { text } => format!("จำนวนนักเรียนไม่ใช่ตัวเลขที่ไม่ติดลบ: {}; ถือว่าไม่ทราบจำนวน", quote(text)),
            BlankStudents => "ไม่มีจำนวนนักเรียน (ช่องว่าง) ขณะที่โรงเรียนอื่นมี".into(),
            TagNotNumber { key, text } => format!("{key}={} ไม่ใช่ตัวเลข; ถือว่าไม่ทราบจำนวนนักเรียน", quote(text)),
            Unreadable { part, .. } => unreadable_th(*part).into(),
            DistrictWithoutCode => "อำเภอไม่มีรหัส".into(),
            EmptyPolygon => "รูปหลายเหลี่ยมว่าง (ไม่มีวงที่มีจุดต่างกันอย่างน้อย 3 จุด)".into(),
            PolygonOutOfRange => "พิกัดของรูปหลายเหลี่ยมอยู่นอกช่วงลองจิจูด/ละติจูด".into(),
            InvalidPolygon { problems } => format!("รูปหลายเหลี่ยมไม่ถูกต้อง {} ข้อ (รายละเอียดอยู่ในเหตุผลภาษาอังกฤษ); ใช้ตามที่วาดไว้", problems.len()),
            OrphanHoles { n } => format!("รูในรูปหลายเหลี่ยม {n} รูอยู่นอกวงนอกทุกวง จึงไม่นำมาใช้"),
            OrphanInnerRings { n } => format!("วงใน {n} วงอยู่นอกวงนอกทุกวง จึงไม่นำมาใช้"),
            UnclosedBoundary { missing, open_ends } => format!("รูปหลายเหลี่ยมว่าง: เส้นทางของขอบเขตไม่ปิดเป็นวง (ไม่มีเส้นทางสมาชิก {missing} เส้นในไฟล์ ปลายวงเปิด {open_ends} จุด)"),
            PartlyUnclosed { missing, open_ends } => format!("ขอบเขตปิดไม่ครบ (ไม่มีเส้นทางสมาชิก {missing} เส้น ปลายวงเปิด {open_ends} จุด); ใช้เฉพาะวงที่ปิดแล้ว"),
            RoadNotLine => "รูปทรงของถนนไม่ใช่เส้น".into(),
            RoadOutOfRange => "พิกัดของถนนอยู่นอกช่วงลองจิจูด/ละติจูด".into(),
            DuplicateId { file, line } => format!("รหัสซ้ำ: พบครั้งแรกที่ {file}:{line}"),
            DuplicatePoint { file, line } => format!("รหัสซ้ำ: บรรทัด {line} ของ {file} มีรหัสนี้แล้ว"),
            UnknownDistrict { code } => format!("ไม่รู้จักรหัสอำเภอ {code}"),
            OutsideEveryDistrict => "จุดอยู่นอกทุกอำเภอ".into(),
            DistrictElsewhere { given, found } => match found {
                Some(f) => format!("ระบุรหัสอำเภอ {given} แต่จุดอยู่ในอำเภอ {f}; ใช้รหัสที่ระบุ"),
                None => format!("ระบุรหัสอำเภอ {given} แต่จุดอยู่นอกทุกอำเภอ; ใช้รหัสที่ระบุ"),
            },
            FarFromRoad { offroad_m, max_snap_m } => format!("อยู่ห่างถนนที่ใกล้ที่สุด {offroad_m:.0} m เกิน max_snap_m {max_snap_m}; จึงเป็นโรงเรียนเดี่ยว (สแตนด์อโลน)"),
            PointFarFromRoad { offroad_m, max_snap_m } => format!("อยู่ห่างถนนที่ใกล้ที่สุด {offroad_m:.0} m เกิน max_snap_m {max_snap_m}; ไม่คำนวณการเดินทาง"),
            PastFragment { snap_m, nearest_m, junctions, small_junctions } => fragment_th(*snap_m, *nearest_m, *junctions, *small_junctions),
            RoadIsland { junctions, others, district } => format!("อยู่บนเกาะถนน: โครงข่ายถนนของโรงเรียน ({junctions} ทางแยก) ไม่เชื่อมกับโครงข่ายของโรงเรียนอื่นอีก {others} แห่งในอำเภอ {district}; เดินทางไปไม่ถึง เป็นโรงเรียนเดี่ยว เว้นแต่มีแม่ข่ายบนเกาะเดียวกัน"),
            OneWayTrap { way, others, district } => trap_th(*way, *others, district),
            OverCapacity => "เข้าร่วมแม่ข่ายที่รับเต็มจำนวนแล้ว".into(),
            NoHub { level, district } => match district {
                Some(d) => format!("ไม่มีแม่ข่าย{}ในอำเภอ {d}: ดูรายการแม่ข่ายไม่ครบ", hub_levels_th(*level)),
                None => format!("ไม่มีแม่ข่าย{}ในอำเภอใดเลย", hub_levels_th(*level)),
            },
            OffNetwork { offroad_m, max_snap_m } => match offroad_m {
                Some(m) => format!("ไม่อยู่บนโครงข่ายถนน: ถนนที่ใกล้ที่สุดอยู่ห่าง {m:.0} m เกิน max_snap_m {max_snap_m}"),
                None => "ไม่อยู่บนโครงข่ายถนน: ไม่มีข้อมูลถนน".into(),
            },
            OnIsland => "อยู่บนเกาะถนน: ไม่มีถนนเชื่อมไปยังแม่ข่ายระดับเดียวกัน".into(),
            HubsOffNetwork { district, max_snap_m } => match district {
                Some(d) => format!("ไม่มีแม่ข่ายระดับเดียวกันในอำเภอ {d} ที่อยู่บนโครงข่ายถนน (ทุกแห่งอยู่ห่างถนนเกิน max_snap_m {max_snap_m})"),
                None => format!("ไม่มีแม่ข่ายระดับเดียวกันที่อยู่บนโครงข่ายถนน (ทุกแห่งอยู่ห่างถนนเกิน max_snap_m {max_snap_m})"),
            },
            TrappedFromHubs { district } => match district {
                Some(d) => format!("ติดถนนทางเดียว: ไม่มีถนนจากโรงเรียนไปยังแม่ข่ายระดับเดียวกันในอำเภอ {d}; ถนนที่เชื่อมกันเป็นทางเดียวในทิศตรงข้าม"),
                None => "ติดถนนทางเดียว: ไม่มีถนนจากโรงเรียนไปยังแม่ข่ายระดับเดียวกันแห่งใดเลย; ถนนที่เชื่อมกันเป็นทางเดียวในทิศตรงข้าม".into(),
            },
            BeyondCutoff { cutoff_min } => format!("ไม่มีแม่ข่ายระดับเดียวกันภายในขอบเขตการค้นหา {cutoff_min} min"),
            NoneWithinLimit { limit_min } => format!("ไม่มีแม่ข่ายระดับเดียวกันภายในเวลาที่กำหนด {limit_min} min ในอำเภอใดเลย"),
            TooFar { travel_min, limit_min } => format!("แม่ข่ายที่ใกล้ที่สุดอยู่ห่าง {travel_min:.1} min เกินเวลาที่กำหนด {limit_min} min"),
        }
    }

    /// One reason of each kind, with values a planner could meet: what the
    /// Thai test renders. Data values are Thai or digits, so that the
    /// test sees the words of the reason itself.
    pub fn example(kind: ReasonKind) -> Reason {
        use ReasonKind as K;
        let text = || "สิบสอง".to_string();
        let district = || "5001".to_string();
        match kind {
            K::BlankId => Reason::BlankId,
            K::NoCoordinates => Reason::NoCoordinates,
            K::MissingLongitude => Reason::MissingLongitude,
            K::MissingLatitude => Reason::MissingLatitude,
            K::LongitudeNotNumber => Reason::LongitudeNotNumber { text: text() },
            K::LatitudeNotNumber => Reason::LatitudeNotNumber { text: text() },
            K::OutOfRange => Reason::OutOfRange { x: 998.5, y: 18.8 },
            K::NotConvertible => Reason::NotConvertible { x: 1e12, y: 2e12, crs: "EPSG:32647".into() },
            K::SwappedRefused => Reason::SwappedRefused { x: 18.79, y: 98.98 },
            K::SwappedFixed => Reason::SwappedFixed { x: 18.79, y: 98.98 },
            K::UnknownLevel => Reason::UnknownLevel { text: "ศึกษาพิเศษ".into() },
            K::StudentsNotNumber => Reason::StudentsNotNumber { text: text() },
            K::BlankStudents => Reason::BlankStudents,
            K::TagNotNumber => Reason::TagNotNumber { key: "student:count".into(), text: text() },
            K::Unreadable => Reason::Unreadable { part: ReadPart::Geometry, detail: "a position with fewer than 2 coordinates".into() },
            K::DistrictWithoutCode => Reason::DistrictWithoutCode,
            K::EmptyPolygon => Reason::EmptyPolygon,
            K::PolygonOutOfRange => Reason::PolygonOutOfRange,
            K::InvalidPolygon => Reason::InvalidPolygon { problems: vec!["exterior ring has a self-intersection at (98.9, 18.8)".into()] },
            K::OrphanHoles => Reason::OrphanHoles { n: 2 },
            K::OrphanInnerRings => Reason::OrphanInnerRings { n: 1 },
            K::UnclosedBoundary => Reason::UnclosedBoundary { missing: 3, open_ends: 2 },
            K::PartlyUnclosed => Reason::PartlyUnclosed { missing: 1, open_ends: 2 },
            K::RoadNotLine => Reason::RoadNotLine,
            K::RoadOutOfRange => Reason::RoadOutOfRange,
            K::DuplicateId => Reason::DuplicateId { file: "ทะเบียนโรงเรียน".into(), line: 12 },
            K::DuplicatePoint => Reason::DuplicatePoint { file: "จุดหมาย".into(), line: 7 },
            K::UnknownDistrict => Reason::UnknownDistrict { code: district() },
            K::OutsideEveryDistrict => Reason::OutsideEveryDistrict,
            K::DistrictElsewhere => Reason::DistrictElsewhere { given: "5001 เมืองเชียงใหม่".into(), found: Some("5002 จอมทอง".into()) },
            K::FarFromRoad => Reason::FarFromRoad { offroad_m: 6210.4, max_snap_m: 5000.0 },
            K::PointFarFromRoad => Reason::PointFarFromRoad { offroad_m: 6210.4, max_snap_m: 5000.0 },
            K::PastFragment => Reason::PastFragment { snap_m: 420.0, nearest_m: 35.0, junctions: 3, small_junctions: 10 },
            K::RoadIsland => Reason::RoadIsland { junctions: 14, others: 40, district: district() },
            K::OneWayTrap => Reason::OneWayTrap { way: TrapWay::NoWayOut, others: 40, district: district() },
            K::OverCapacity => Reason::OverCapacity,
            K::NoHub => Reason::NoHub { level: Level::Both, district: Some(district()) },
            K::OffNetwork => Reason::OffNetwork { offroad_m: Some(6210.4), max_snap_m: 5000.0 },
            K::OnIsland => Reason::OnIsland,
            K::HubsOffNetwork => Reason::HubsOffNetwork { district: Some(district()), max_snap_m: 5000.0 },
            K::TrappedFromHubs => Reason::TrappedFromHubs { district: Some(district()) },
            K::BeyondCutoff => Reason::BeyondCutoff { cutoff_min: 90.0 },
            K::NoneWithinLimit => Reason::NoneWithinLimit { limit_min: 45.0 },
            K::TooFar => Reason::TooFar { travel_min: 52.25, limit_min: 45.0 },
        }
    }

    /// The other renderings of a kind whose words depend on its values
    /// (an optional district, which way a trap shuts), for the Thai test.
    pub fn variants(&self) -> Vec<Reason> {
        let mut out = vec![self.clone()];
        match self {
            Reason::Unreadable { detail, .. } => out.extend([ReadPart::CsvRow, ReadPart::RestOfFile, ReadPart::RestOfTable].map(|part| Reason::Unreadable { part, detail: detail.clone() })),
            Reason::UnclosedBoundary { .. } => out.push(Reason::UnclosedBoundary { missing: 0, open_ends: 0 }),
            Reason::PastFragment { snap_m, nearest_m, .. } => out.push(Reason::PastFragment { snap_m: *snap_m, nearest_m: *nearest_m, junctions: 0, small_junctions: 10 }),
            Reason::OneWayTrap { others, district, .. } => out.extend([TrapWay::NoWayIn, TrapWay::Both].map(|way| Reason::OneWayTrap { way, others: *others, district: district.clone() })),
            Reason::DistrictElsewhere { given, .. } => out.push(Reason::DistrictElsewhere { given: given.clone(), found: None }),
            Reason::NoHub { level, .. } => out.extend([Level::Primary, Level::Secondary].map(|level| Reason::NoHub { level, district: None }).into_iter().chain([Reason::NoHub { level: *level, district: None }])),
            Reason::OffNetwork { max_snap_m, .. } => out.push(Reason::OffNetwork { offroad_m: None, max_snap_m: *max_snap_m }),
            Reason::HubsOffNetwork { max_snap_m, .. } => out.push(Reason::HubsOffNetwork { district: None, max_snap_m: *max_snap_m }),
            Reason::TrappedFromHubs { .. } => out.push(Reason::TrappedFromHubs { district: None }),
            _ => {}
        }
        out
    }
}

fn unreadable_en(part: ReadPart, detail: &str) -> String {
    match part {
        ReadPart::CsvRow => format!("unreadable CSV row: {detail}"),
        ReadPart::RestOfFile => format!("unreadable record, the rest of the file is skipped: {detail}"),
        ReadPart::RestOfTable => format!("unreadable row, the rest of the table is skipped: {detail}"),
        ReadPart::Geometry => detail.to_string(),
    }
}

fn unreadable_th(part: ReadPart) -> &'static str {
    match part {
        ReadPart::CsvRow => "อ่านแถวนี้ของไฟล์ไม่ได้ (ข้อความจากตัวอ่านไฟล์อยู่ในเหตุผลภาษาอังกฤษ)",
        ReadPart::RestOfFile => "อ่านระเบียนนี้ไม่ได้ จึงข้ามส่วนที่เหลือของไฟล์ (ข้อความจากตัวอ่านไฟล์อยู่ในเหตุผลภาษาอังกฤษ)",
        ReadPart::RestOfTable => "อ่านแถวนี้ไม่ได้ จึงข้ามส่วนที่เหลือของตาราง (ข้อความจากตัวอ่านไฟล์อยู่ในเหตุผลภาษาอังกฤษ)",
        ReadPart::Geometry => "อ่านรูปทรงของรายการนี้ไม่ได้ (ข้อความจากตัวอ่านไฟล์อยู่ในเหตุผลภาษาอังกฤษ)",
    }
}

fn unclosed_en(missing: usize, open_ends: usize) -> String {
    let why = if missing > 0 || open_ends > 0 {
        format!("{missing} member way(s) missing from the extract, {open_ends} open ring end(s)")
    } else {
        "no outer member way".to_string()
    };
    format!("empty polygon: the boundary's ways do not close into a ring ({why})")
}

fn elsewhere_en(given: &str, found: Option<&str>) -> String {
    let where_ = match found {
        Some(f) => format!("inside district {f}"),
        None => "outside every district".to_string(),
    };
    format!("district code {given} given but the point lies {where_}; the given code is kept")
}

fn fragment_en(snap_m: f64, nearest_m: f64, junctions: usize, small: usize) -> String {
    let fragment = if junctions == 0 {
        "a one-way road piece between two parts of the network, which cannot both leave it and come back".to_string()
    } else {
        format!("a small road fragment of {junctions} junctions (fewer than small_component_junctions {small}) that is cut off from the main network or joined to it only one way")
    };
    format!("snapped to the road network {snap_m:.0} m away, not to the nearest road {nearest_m:.0} m away: that road is on {fragment}")
}

fn fragment_th(snap_m: f64, nearest_m: f64, junctions: usize, small: usize) -> String {
    let fragment = if junctions == 0 {
        "ถนนทางเดียวช่วงสั้นระหว่างสองส่วนของโครงข่าย ซึ่งออกแล้วกลับเข้ามาไม่ได้ทั้งสองทาง".to_string()
    } else {
        format!("ถนนชิ้นเล็ก {junctions} ทางแยก (น้อยกว่า small_component_junctions {small}) ที่แยกขาดจากโครงข่ายหลัก หรือเชื่อมกับโครงข่ายหลักทางเดียว")
    };
    format!("ยึดกับโครงข่ายถนนที่ห่าง {snap_m:.0} m แทนถนนที่ใกล้ที่สุดซึ่งห่าง {nearest_m:.0} m เพราะถนนนั้นเป็น{fragment}")
}

fn trap_en(way: TrapWay, n: usize, code: &str) -> String {
    match way {
        TrapWay::NoWayOut => format!("one-way trap: one-way roads lead into the roads around it but none leads out, so it cannot reach the other {n} school(s) of district {code}; stand-alone unless a hub of its level is in the same trap"),
        TrapWay::NoWayIn => format!("one-way trap: roads lead out from the roads around it but none leads in, so it cannot be reached from the other {n} school(s) of district {code}; it can join a hub but cannot serve as one"),
        TrapWay::Both => format!("one-way trap: the roads joining it to the other {n} school(s) of district {code} are one-way against it both ways: it cannot reach them and cannot be reached from them"),
    }
}

fn trap_th(way: TrapWay, n: usize, code: &str) -> String {
    match way {
        TrapWay::NoWayOut => format!("ติดถนนทางเดียว: มีถนนทางเดียวเข้าสู่ถนนรอบโรงเรียนแต่ไม่มีทางออก จึงเดินทางไปยังโรงเรียนอื่นอีก {n} แห่งในอำเภอ {code} ไม่ได้; เป็นโรงเรียนเดี่ยว เว้นแต่มีแม่ข่ายระดับเดียวกันติดอยู่ในบริเวณเดียวกัน"),
        TrapWay::NoWayIn => format!("ติดถนนทางเดียว: มีถนนออกจากถนนรอบโรงเรียนแต่ไม่มีทางเข้า จึงเดินทางมาจากโรงเรียนอื่นอีก {n} แห่งในอำเภอ {code} ไม่ได้; เข้าร่วมแม่ข่ายได้ แต่เป็นแม่ข่ายไม่ได้"),
        TrapWay::Both => format!("ติดถนนทางเดียว: ถนนที่เชื่อมกับโรงเรียนอื่นอีก {n} แห่งในอำเภอ {code} เป็นทางเดียวสวนทางทั้งขาไปและขากลับ: ไปไม่ถึงและมาไม่ถึง"),
    }
}

fn no_hub_en(level: Level, district: Option<&str>) -> String {
    match district {
        Some(d) => format!("no {} hub in district {d}: see the shortfalls", hub_levels_en(level)),
        None => format!("no {} hub in any district", hub_levels_en(level)),
    }
}

impl fmt::Display for Reason {
    /// The English words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en())
    }
}

/// Reasons compare by their English words: the order `rejects.csv` has
/// always had.
impl PartialEq for Reason {
    fn eq(&self, other: &Self) -> bool {
        self.en() == other.en()
    }
}

impl Eq for Reason {}

impl PartialOrd for Reason {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Reason {
    fn cmp(&self, other: &Self) -> Ordering {
        self.en().cmp(&other.en())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The only runs of ASCII letters a Thai reason may hold: scenario
    /// keys and options a planner types as they are, coordinate-system
    /// codes, an OSM tag, and units.
    const ALLOWED: &[&str] = &[
        // Scenario keys, the `[levels]` table and a command-line option.
        "max_snap_m",
        "small_component_junctions",
        "levels",
        "fix-swapped",
        // Coordinate systems.
        "WGS",
        "EPSG",
        // The OSM tag of a school's count (the example's key).
        "student:count",
        // Units.
        "m",
        "min",
    ];

    /// Runs of ASCII letters, `_`, `:` and `-` that hold a letter, without
    /// leading or trailing `-` and `:` (`--fix-swapped`, `EPSG:`).
    fn ascii_words(text: &str) -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_alphabetic() || matches!(c, '_' | ':' | '-')))
            .map(|w| w.trim_matches(|c| c == '-' || c == ':'))
            .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_reason_kind_renders_in_thai_without_english_words() {
        assert!(ReasonKind::ALL.len() >= 40, "{}", ReasonKind::ALL.len());
        let mut rendered = 0;
        for &kind in ReasonKind::ALL {
            let example = Reason::example(kind);
            assert_eq!(example.kind(), kind, "the example of {kind:?}");
            for r in example.variants() {
                let (en, th) = (r.en(), r.th());
                assert!(!en.is_empty() && !th.is_empty(), "{kind:?}");
                assert_ne!(en, th, "{kind:?} is not translated");
                assert!(
                    th.chars().any(|c| ('\u{0E01}'..='\u{0E5B}').contains(&c)),
                    "{kind:?} has no Thai: {th}"
                );
                let stray: Vec<String> = ascii_words(&th)
                    .into_iter()
                    .filter(|w| !ALLOWED.contains(&w.as_str()))
                    .collect();
                assert!(stray.is_empty(), "{kind:?}: {stray:?} in {th}");
                rendered += 1;
            }
        }
        assert!(rendered > ReasonKind::ALL.len(), "the variants are rendered too");
    }

    #[test]
    fn the_test_would_see_english_left_in_thai() {
        // The check itself: an English rendering fails it.
        let en = Reason::example(ReasonKind::FarFromRoad).en();
        let stray: Vec<String> = ascii_words(&en)
            .into_iter()
            .filter(|w| !ALLOWED.contains(&w.as_str()))
            .collect();
        assert_eq!(stray, ["from", "the", "nearest", "road", "beyond", "made", "stand-alone"]);
    }

    #[test]
    fn reasons_order_by_their_english_words() {
        let a = Reason::UnknownDistrict { code: "5001".into() };
        let b = Reason::BlankId;
        assert!(b < a, "blank id < unknown district");
        assert_eq!(Reason::OutOfRange { x: 1.0, y: 2.0 }, Reason::OutOfRange { x: 1.0, y: 2.0 });
    }
}
