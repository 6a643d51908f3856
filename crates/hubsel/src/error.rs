//! One error type for the whole library: a kind, a message, and where the
//! problem is (file, line, field) so that a planner can fix the input.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, broadly. Callers branch on this; the message says the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be opened, read or written.
    Io,
    /// A file is not in the format it claims to be (broken CSV, JSON, TOML, …).
    Format,
    /// The scenario file is wrong: unknown key, bad value, unknown field.
    Scenario,
    /// The inputs cannot support a run: no districts, a missing column, …
    Input,
    /// The output folder cannot be written as asked.
    Output,
}

/// A run-level error: the run stops before any output is written.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    file: Option<PathBuf>,
    line: Option<u64>,
    field: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            file: None,
            line: None,
            field: None,
        }
    }

    /// The file the problem is in.
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// The 1-based line (or feature number) the problem is on.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// The field (column, property or scenario key) concerned.
    pub fn on_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn io(file: impl AsRef<Path>, err: &std::io::Error) -> Self {
        Error::new(ErrorKind::Io, err.to_string()).in_file(file)
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    pub fn line(&self) -> Option<u64> {
        self.line
    }

    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }
}

impl fmt::Display for Error {
    /// `file:line: field `f`: message`, leaving out the parts that are unknown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A list of problems already starts with the first one's line
        // ("line 4: `weight`: …"): the line is not said twice.
        let listed = self
            .line
            .is_some_and(|l| self.message.starts_with(&format!("line {l}: ")));
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let (Some(line), false) = (self.line, listed) {
                write!(f, ":{line}")?;
            }
            write!(f, ": ")?;
        } else if let (Some(line), false) = (self.line, listed) {
            write!(f, "line {line}: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// `text` in double quotes for a message, readable in every script: Thai,
/// Lao or accented letters stay as they are (Rust's `{:?}` would escape
/// combining marks such as the Thai vowel ุ as `\u{e38}`); only quotes,
/// backslashes and control characters (a stray tab or line break in a
/// cell) are escaped, so the quoted text still shows where it ends.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_keeps_thai_readable_and_escapes_only_what_hides_the_ends() {
        let level = "อนุบาล-ประถมศึกษา";
        // Debug formatting escapes the combining vowel ุ (U+0E38).
        assert!(format!("{level:?}").contains("\\u{e38}"));
        assert_eq!(quote(level), format!("\"{level}\""));
        assert_eq!(quote("a\"b\\c\td\u{7}"), "\"a\\\"b\\\\c\\td\\u{7}\"");
    }
}
