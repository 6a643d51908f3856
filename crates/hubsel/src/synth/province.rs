//! What a preset generates, province by province: district names, the
//! layout of the district grid, the school count and the terrain.
//!
//! A province is described by a [`ProvinceSpec`] alone, so a national
//! preset is a list of specs run through the same per-district generator.

use super::geom::{point_segment_m, LonLat};

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
#[derive(Clone, Copy, Debug)]
pub struct ValleyPoint {
    pub lon: f64,
    pub lat: f64,
    pub half_width_m: f64,
}

/// Everything the generator needs to know about one province.
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
/// across the valley edge, in metres.
const VALLEY_EDGE_M: f64 = 3_000.0;

impl ProvinceSpec {
    pub fn district_code(&self, number: u8) -> String {
        format!("{}{:02}", self.code, number)
    }

    pub fn district_name(&self, number: u8) -> Option<&DistrictName> {
        self.districts.iter().find(|d| d.number == number)
    }

    /// Metres by which `p` lies outside the valley: negative inside it.
    pub fn valley_excess_m(&self, p: LonLat) -> f64 {
        self.valley
            .windows(2)
            .map(|w| {
                let (a, b) = ([w[0].lon, w[0].lat], [w[1].lon, w[1].lat]);
                let (d_m, t) = point_segment_m(p, a, b);
                d_m - (w[0].half_width_m + t * (w[1].half_width_m - w[0].half_width_m))
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// Whether `p` is in the highland zone, the `highland` flag of schools.
    pub fn is_highland(&self, p: LonLat) -> bool {
        self.valley_excess_m(p) > 0.0
    }

    /// 0 deep in the valley, 1 in the hills, a smooth ramp across the
    /// valley edge: how winding and how sparse roads and villages are.
    pub fn highland_weight(&self, p: LonLat) -> f64 {
        let s = (self.valley_excess_m(p) / VALLEY_EDGE_M + 0.5).clamp(0.0, 1.0);
        s * s * (3.0 - 2.0 * s)
    }
}

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
