//! One error type for the whole library: a kind, a message, and where the
//! problem is (file, line, field) so that a planner can fix the input; for
//! a file with several problems (a scenario), the list of them, each typed
//! ([`Problem`]: line, key, message); and the underlying error, when there
//! is one, as [`std::error::Error::source`].

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
    /// The caller stopped the run ([`crate::progress::Progress::cancelled`]):
    /// the workbench's client went away. Nothing was computed to the end.
    Cancelled,
}

/// One problem of a file, where it is and what, in words: the items of an
/// error that lists everything wrong with a scenario at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file, when known.
    pub line: Option<u64>,
    /// The key (scenario key, column, field) concerned, when there is one.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    /// ``line N: `key`: message``, leaving out the parts that are unknown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "`{key}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A run-level error: the run stops before any output is written. Boxed,
/// so that a `Result` costs one pointer on the happy path.
#[derive(Debug)]
pub struct Error(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    message: String,
    file: Option<PathBuf>,
    line: Option<u64>,
    field: Option<String>,
    problems: Vec<Problem>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            file: None,
            line: None,
            field: None,
            problems: Vec::new(),
            source: None,
        }))
    }

    /// Every problem of one file at once, in line order; the error's line
    /// and field are the first problem's, its message all of them, one a
    /// line (``line N: `key`: message``).
    pub fn with_problems(kind: ErrorKind, mut problems: Vec<Problem>) -> Self {
        problems.sort_by_key(|p| p.line.unwrap_or(u64::MAX));
        let message = problems
            .iter()
            .map(Problem::to_string)
            .collect::<Vec<_>>()
            .join("\n  ");
        let mut err = Error::new(kind, message);
        if let Some(first) = problems.first() {
            err.0.line = first.line;
        }
        err.0.problems = problems;
        err
    }

    /// The error this one comes from (an I/O error, a parser's error).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }

    /// The file the problem is in.
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.0.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// The 1-based line (or feature number) the problem is on.
    pub fn at_line(mut self, line: u64) -> Self {
        self.0.line = Some(line);
        self
    }

    /// The field (column, property or scenario key) concerned.
    pub fn on_field(mut self, field: impl Into<String>) -> Self {
        self.0.field = Some(field.into());
        self
    }

    /// A file that could not be read or written, the I/O error kept as the
    /// source.
    pub fn io(file: impl AsRef<Path>, err: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, err.to_string())
            .in_file(file)
            .with_source(err)
    }

    /// The run was stopped by its caller ([`ErrorKind::Cancelled`]).
    pub fn cancelled() -> Self {
        Error::new(ErrorKind::Cancelled, "the run was cancelled")
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub fn file(&self) -> Option<&Path> {
        self.0.file.as_deref()
    }

    pub fn line(&self) -> Option<u64> {
        self.0.line
    }

    pub fn field(&self) -> Option<&str> {
        self.0.field.as_deref()
    }

    /// The problems, when the error lists several (a scenario's); empty
    /// otherwise.
    pub fn problems(&self) -> &[Problem] {
        &self.0.problems
    }
}

impl fmt::Display for Error {
    /// `file:line: field `f`: message`, leaving out the parts that are unknown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A list of problems already starts with the first one's line
        // ("line 4: `weight`: …"): the line is not said twice.
        let listed = !self.0.problems.is_empty()
            || self
                .0
                .line
                .is_some_and(|l| self.0.message.starts_with(&format!("line {l}: ")));
        if let Some(file) = &self.0.file {
            write!(f, "{}", file.display())?;
            if let (Some(line), false) = (self.0.line, listed) {
                write!(f, ":{line}")?;
            }
            write!(f, ": ")?;
        } else if let (Some(line), false) = (self.0.line, listed) {
            write!(f, "line {line}: ")?;
        }
        if let Some(field) = &self.0.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}", self.0.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

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

#[cfg(test)]
mod problem_tests {
    use super::*;

    #[test]
    fn problems_are_typed_items_in_line_order_and_io_errors_keep_their_source() {
        let err = Error::with_problems(
            ErrorKind::Scenario,
            vec![
                Problem {
                    line: Some(9),
                    key: Some("weight".into()),
                    message: "must be a number".into(),
                },
                Problem {
                    line: Some(2),
                    key: None,
                    message: "TOML syntax: expected `=`".into(),
                },
            ],
        )
        .in_file("s.toml");
        assert_eq!(err.problems()[0].line, Some(2));
        assert_eq!(err.line(), Some(2));
        assert_eq!(
            err.to_string(),
            "s.toml: line 2: TOML syntax: expected `=`\n  line 9: `weight`: must be a number"
        );
        let io = Error::io(
            "x.csv",
            std::io::Error::new(std::io::ErrorKind::NotFound, "gone"),
        );
        let source = std::error::Error::source(&io).expect("the I/O error is kept");
        assert_eq!(source.to_string(), "gone");
    }
}
