//! What each criterion is called, in English and Thai, with a short
//! description of what it measures: the one table the report and the
//! workbench's sliders show instead of the key (`classrooms`, `acc_mean`).
//!
//! A criterion on a school field that this table does not know keeps its
//! field name as its label, with a description that says so.

/// The names and description of one criterion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriterionLabel {
    /// The criterion's key, as [`super::Criterion::key`] gives it.
    pub key: String,
    pub en: String,
    pub th: String,
    pub about_en: String,
    pub about_th: String,
}

/// `(key, English, Thai, what it measures in English, in Thai)`.
pub const LABELS: &[(&str, &str, &str, &str, &str)] = &[
    ("acc_mean", "Mean travel time", "เวลาเดินทางเฉลี่ย",
     "Student-weighted mean minutes from the district's schools to the candidate along the roads (lower is better).",
     "เวลาเดินทางเฉลี่ยทางถนน (นาที) จากโรงเรียนในอำเภอมายังโรงเรียนผู้สมัคร ถ่วงน้ำหนักด้วยจำนวนนักเรียน (ยิ่งน้อยยิ่งดี)"),
    ("acc_share", "Share within the time limit", "สัดส่วนที่เดินทางถึงในเวลาที่กำหนด",
     "Share of the district's students whose school is within the travel limit of the candidate (higher is better).",
     "สัดส่วนนักเรียนในอำเภอที่โรงเรียนอยู่ภายในเวลาเดินทางที่กำหนดจากโรงเรียนผู้สมัคร (ยิ่งมากยิ่งดี)"),
    ("acc_max", "Longest trip", "การเดินทางที่นานที่สุด",
     "The longest travel minutes from any school of the district to the candidate (lower is better).",
     "เวลาเดินทาง (นาที) ที่นานที่สุดจากโรงเรียนใด ๆ ในอำเภอมายังโรงเรียนผู้สมัคร (ยิ่งน้อยยิ่งดี)"),
    ("students", "Students", "จำนวนนักเรียน",
     "Students enrolled at the candidate school.",
     "จำนวนนักเรียนของโรงเรียนผู้สมัคร"),
    ("teachers", "Teachers", "จำนวนครู",
     "Teachers at the candidate school.",
     "จำนวนครูของโรงเรียนผู้สมัคร"),
    ("classrooms", "Classrooms", "จำนวนห้องเรียน",
     "Classrooms the candidate school has: room for the students who join it.",
     "จำนวนห้องเรียนของโรงเรียนผู้สมัคร: ความสามารถในการรับนักเรียนที่ย้ายมา"),
    ("land_rai", "Land (rai)", "พื้นที่ (ไร่)",
     "The school's land, in rai (1 rai = 1,600 m²).",
     "พื้นที่ของโรงเรียน หน่วยเป็นไร่ (1 ไร่ = 1,600 ตารางเมตร)"),
    ("internet", "Internet", "อินเทอร์เน็ต",
     "Whether (or how well) the school is connected to the internet.",
     "โรงเรียนมีการเชื่อมต่ออินเทอร์เน็ตหรือไม่ หรือมีคุณภาพเพียงใด"),
    ("electricity", "Electricity", "ไฟฟ้า",
     "Whether the school has mains electricity.",
     "โรงเรียนมีไฟฟ้าจากระบบสายส่งหรือไม่"),
    ("water", "Water supply", "น้ำประปา",
     "Whether the school has running water.",
     "โรงเรียนมีน้ำประปาใช้หรือไม่"),
    ("labs", "Laboratories", "ห้องปฏิบัติการ",
     "Science and computer laboratories at the school.",
     "จำนวนห้องปฏิบัติการวิทยาศาสตร์และคอมพิวเตอร์ของโรงเรียน"),
    ("ict_teachers", "ICT teachers", "ครูเทคโนโลยีสารสนเทศ",
     "Teachers of computing and information technology.",
     "จำนวนครูที่สอนคอมพิวเตอร์และเทคโนโลยีสารสนเทศ"),
    ("language_teachers", "Language teachers", "ครูภาษาต่างประเทศ",
     "Teachers of foreign languages.",
     "จำนวนครูที่สอนภาษาต่างประเทศ"),
    ("highland", "Highland school", "โรงเรียนบนพื้นที่สูง",
     "Whether the school lies in a highland area (1) or not (0).",
     "โรงเรียนตั้งอยู่บนพื้นที่สูง (1) หรือไม่ (0)"),
    ("swimming_pools", "Swimming pools", "สระว่ายน้ำ",
     "Swimming pools at the school.",
     "จำนวนสระว่ายน้ำของโรงเรียน"),
];

/// The label of a criterion key: from [`LABELS`], or the key itself for a
/// school field the table does not know.
pub fn label(key: &str) -> CriterionLabel {
    match LABELS.iter().find(|row| row.0 == key) {
        Some(&(key, en, th, about_en, about_th)) => CriterionLabel {
            key: key.to_string(),
            en: en.to_string(),
            th: th.to_string(),
            about_en: about_en.to_string(),
            about_th: about_th.to_string(),
        },
        None => CriterionLabel {
            key: key.to_string(),
            en: key.to_string(),
            th: key.to_string(),
            about_en: format!("The school field {key}, as the schools' file gives it."),
            about_th: format!("ฟิลด์ {key} ของโรงเรียน ตามที่ไฟล์ข้อมูลโรงเรียนระบุ"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_access_measure_has_a_label_and_keys_are_unique() {
        use crate::scenario::{AccessMeasure, Criterion, Measure, Normalize, Transform};
        for m in [
            AccessMeasure::WeightedMeanMinutes,
            AccessMeasure::ShareWithinLimit,
            AccessMeasure::MaxMinutes,
        ] {
            let c = Criterion {
                measure: Measure::Access(m),
                weight: 1.0,
                direction: m.direction(),
                normalize: Normalize::MinMax,
                transform: Transform::None,
                line: 1,
            };
            let l = label(&c.key());
            assert_ne!(l.th, c.key(), "{} has no Thai label", c.key());
            assert!(!l.th.chars().any(|ch| ch.is_ascii_alphabetic()), "{}", l.th);
        }
        let mut keys: Vec<&str> = LABELS.iter().map(|r| r.0).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), LABELS.len());
        let unknown = label("toilets");
        assert_eq!((unknown.en.as_str(), unknown.th.as_str()), ("toilets", "toilets"));
    }
}
