//! The words of `report.html`, in English and in Thai: one table per
//! language ([`Words`]), so that the templates hold markup and numbers
//! only, and a language is added by adding a table.
//!
//! School, district and field names are the data's own and are never
//! translated. A district's shortfalls and unreachable schools are told
//! from their fields in the report's language ([`Words::shortfall`],
//! [`Words::unreachable`]: in English the engine's own reason); reject and
//! stand-alone reasons are [`crate::model::Reason`]s, told in the report's
//! language ([`Lang::reason`]); the scenario's and the inputs' notes stay
//! in English; `summary.json` keeps every reason in English, in full.

use crate::model::{Action, HubLevel, Reason, Weighting};
use crate::outcome::{Shortfall, Unreachable};

/// The language of the report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Th,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Th];

    /// The BCP 47 code, as `--lang` takes it and `<html lang>` says it.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Th => "th",
        }
    }

    /// `en` or `th` (any case; `th-TH`, `en_GB` and the like too).
    pub fn parse(s: &str) -> Option<Lang> {
        let code = s.trim().to_ascii_lowercase();
        let primary = code.split(['-', '_', '.']).next().unwrap_or("");
        Lang::ALL.into_iter().find(|l| l.as_str() == primary)
    }

    /// The language a POSIX locale asks for: the first of `LC_ALL`,
    /// `LC_MESSAGES` and `LANG` that is set and not empty decides, as for
    /// any program's messages. Thai (`th_TH.UTF-8`) gives Thai; any other
    /// locale, `C` and none at all give English. `var` looks a variable up
    /// (`std::env::var` in the binary), so that tests need no environment.
    pub fn from_locale(var: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| var(name))
            .find(|value| !value.trim().is_empty())
            .and_then(|value| Lang::parse(&value))
            .unwrap_or(Lang::En)
    }

    /// A reason in this language.
    pub fn reason(self, r: &Reason) -> String {
        match self {
            Lang::En => r.en(),
            Lang::Th => r.th(),
        }
    }

    pub fn words(self) -> &'static Words {
        match self {
            Lang::En => &EN,
            Lang::Th => &TH,
        }
    }
}

/// Every word and phrase of the report, in one language. A sentence with
/// values in it is cut into the pieces between the values (`_a`, `_b`, …),
/// which both languages can keep in the same order.
#[derive(Debug)]
pub struct Words {
    pub heading: &'static str,
    pub strategy: &'static str,
    pub districts: &'static str,
    pub schools: &'static str,
    pub travel_limit: &'static str,
    pub min: &'static str,
    pub min_door: &'static str,
    pub hubs_both: &'static str,
    pub member_schools: &'static str,
    pub standalone_schools: &'static str,
    pub rejected_rows: &'static str,
    pub share_a: &'static str,
    pub share_b: &'static str,
    pub mean_travel: &'static str,
    pub p95_travel: &'static str,
    pub longest_trip: &'static str,
    pub files_title: &'static str,
    pub features: &'static str,
    pub files_note_a: &'static str,
    pub files_note_b: &'static str,
    pub files_note_c: &'static str,
    pub written_by: &'static str,
    // The map.
    pub map_label: &'static str,
    pub district_title_a: &'static str,
    pub district_title_b: &'static str,
    /// A district without any school: no share, no minutes (not 0 %).
    pub no_schools: &'static str,
    pub members: &'static str,
    pub standalone: &'static str,
    pub hub_of_district: &'static str,
    pub students_served: &'static str,
    pub legend: &'static str,
    pub legend_districts_a: &'static str,
    pub legend_districts_b: &'static str,
    pub legend_hubs: &'static str,
    pub legend_hubs_served: &'static str,
    pub primary_hub: &'static str,
    pub secondary_hub: &'static str,
    pub legend_routes: &'static str,
    pub standalone_school: &'static str,
    pub projection_a: &'static str,
    pub projection_lat: &'static str,
    pub projection_b: &'static str,
    pub north: &'static str,
    pub km: &'static str,
    // The scenario.
    pub scenario: &'static str,
    pub name: &'static str,
    pub file: &'static str,
    pub hubs_per_district: &'static str,
    pub primary_n: &'static str,
    pub secondary_n: &'static str,
    pub search_cutoff: &'static str,
    pub offroad_speed: &'static str,
    pub kmh: &'static str,
    pub farthest_snap: &'static str,
    pub m_from_road: &'static str,
    pub fragments: &'static str,
    pub none: &'static str,
    pub fragments_a: &'static str,
    pub fragments_b: &'static str,
    pub weights: &'static str,
    pub note: &'static str,
    pub smallest_candidate: &'static str,
    pub students: &'static str,
    pub excluded_if: &'static str,
    pub required_hubs: &'static str,
    pub excluded_hubs: &'static str,
    pub seed: &'static str,
    pub criterion: &'static str,
    pub weight: &'static str,
    pub direction: &'static str,
    pub normalise: &'static str,
    pub benefit: &'static str,
    pub cost: &'static str,
    // The strategy.
    pub strategy_title: &'static str,
    pub about_score: &'static str,
    pub about_pmedian_a: &'static str,
    pub about_pmedian_b: &'static str,
    pub about_pmedian_c: &'static str,
    pub about_pcenter: &'static str,
    pub about_maxcover_a: &'static str,
    pub about_maxcover_b: &'static str,
    pub about_maxcover_c: &'static str,
    pub about_largest: &'static str,
    pub about_central: &'static str,
    pub about_random: &'static str,
    pub about_other: &'static str,
    pub exact_a: &'static str,
    pub exact_b: &'static str,
    pub exact_c: &'static str,
    pub margins_in: &'static str,
    pub network_a: &'static str,
    pub network_b: &'static str,
    pub network_c: &'static str,
    pub network_d: &'static str,
    /// p-median's total, its margin unit and what max-cover leaves out,
    /// weighted by students.
    pub total_students: &'static str,
    pub unit_students: &'static str,
    pub beyond_students: &'static str,
    /// The same, every school counting once.
    pub total_schools: &'static str,
    pub unit_schools: &'static str,
    pub beyond_schools: &'static str,
    // The districts.
    pub districts_title: &'static str,
    pub districts_intro_a: &'static str,
    pub districts_intro_b: &'static str,
    pub code: &'static str,
    pub district: &'static str,
    pub primary_hub_col: &'static str,
    pub runner_up: &'static str,
    pub margin: &'static str,
    pub secondary_hub_col: &'static str,
    pub mean_min: &'static str,
    pub p95_min: &'static str,
    pub max_min: &'static str,
    pub within_limit: &'static str,
    pub shortfall: &'static str,
    pub more_hubs_a: &'static str,
    pub more_hubs_b: &'static str,
    pub more_hubs_c: &'static str,
    // The rejects.
    pub rejects_title: &'static str,
    pub no_rejects: &'static str,
    pub rejects_rows: &'static str,
    pub refused: &'static str,
    pub flagged: &'static str,
    pub rejects_went_on_a: &'static str,
    pub rejects_went_on_b: &'static str,
    pub field: &'static str,
    pub action: &'static str,
    pub rows: &'static str,
    pub for_example: &'static str,
    pub first_rows_a: &'static str,
    pub first_rows_b: &'static str,
    pub line: &'static str,
    pub id: &'static str,
    pub reason: &'static str,
    // Levels and weightings.
    pub primary: &'static str,
    pub secondary: &'static str,
    pub weighting_students: &'static str,
    pub weighting_schools: &'static str,
    /// A district level with fewer hubs than asked, from `{level}`,
    /// `{wanted}` and `{chosen}`; `None`: the engine's reason as it is.
    pub shortfall_told: Option<&'static str>,
    /// A district level's schools no candidate reaches, from `{level}`,
    /// `{n}`, `{of}`, `{off}` (off the roads), `{island}` and `{beyond}`;
    /// `None`: the engine's reason as it is.
    pub unreachable_told: Option<&'static str>,
}

impl Words {
    /// What the figures weigh, as the sentences say it.
    pub fn weighting(&self, w: &Weighting) -> &'static str {
        match w {
            Weighting::Students => self.weighting_students,
            Weighting::Schools => self.weighting_schools,
        }
    }

    pub fn level(&self, l: &HubLevel) -> &'static str {
        match l {
            HubLevel::Primary => self.primary,
            HubLevel::Secondary => self.secondary,
        }
    }

    /// A district level's shortfall, as the district table shows it.
    pub fn shortfall(&self, x: &Shortfall) -> String {
        match self.shortfall_told {
            None => format!("{}: {}", x.level.as_str(), x.reason),
            Some(told) => told
                .replace("{level}", self.level(&x.level))
                .replace("{wanted}", &x.wanted.to_string())
                .replace("{chosen}", &x.chosen.to_string()),
        }
    }

    /// A district level's schools no candidate reaches, as the district
    /// table shows them.
    pub fn unreachable(&self, u: &Unreachable) -> String {
        match self.unreachable_told {
            None => u.reason.clone(),
            Some(told) => told
                .replace("{level}", self.level(&u.level))
                .replace("{n}", &u.schools.len().to_string())
                .replace("{of}", &u.of.to_string())
                .replace("{off}", &u.off_network.to_string())
                .replace("{island}", &u.island.to_string())
                .replace("{beyond}", &u.beyond_cutoff.to_string()),
        }
    }

    pub fn action(&self, a: &Action) -> &'static str {
        match a {
            Action::Refused => self.refused,
            Action::Flagged => self.flagged,
        }
    }

    /// A criterion's direction as the scenario writes it (`benefit`,
    /// `cost`); anything else as it stands.
    pub fn direction<'a>(&self, d: &'a str) -> &'a str {
        match d {
            "benefit" => self.benefit,
            "cost" => self.cost,
            other => other,
        }
    }
}

pub static EN: Words = Words {
    heading: "Hub schools — scenario",
    strategy: "strategy",
    districts: "districts",
    schools: "schools",
    travel_limit: "travel limit",
    min: "min",
    min_door: "min door to door",
    hubs_both: "primary + secondary hubs",
    member_schools: "member schools",
    standalone_schools: "stand-alone schools",
    rejected_rows: "rejected rows",
    share_a: "at a hub or within",
    share_b: "min",
    mean_travel: "members' mean travel",
    p95_travel: "members' 95th percentile",
    longest_trip: "longest member trip",
    files_title: "Files of this run",
    features: "features",
    files_note_a: ", each with a QGIS style (",
    files_note_b: "); ",
    files_note_c: " lists every field with its unit.",
    written_by: "written by hubsel",
    map_label: "Map of districts, hubs, routes and stand-alone schools",
    district_title_a: "% of",
    district_title_b: "at a hub or member;",
    no_schools: "no schools",
    members: "members",
    standalone: "stand-alone",
    hub_of_district: "hub of district",
    students_served: "students served",
    legend: "Legend",
    legend_districts_a: "Districts:",
    legend_districts_b: "within",
    legend_hubs: "Hubs (size:",
    legend_hubs_served: "served)",
    primary_hub: "primary hub",
    secondary_hub: "secondary hub",
    legend_routes: "Routes: door-to-door minutes",
    standalone_school: "stand-alone school",
    projection_a: "Equirectangular at",
    projection_lat: " latitude;",
    projection_b: "a drawing, not a survey map.",
    north: "N",
    km: "km",
    scenario: "Scenario",
    name: "name",
    file: "file",
    hubs_per_district: "hubs per district",
    primary_n: "primary",
    secondary_n: "secondary",
    search_cutoff: "search cutoff",
    offroad_speed: "off-road speed",
    kmh: "km/h",
    farthest_snap: "farthest snap",
    m_from_road: "m from a road",
    fragments: "road fragments passed over",
    none: "none",
    fragments_a: "pieces of fewer than",
    fragments_b: "junctions, for a road within the farthest snap",
    weights: "weights",
    note: "note",
    smallest_candidate: "smallest candidate",
    students: "students",
    excluded_if: "excluded if",
    required_hubs: "required hubs",
    excluded_hubs: "excluded hubs",
    seed: "seed",
    criterion: "criterion",
    weight: "weight",
    direction: "direction",
    normalise: "normalise",
    benefit: "benefit",
    cost: "cost",
    strategy_title: "Strategy",
    about_score: "The policy score: each candidate's criteria are normalised among the candidates it competes with and weighted; the highest score wins. The margin is the score the runner-up lacks.",
    about_pmedian_a: "p-median: the hubs that minimise",
    about_pmedian_b: "to their nearest hub. The margin is the extra",
    about_pmedian_c: "if the runner-up replaced the hub.",
    about_pcenter: "p-center: the hubs that minimise the worst travel minutes of any school. The margin is the extra worst-case minutes with the runner-up.",
    about_maxcover_a: "Maximal covering: the hubs that leave the fewest",
    about_maxcover_b: "beyond the travel limit. The margin is the extra",
    about_maxcover_c: "left out with the runner-up.",
    about_largest: "Baseline: the candidates with the most students.",
    about_central: "Baseline: the candidates with the least total straight-line distance to the district's schools.",
    about_random: "Baseline: a seeded lottery among the candidates (the same seed gives the same choice).",
    about_other: "A strategy of this version of hubsel.",
    exact_a: "of",
    exact_b: "hubs were chosen by a proven-optimal search (the others by greedy construction and vertex substitution);",
    exact_c: "were required by the scenario.",
    margins_in: "Margins are in",
    network_a: "Road network:",
    network_b: "nodes,",
    network_c: "links,",
    network_d: "connected part(s).",
    total_students: "the students' total (student-weighted) travel minutes",
    unit_students: "student-minutes",
    beyond_students: "students",
    total_schools: "the schools' total travel minutes (every school counts once)",
    unit_schools: "school-minutes",
    beyond_schools: "schools",
    districts_title: "Districts",
    districts_intro_a: "Hubs with their runner-up and margin; travel figures are door-to-door minutes of the member schools, weighted by",
    districts_intro_b: ".",
    code: "code",
    district: "district",
    primary_hub_col: "primary hub",
    runner_up: "runner-up",
    margin: "margin",
    secondary_hub_col: "secondary hub",
    mean_min: "mean min",
    p95_min: "p95 min",
    max_min: "max min",
    within_limit: "within limit",
    shortfall: "shortfall, unreachable schools",
    more_hubs_a: "Districts with more than one hub per level show the first; all",
    more_hubs_b: "hubs are in",
    more_hubs_c: ".",
    rejects_title: "Rejects",
    no_rejects: "No input row was refused or flagged.",
    rejects_rows: "rows:",
    refused: "refused",
    flagged: "flagged",
    rejects_went_on_a: "(the run went on; every row is in",
    rejects_went_on_b: ").",
    field: "field",
    action: "action",
    rows: "rows",
    for_example: "for example",
    first_rows_a: "First",
    first_rows_b: "rows",
    line: "line",
    id: "id",
    reason: "reason",
    primary: "primary",
    secondary: "secondary",
    weighting_students: "students",
    weighting_schools: "schools",
    shortfall_told: None,
    unreachable_told: None,
};

pub static TH: Words = Words {
    heading: "โรงเรียนแม่ข่าย — สถานการณ์",
    strategy: "กลยุทธ์",
    districts: "อำเภอ",
    schools: "โรงเรียน",
    travel_limit: "เวลาเดินทางไม่เกิน",
    min: "นาที",
    min_door: "นาที (จากประตูถึงประตู)",
    hubs_both: "แม่ข่ายประถม + มัธยม",
    member_schools: "โรงเรียนเครือข่าย",
    standalone_schools: "โรงเรียน Stand Alone",
    rejected_rows: "แถวข้อมูลที่ถูกปฏิเสธ",
    share_a: "อยู่ที่แม่ข่ายหรือเดินทางไม่เกิน",
    share_b: "นาที",
    mean_travel: "เวลาเดินทางเฉลี่ยของโรงเรียนเครือข่าย",
    p95_travel: "เปอร์เซ็นไทล์ที่ 95 ของเวลาเดินทาง",
    longest_trip: "การเดินทางที่นานที่สุด",
    files_title: "ไฟล์ของการประมวลผลนี้",
    features: "รายการ",
    files_note_a: " แต่ละชั้นข้อมูลมีสไตล์ QGIS (",
    files_note_b: "); ",
    files_note_c: " อธิบายทุกฟิลด์พร้อมหน่วย",
    written_by: "สร้างโดย hubsel",
    map_label: "แผนที่อำเภอ แม่ข่าย เส้นทาง และโรงเรียน Stand Alone",
    district_title_a: "% ของ",
    district_title_b: "อยู่ที่แม่ข่ายหรือเป็นเครือข่าย;",
    no_schools: "ไม่มีโรงเรียน",
    members: "เครือข่าย",
    standalone: "Stand Alone",
    hub_of_district: "แม่ข่ายของอำเภอ",
    students_served: "นักเรียนที่ได้รับบริการ",
    legend: "คำอธิบายสัญลักษณ์",
    legend_districts_a: "อำเภอ:",
    legend_districts_b: "ภายใน",
    legend_hubs: "แม่ข่าย (ขนาด:",
    legend_hubs_served: "ที่ได้รับบริการ)",
    primary_hub: "แม่ข่ายประถมศึกษา",
    secondary_hub: "แม่ข่ายมัธยมศึกษา",
    legend_routes: "เส้นทาง: นาที จากประตูถึงประตู",
    standalone_school: "โรงเรียน Stand Alone",
    projection_a: "ภาพฉายแบบสี่เหลี่ยมที่ละติจูด",
    projection_lat: ";",
    projection_b: "ภาพประกอบ ไม่ใช่แผนที่สำรวจ",
    north: "N",
    km: "กม.",
    scenario: "สถานการณ์",
    name: "ชื่อ",
    file: "ไฟล์",
    hubs_per_district: "แม่ข่ายต่ออำเภอ",
    primary_n: "ประถม",
    secondary_n: "มัธยม",
    search_cutoff: "ขอบเขตการค้นหา",
    offroad_speed: "ความเร็วนอกถนน",
    kmh: "กม./ชม.",
    farthest_snap: "ระยะจากถนนที่ไกลที่สุด",
    m_from_road: "ม. จากถนน",
    fragments: "ส่วนถนนขนาดเล็กที่ข้ามไป",
    none: "ไม่มี",
    fragments_a: "ส่วนที่มีทางแยกน้อยกว่า",
    fragments_b: "แห่ง เมื่อมีถนนอื่นภายในระยะที่ไกลที่สุด",
    weights: "การถ่วงน้ำหนัก",
    note: "หมายเหตุ",
    smallest_candidate: "ขนาดผู้สมัครที่เล็กที่สุด",
    students: "นักเรียน",
    excluded_if: "ไม่พิจารณาหาก",
    required_hubs: "แม่ข่ายที่กำหนด",
    excluded_hubs: "แม่ข่ายที่ยกเว้น",
    seed: "ค่าเริ่มต้นสุ่ม (seed)",
    criterion: "เกณฑ์",
    weight: "น้ำหนัก",
    direction: "ทิศทาง",
    normalise: "การปรับมาตรฐาน",
    benefit: "ยิ่งมากยิ่งดี",
    cost: "ยิ่งน้อยยิ่งดี",
    strategy_title: "กลยุทธ์",
    about_score: "คะแนนตามนโยบาย: ปรับเกณฑ์ของผู้สมัครแต่ละรายให้เป็นมาตรฐานเทียบกับผู้สมัครที่แข่งขันกันแล้วถ่วงน้ำหนัก คะแนนสูงสุดได้รับเลือก ส่วนต่างคือคะแนนที่อันดับสองขาดไป",
    about_pmedian_a: "p-median: แม่ข่ายที่ทำให้",
    about_pmedian_b: "ไปยังแม่ข่ายที่ใกล้ที่สุดน้อยที่สุด ส่วนต่างคือ",
    about_pmedian_c: "ที่เพิ่มขึ้นหากใช้อันดับสองแทน",
    about_pcenter: "p-center: แม่ข่ายที่ทำให้เวลาเดินทางที่นานที่สุดของโรงเรียนใด ๆ น้อยที่สุด ส่วนต่างคือนาทีที่เพิ่มขึ้นในกรณีเลวร้ายที่สุดหากใช้อันดับสอง",
    about_maxcover_a: "การครอบคลุมสูงสุด: แม่ข่ายที่เหลือ",
    about_maxcover_b: "ที่อยู่นอกเวลาเดินทางที่กำหนดน้อยที่สุด ส่วนต่างคือ",
    about_maxcover_c: "ที่ตกหล่นเพิ่มขึ้นหากใช้อันดับสอง",
    about_largest: "เกณฑ์เปรียบเทียบ: ผู้สมัครที่มีนักเรียนมากที่สุด",
    about_central: "เกณฑ์เปรียบเทียบ: ผู้สมัครที่มีระยะเส้นตรงรวมไปยังโรงเรียนในอำเภอน้อยที่สุด",
    about_random: "เกณฑ์เปรียบเทียบ: การสุ่มจากผู้สมัครด้วยค่าเริ่มต้นที่กำหนด (ค่าเดิมให้ผลเดิม)",
    about_other: "กลยุทธ์ของ hubsel รุ่นนี้",
    exact_a: "จาก",
    exact_b: "แม่ข่ายเลือกด้วยการค้นหาที่พิสูจน์ได้ว่าดีที่สุด (ที่เหลือเลือกด้วยการสร้างแบบละโมบและการสลับจุด);",
    exact_c: "แห่งกำหนดโดยสถานการณ์",
    margins_in: "ส่วนต่างมีหน่วยเป็น",
    network_a: "โครงข่ายถนน:",
    network_b: "จุด,",
    network_c: "เส้นเชื่อม,",
    network_d: "ส่วนที่เชื่อมต่อกัน",
    total_students: "เวลาเดินทางรวมของนักเรียน (ถ่วงด้วยจำนวนนักเรียน)",
    unit_students: "นักเรียน-นาที",
    beyond_students: "นักเรียน",
    total_schools: "เวลาเดินทางรวมของโรงเรียน (นับโรงเรียนละหนึ่ง)",
    unit_schools: "โรงเรียน-นาที",
    beyond_schools: "โรงเรียน",
    districts_title: "อำเภอ",
    districts_intro_a: "แม่ข่ายพร้อมอันดับสองและส่วนต่าง ตัวเลขการเดินทางคือนาทีจากประตูถึงประตูของโรงเรียนเครือข่าย ถ่วงน้ำหนักด้วย",
    districts_intro_b: "",
    code: "รหัส",
    district: "อำเภอ",
    primary_hub_col: "แม่ข่ายประถม",
    runner_up: "อันดับสอง",
    margin: "ส่วนต่าง",
    secondary_hub_col: "แม่ข่ายมัธยม",
    mean_min: "เฉลี่ย (นาที)",
    p95_min: "P95 (นาที)",
    max_min: "สูงสุด (นาที)",
    within_limit: "ภายในเวลาที่กำหนด",
    shortfall: "แม่ข่ายไม่ครบ, โรงเรียนที่เข้าไม่ถึง",
    more_hubs_a: "อำเภอที่มีแม่ข่ายมากกว่าหนึ่งแห่งต่อระดับแสดงแห่งแรก แม่ข่ายทั้งหมด",
    more_hubs_b: "แห่งอยู่ใน",
    more_hubs_c: "",
    rejects_title: "ข้อมูลที่ถูกปฏิเสธ",
    no_rejects: "ไม่มีแถวข้อมูลที่ถูกปฏิเสธหรือทำเครื่องหมาย",
    rejects_rows: "แถว:",
    refused: "ปฏิเสธ",
    flagged: "ทำเครื่องหมาย",
    rejects_went_on_a: "(การประมวลผลดำเนินต่อ ทุกแถวอยู่ใน",
    rejects_went_on_b: ")",
    field: "ฟิลด์",
    action: "การดำเนินการ",
    rows: "แถว",
    for_example: "ตัวอย่าง",
    first_rows_a: "แถวแรก",
    first_rows_b: "แถว",
    line: "บรรทัด",
    id: "รหัส",
    reason: "เหตุผล",
    primary: "ประถม",
    secondary: "มัธยม",
    weighting_students: "นักเรียน",
    weighting_schools: "โรงเรียน",
    shortfall_told: Some("{level}: ต้องการโรงเรียนแม่ข่าย {wanted} แห่ง ได้ {chosen} แห่ง (เหตุผลโดยละเอียดใน summary.json)"),
    unreachable_told: Some("{level}: ไม่มีโรงเรียนผู้สมัครแม่ข่ายใดเดินทางถึงโรงเรียน {n} จาก {of} แห่งทางถนน (อยู่ห่างถนนเกินกำหนด {off} แห่ง, อยู่บนถนนที่ไม่เชื่อมกับผู้สมัคร {island} แห่ง, ไกลเกินกำหนดเวลาหรือติดถนนทางเดียว {beyond} แห่ง)"),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thai_locale_gives_thai_and_anything_else_english() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Lang::from_locale(env(&[("LANG", "th_TH.UTF-8")])), Lang::Th);
        assert_eq!(Lang::from_locale(env(&[("LANG", "en_GB.UTF-8")])), Lang::En);
        assert_eq!(Lang::from_locale(env(&[("LANG", "C")])), Lang::En);
        assert_eq!(Lang::from_locale(env(&[])), Lang::En);
        // LC_ALL wins over LANG; an empty LC_ALL does not count.
        assert_eq!(
            Lang::from_locale(env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "th_TH.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_locale(env(&[("LC_ALL", ""), ("LC_MESSAGES", "th_TH"), ("LANG", "C")])),
            Lang::Th
        );
    }

    #[test]
    fn codes_parse_in_any_case_with_a_region() {
        assert_eq!(Lang::parse("TH"), Some(Lang::Th));
        assert_eq!(Lang::parse("th-TH"), Some(Lang::Th));
        assert_eq!(Lang::parse("en_GB"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::parse(""), None);
    }
}
