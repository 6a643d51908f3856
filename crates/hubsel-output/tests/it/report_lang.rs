//! `report.html` in English and in Thai: the words come from the
//! language's table, the data's own Thai stays as written, and the map
//! names the districts and keys the hub sizes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use hubsel::io::ReadOptions;
use hubsel::model::{HubLevel, SchoolId};
use hubsel::outcome::{RunResult, Unreachable};
use hubsel::output::words::Lang;
use hubsel::output::Format;
use hubsel::pipeline::run;
use hubsel::progress::Silent;

fn default_run() -> RunResult {
    let config = hubsel::scenario::parse(hubsel::scenario::DEFAULT_SCENARIO, "default").unwrap();
    let inputs = hubsel::io::load(&hubsel::fixture::province(), &ReadOptions::default()).unwrap();
    run(inputs, &config, &Silent).unwrap()
}

fn report(r: &RunResult, lang: Lang) -> String {
    let files = hubsel::output::render_in(r, &[Format::GeoJson], lang).unwrap();
    let (_, bytes) = files.into_iter().find(|(n, _)| n == "report.html").unwrap();
    String::from_utf8(bytes).unwrap()
}

/// The text of every `<tag class="class" …>…</tag>` element, in order.
fn texts_of(page: &str, class: &str) -> Vec<String> {
    let marker = format!("class=\"{class}\"");
    page.split(&marker)
        .skip(1)
        .map(|rest| {
            let start = rest.find('>').unwrap() + 1;
            let end = rest[start..].find('<').unwrap();
            rest[start..start + end].to_string()
        })
        .collect()
}

#[test]
fn the_thai_report_is_thai_with_the_data_as_written() {
    let r = default_run();
    let th = report(&r, Lang::Th);
    assert!(th.contains("<html lang=\"th\">"));
    for heading in ["โรงเรียนแม่ข่าย — สถานการณ์", "คำอธิบายสัญลักษณ์", "<h2>อำเภอ</h2>", "<h2>สถานการณ์</h2>"] {
        assert!(th.contains(heading), "no {heading}");
    }
    // No English heading is left over.
    for english in ["<h2>Districts</h2>", ">Legend<", "<h2>Scenario</h2>", "member schools"] {
        assert!(!th.contains(english), "{english} in the Thai report");
    }
    // Every hub's Thai name is in the page as written: never escaped to
    // numeric entities.
    let thai_names: Vec<&str> = r
        .hubs
        .iter()
        .map(|h| h.name.as_str())
        .filter(|n| n.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)))
        .collect();
    assert!(thai_names.len() > 10, "the province's hubs have Thai names");
    for name in thai_names {
        assert!(th.contains(name), "{name} not in the page as written");
    }
    assert!(!th.contains("&#"), "numeric entities in the page");
}

#[test]
fn english_is_the_default_and_the_languages_differ_only_in_words() {
    let r = default_run();
    let en = report(&r, Lang::En);
    let default = hubsel::output::render(&r, &[Format::GeoJson]).unwrap();
    let (_, bytes) = default.into_iter().find(|(n, _)| n == "report.html").unwrap();
    assert_eq!(en.as_bytes(), &bytes[..]);
    assert!(en.contains("<html lang=\"en\">") && en.contains("<h2>Districts</h2>"));
    let th = report(&r, Lang::Th);
    // The same drawing: every map element is in both, in the same place.
    for class in ["district", "hub primary", "hub secondary", "standalone", "routes", "size-key"] {
        let count = |page: &str| page.matches(&format!("class=\"{class}\"")).count();
        assert_eq!(count(&en), count(&th), "{class}");
        assert!(count(&en) > 0, "{class}");
    }
}

#[test]
fn the_map_names_the_districts_and_keys_the_hub_sizes() {
    let r = default_run();
    let page = report(&r, Lang::En);
    let labels = texts_of(&page, "district-label");
    let names: Vec<&str> = r.districts.iter().map(|d| d.name.as_str()).collect();
    // Names that would overlap are left to the tooltips; most are drawn.
    assert!(labels.len() >= 20 && labels.len() <= names.len(), "{labels:?}");
    for l in &labels {
        assert!(names.contains(&l.as_str()), "{l} is no district's name");
        assert_eq!(labels.iter().filter(|m| *m == l).count(), 1, "{l} twice");
    }
    assert!(labels.iter().any(|l| l == "Mueang Chiang Mai"));
    // The size key: the largest hub's students, and a round figure below it.
    let largest = r
        .hubs
        .iter()
        .filter_map(|h| h.students_served)
        .fold(0.0, f64::max);
    let key = page.split("class=\"size-key\"").skip(1).count();
    assert_eq!(key, 2);
    let largest_label = format!(">{} students<", thousands(largest.round() as u64));
    assert!(page.contains(&largest_label), "no {largest_label}");
    assert!(page.contains(">2,000 students<"), "no round figure in the key");
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn shortfalls_and_unreachable_schools_are_told_in_the_reports_language() {
    let mut r = default_run();
    let d = r
        .district_outcomes
        .iter()
        .position(|o| !o.shortfalls.is_empty())
        .expect("the default run has a shortfall");
    let short = r.district_outcomes[d].shortfalls[0].clone();
    let code = r.district_outcomes[d].code.clone();
    r.district_outcomes[d].unreachable.push(Unreachable {
        district: code.clone(),
        level: HubLevel::Secondary,
        schools: vec![SchoolId("A1".into()), SchoolId("A2".into()), SchoolId("A3".into())],
        of: 12,
        off_network: 1,
        island: 0,
        beyond_cutoff: 2,
        reason: format!("district {}, secondary: no candidate reaches 3 of its 12 secondary schools", code.0),
    });
    let en = report(&r, Lang::En);
    let th = report(&r, Lang::Th);
    // English: the engine's own reasons.
    let english_reason: String = short.reason.chars().take(20).collect();
    assert!(en.contains(&format!("{}: {english_reason}", short.level.as_str())), "{english_reason}");
    assert!(en.contains("no candidate reaches 3 of its 12 secondary schools"));
    // Thai: the same facts from the fields, and no English reason left.
    let level = if short.level == HubLevel::Primary { "ประถม" } else { "มัธยม" };
    let told = format!("{level}: ต้องการโรงเรียนแม่ข่าย {} แห่ง ได้ {} แห่ง", short.wanted, short.chosen);
    assert!(th.contains(&told), "no {told}");
    assert!(th.contains(
        "มัธยม: ไม่มีโรงเรียนผู้สมัครแม่ข่ายใดเดินทางถึงโรงเรียน 3 จาก 12 แห่งทางถนน (อยู่ห่างถนนเกินกำหนด 1 แห่ง, อยู่บนถนนที่ไม่เชื่อมกับผู้สมัคร 0 แห่ง, ไกลเกินกำหนดเวลาหรือติดถนนทางเดียว 2 แห่ง)"
    ));
    assert!(!th.contains("no candidate reaches"));
    assert!(!th.contains(&english_reason), "{english_reason} in the Thai report");
}
