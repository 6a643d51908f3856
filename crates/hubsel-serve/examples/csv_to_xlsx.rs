//! Writes a CSV as an Excel workbook with rust_xlsxwriter (the browser
//! check's registry export): `csv_to_xlsx IN.csv OUT.xlsx [OLD=NEW]…`
//! renames header cells (`lat=ละติจูด`); cells that read as numbers are
//! written as numbers, except the code columns named `smis8` and
//! `school_id10`-like ids, which stay text as the registry's do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, output) = (&args[0], &args[1]);
    let renames: Vec<(String, String)> = args[2..]
        .iter()
        .filter_map(|a| {
            a.split_once('=')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect();
    let text = std::fs::read_to_string(input).expect("the CSV");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut numeric = Vec::new();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r32, c16) = (r as u32, c as u16);
            if r == 0 {
                let name = renames
                    .iter()
                    .find(|(old, _)| old == cell)
                    .map_or(cell, |(_, new)| new.as_str());
                numeric.push(cell == "lat" || cell == "lon");
                sheet.write_string(r32, c16, name).unwrap();
            } else if numeric.get(c) == Some(&true) && cell.parse::<f64>().is_ok() {
                sheet
                    .write_number(r32, c16, cell.parse::<f64>().unwrap())
                    .unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r32, c16, cell).unwrap();
            }
        }
    }
    book.save(output).expect("the workbook");
}
