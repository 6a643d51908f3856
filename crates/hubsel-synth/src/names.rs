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

/// Words that open a district name, Thai and romanised (RTGS).
#[rustfmt::skip]
const DISTRICT_HEADS: &[(&str, &str)] = &[
    ("ท่า", "Tha"), ("บ้าน", "Ban"), ("นา", "Na"), ("โนน", "Non"), ("หนอง", "Nong"),
    ("วัง", "Wang"), ("บาง", "Bang"), ("ศรี", "Si"), ("ห้วย", "Huai"), ("แม่", "Mae"),
    ("โพธิ์", "Pho"), ("ทุ่ง", "Thung"), ("เวียง", "Wiang"), ("ลำ", "Lam"), ("ปาก", "Pak"),
    ("กุด", "Kut"), ("บึง", "Bueng"), ("พระ", "Phra"), ("ด่าน", "Dan"), ("เขา", "Khao"),
    ("คลอง", "Khlong"), ("สัน", "San"), ("ดอน", "Don"), ("เชียง", "Chiang"), ("กุฉิ", "Kuchi"),
    ("ควน", "Khuan"), ("ทับ", "Thap"), ("โคก", "Khok"),
];
/// Words that end a district name.
#[rustfmt::skip]
const DISTRICT_CORES: &[(&str, &str)] = &[
    ("ทอง", "Thong"), ("แก้ว", "Kaeo"), ("ไผ่", "Phai"), ("งาม", "Ngam"), ("หลวง", "Luang"),
    ("ใหญ่", "Yai"), ("ทราย", "Sai"), ("แดง", "Daeng"), ("ขาม", "Kham"), ("บัว", "Bua"),
    ("สูง", "Sung"), ("ยาง", "Yang"), ("ชัย", "Chai"), ("สวรรค์", "Sawan"), ("สมบูรณ์", "Sombun"),
    ("เจริญ", "Charoen"), ("ศิลา", "Sila"), ("หิน", "Hin"), ("ม่วง", "Muang"), ("พุทรา", "Phutsa"),
    ("ตะเคียน", "Takhian"), ("สะแก", "Sakae"), ("มะขาม", "Makham"), ("ขุนทด", "Khun Thot"), ("กระทุ่ม", "Krathum"),
    ("พิมาย", "Phimai"), ("โพธิ์", "Pho"), ("เงิน", "Ngoen"), ("คำ", "Kham"), ("ช้าง", "Chang"),
    ("เสือ", "Suea"), ("ปลา", "Pla"), ("น้ำ", "Nam"), ("ลาน", "Lan"), ("จันทร์", "Chan"),
    ("ยาว", "Yao"), ("กลาง", "Klang"), ("สามัคคี", "Samakkhi"), ("พัฒนา", "Phatthana"), ("ราษฎร์", "Rat"),
    ("ขวาง", "Khwang"), ("พลับ", "Phlap"), ("สัก", "Sak"), ("ประดู่", "Pradu"), ("เหล็ก", "Lek"),
];
/// Occasional third words.
#[rustfmt::skip]
const DISTRICT_TAILS: &[(&str, &str)] = &[
    ("เหนือ", "Nuea"), ("ใต้", "Tai"), ("ใหม่", "Mai"), ("น้อย", "Noi"), ("ตะวันออก", "Tawan Ok"),
];

/// National highway numbers for the primary roads between provincial
/// capitals, used in order.
#[rustfmt::skip]
const NATIONAL_HIGHWAYS: &[u32] = &[
    1, 2, 3, 4, 11, 12, 21, 22, 23, 24, 32, 33, 35, 36, 41, 42, 43, 101, 102, 103,
    105, 106, 108, 113, 115, 117, 201, 202, 205, 207, 208, 209, 211, 212, 213, 214,
    219, 223, 225, 226, 304, 314, 317, 321, 323, 331, 340, 401, 402, 403, 404, 406,
    407, 408, 410, 414, 418, 2021, 2025, 2059, 2103, 2169,
];

/// Hands out district names, Thai and romanised, never the same Thai name
/// twice.
#[derive(Debug, Default)]
pub struct DistrictNames {
    used: BTreeSet<String>,
}

impl DistrictNames {
    /// The capital district of a province: "Mueang" and the province's name.
    pub fn mueang(&mut self, province_th: &str, province_en: &str) -> (String, String) {
        let name = (
            format!("เมือง{province_th}"),
            format!("Mueang {province_en}"),
        );
        self.used.insert(name.0.clone());
        name
    }

    /// Keeps `name_th` from being handed out.
    pub fn reserve(&mut self, name_th: &str) {
        self.used.insert(name_th.to_string());
    }

    /// A new district name, `(Thai, English)`.
    pub fn next(&mut self, rng: &mut ChaCha8Rng) -> (String, String) {
        loop {
            let (head_th, head_en) = DISTRICT_HEADS[rng.random_range(0..DISTRICT_HEADS.len())];
            let (core_th, core_en) = DISTRICT_CORES[rng.random_range(0..DISTRICT_CORES.len())];
            let mut th = format!("{head_th}{core_th}");
            let mut en = format!("{head_en} {core_en}");
            if rng.random_bool(0.2) {
                let (tail_th, tail_en) = DISTRICT_TAILS[rng.random_range(0..DISTRICT_TAILS.len())];
                th.push_str(tail_th);
                en.push(' ');
                en.push_str(tail_en);
            }
            if self.used.insert(th.clone()) {
                return (th, en);
            }
        }
    }
}

/// The name of the `k`-th national highway between provincial capitals.
pub fn national_highway(k: usize) -> String {
    let number = NATIONAL_HIGHWAYS[k % NATIONAL_HIGHWAYS.len()];
    format!("ทางหลวงแผ่นดินหมายเลข {number}")
}
