//! Thai names for villages, schools and roads, built from the words
//! northern Thai place names are made of (แม่ "river", ห้วย "creek", ดอย
//! "mountain", สัน "ridge", หนอง "pond", …).

use std::collections::BTreeSet;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Landscape words that open a lowland village name.
#[rustfmt::skip]
const VALLEY_HEADS: &[&str] = &[
    "สัน", "หนอง", "ทุ่ง", "ท่า", "วัง", "ป่า", "ต้น", "บ่อ", "ศรี", "เวียง",
    "ร้อง", "แพะ", "ดง", "กาด", "หาง", "ช่อ", "แม่", "หัว", "โป่ง", "ริม",
];
/// Landscape words that open a highland village name.
#[rustfmt::skip]
const HIGHLAND_HEADS: &[&str] = &[
    "ห้วย", "ดอย", "ขุน", "ปาง", "แม่", "ผา", "โป่ง", "น้ำ", "ป่า", "หัว", "ม่อน",
];
/// Second words: plants, colours, people, qualities.
#[rustfmt::skip]
const CORES: &[&str] = &[
    "แดด", "ตอง", "สลี", "ยาง", "ลาน", "ขาม", "ก้อ", "แจ่ม", "เหียะ", "หลวง",
    "สัก", "ปิง", "คำ", "เงิน", "ทอง", "ผึ้ง", "ไผ่", "ม่วง", "ตาล", "หอย",
    "เปา", "ฮ่อง", "ข่า", "ขวาง", "งิ้ว", "เกี๋ยง", "แฝก", "โจ้", "ปิน", "ลัว",
    "มาน", "ซาง", "หนาด", "ทราย", "แก้ว", "จันทร์", "ดอกแดง", "ปุย", "ยาว", "สะลวง",
    "ตื๋น", "ค่า", "เลา", "แหน", "ปูลิง", "แตะ", "โค๊ะ", "ตุง", "ละอุบ", "หยวก",
    "กุ๊ก", "เม็ง", "ขี้เหล็ก", "มะกอก", "มะขาม", "มะนาว", "ลำไย", "กล้วย", "บง", "ก๋ง",
    "หมอก", "สะแล",
];
/// Optional third words.
#[rustfmt::skip]
const TAILS: &[&str] = &[
    "ใหม่", "เหนือ", "ใต้", "หลวง", "น้อย", "กลาง", "ใน", "นอก", "พัฒนา", "สามัคคี",
];

/// Street names of the city centre, used in order.
#[rustfmt::skip]
pub const CITY_STREETS: &[&str] = &[
    "ถนนอารักษ์", "ถนนสิงหราช", "ถนนราชภาคินัย", "ถนนพระปกเกล้า", "ถนนราชมรรคา", "ถนนรัตนโกสินทร์",
    "ถนนมูลเมือง", "ถนนวัวลาย", "ถนนชัยภูมิ", "ถนนบำรุงบุรี", "ถนนราชวิถี", "ถนนราชดำเนิน",
    "ถนนท่าแพ", "ถนนศรีภูมิ", "ถนนช้างม่อย", "ถนนลอยเคราะห์", "ถนนช้างคลาน", "ถนนมณีนพรัตน์",
];

/// National highway numbers for primary roads, used in order.
#[rustfmt::skip]
const HIGHWAY_NUMBERS: &[u32] = &[
    107, 108, 118, 1001, 1006, 1009, 1019, 1035, 1088, 1089, 1095, 1096,
    1099, 1178, 1249, 1269, 1317, 1322, 1230, 1251, 1263, 1270, 1314, 1340,
];

/// Hands out village names, never the same twice.
#[derive(Debug, Default)]
pub struct NameBook {
    used: BTreeSet<String>,
    highways: usize,
}

impl NameBook {
    /// A new village name, with highland-style words when `highland`.
    pub fn village(&mut self, highland: bool, rng: &mut ChaCha8Rng) -> String {
        let heads = if highland {
            HIGHLAND_HEADS
        } else {
            VALLEY_HEADS
        };
        loop {
            let mut name = String::new();
            name.push_str(heads[rng.random_range(0..heads.len())]);
            name.push_str(CORES[rng.random_range(0..CORES.len())]);
            // Two words alone give about a thousand names; a third word
            // both varies them and resolves clashes.
            if rng.random_bool(0.25) {
                name.push_str(TAILS[rng.random_range(0..TAILS.len())]);
            }
            if self.used.insert(name.clone()) {
                return name;
            }
        }
    }

    /// The name of the next primary road.
    pub fn highway(&mut self) -> String {
        let number = HIGHWAY_NUMBERS[self.highways % HIGHWAY_NUMBERS.len()];
        self.highways += 1;
        format!("ทางหลวงแผ่นดินหมายเลข {number}")
    }
}

/// A rural road's name as the provincial road authority numbers them
/// (ชม. is Chiang Mai's prefix).
pub fn rural_road(province_prefix: &str, rng: &mut ChaCha8Rng) -> String {
    format!(
        "ทางหลวงชนบท {province_prefix}.{}",
        rng.random_range(1000..5000)
    )
}
