//! The rejects report: every input row that was refused, or that takes
//! part but is worth a look, with where it came from and why. Readers,
//! validation and the network checks add to it; `rejects.csv` writes it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Reason, SourceRef};

/// A text cell for a CSV file a planner opens in a spreadsheet: a cell
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would
/// be read as a formula (`=HYPERLINK(…)`, `+cmd|' /C calc'!A0`), so it
/// gets a leading single quote, as OWASP advises against CSV injection.
/// Numbers stay numbers (`-12.5`, `1e-3`). A cell that already starts with
/// quotes before such a character gets one more, so that a reader that
/// drops one leading quote from such cells gets every cell back.
pub fn spreadsheet_cell(text: &str) -> Cow<'_, str> {
    let rest = text.trim_start_matches('\'');
    let risky = rest.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = text.len() == rest.len()
        && text.parse::<f64>().is_ok_and(f64::is_finite)
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if risky && !number {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes one CSV record, each cell through [`spreadsheet_cell`].
pub fn write_safe_record<W: std::io::Write, S: AsRef<str>>(
    w: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> csv::Result<()> {
    let cells: Vec<String> = cells
        .into_iter()
        .map(|c| spreadsheet_cell(c.as_ref()).into_owned())
        .collect();
    w.write_record(&cells)
}

/// What happened to the row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// The row was left out of the run.
    Refused,
    /// The row takes part, but something about it is worth a look (for
    /// example a school far from any road, made stand-alone).
    Flagged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Refused => "refused",
            Action::Flagged => "flagged",
        }
    }
}

/// One line of `rejects.csv`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reject {
    pub source: SourceRef,
    pub id: String,
    pub field: String,
    pub reason: Reason,
    pub action: Action,
}

/// The rejects of a run, in the order found; sorted by file and line when
/// written so that the report does not depend on thread scheduling.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rejects {
    pub rows: Vec<Reject>,
}

impl Rejects {
    pub fn push(
        &mut self,
        source: &SourceRef,
        id: &str,
        field: &str,
        reason: Reason,
        action: Action,
    ) {
        self.rows.push(Reject {
            source: source.clone(),
            id: id.to_string(),
            field: field.to_string(),
            reason,
            action,
        });
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Rows in report order: by file, line, then the rest.
    pub fn sorted(&self) -> Vec<Reject> {
        let mut rows = self.rows.clone();
        rows.sort();
        rows
    }

    /// The report as `rejects.csv` text (`file,line,id,name,field,reason,
    /// reason_th,action`, sorted by file and line; `reason` in English,
    /// `reason_th` the same reason in Thai). `names` gives the name of a row's
    /// school or district by its id (a planner knows schools by name), `""`
    /// when none. Text is UTF-8 as read: Thai stays Thai.
    pub fn to_csv(&self, names: &BTreeMap<String, String>) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail.
        let _ = w.write_record([
            "file", "line", "id", "name", "field", "reason", "reason_th", "action",
        ]);
        for r in self.sorted() {
            let line = r.source.line.to_string();
            let name = names.get(&r.id).map_or("", String::as_str);
            let (reason, reason_th) = (r.reason.en(), r.reason.th());
            let _ = write_safe_record(&mut w, [
                r.source.file.as_str(),
                line.as_str(),
                &r.id,
                name,
                &r.field,
                &reason,
                &reason_th,
                r.action.as_str(),
            ]);
        }
        w.into_inner()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Counts by action, for the summary.
    pub fn count(&self, action: Action) -> usize {
        self.rows.iter().filter(|r| r.action == action).count()
    }
}
