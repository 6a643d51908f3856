//! hubsel's errors as `hubsel.errors.HubselError`, and panics caught at
//! the boundary.

use std::panic::{catch_unwind, AssertUnwindSafe};

use hubsel::error::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The kind's name as the exception's `kind` attribute has it.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Io => "io",
        ErrorKind::Format => "format",
        ErrorKind::Scenario => "scenario",
        ErrorKind::Input => "input",
        ErrorKind::Output => "output",
        _ => "other",
    }
}

/// `hubsel.errors.HubselError(message, kind=…, file=…, line=…, field=…,
/// problems=[Problem(file, line, key, message), …])`. An error without a
/// list of problems gets one problem: itself.
pub fn to_py(py: Python<'_>, err: &Error) -> PyErr {
    match build(py, err) {
        Ok(e) => e,
        Err(e) => e,
    }
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let module = py.import("hubsel.errors")?;
    let problem = module.getattr("Problem")?;
    let file = err.file().map(|f| f.display().to_string());
    let mut problems = Vec::new();
    if err.problems().is_empty() {
        problems.push(problem.call1((file.clone(), err.line(), err.field(), err.message()))?);
    }
    for p in err.problems() {
        problems.push(problem.call1((file.clone(), p.line, p.key.clone(), p.message.clone()))?);
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("kind", kind_name(err.kind()))?;
    kwargs.set_item("file", file)?;
    kwargs.set_item("line", err.line())?;
    kwargs.set_item("field", err.field())?;
    kwargs.set_item("problems", problems)?;
    let value = module
        .getattr("HubselError")?
        .call((err.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(value))
}

/// `HubselError(message, kind="internal")`, for a panic caught.
fn internal(py: Python<'_>, message: &str) -> PyResult<PyErr> {
    let module = py.import("hubsel.errors")?;
    let problem =
        module
            .getattr("Problem")?
            .call1((None::<String>, None::<u64>, None::<String>, message))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("kind", "internal")?;
    kwargs.set_item("problems", vec![problem])?;
    let value = module
        .getattr("HubselError")?
        .call((message,), Some(&kwargs))?;
    Ok(PyErr::from_value(value))
}

/// A problem of the caller's arguments, raised as a `HubselError` of kind
/// `input` (or `scenario`).
pub fn argument(py: Python<'_>, kind: ErrorKind, message: impl Into<String>) -> PyErr {
    to_py(py, &Error::new(kind, message))
}

/// Runs `work` without the GIL, catching a panic: hubsel's library never
/// panics on bad input by design, and should a bug make it, the caller
/// gets an exception instead of a dead interpreter.
pub fn guarded<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> hubsel::error::Result<T> + Send,
) -> PyResult<T> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(work))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_py(py, &e)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_else(|| "unknown".into());
            let message = format!("internal error (a bug, please report it): {what}");
            Err(internal(py, &message).unwrap_or_else(|e| e))
        }
    }
}
