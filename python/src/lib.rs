//! The native part of the `cocreate` Python package (`cocreate._cocreate`).
//!
//! It runs the command line's own commands in-process
//! ([`cocreate::app::execute`]), with the GIL released, while the calling
//! thread watches for Ctrl-C and reports progress; and it reads the CSV
//! files those commands write into typed columns (numpy arrays), parsed in
//! Rust, so that a DataFrame holds exactly the file's numbers. The Python
//! modules beside it (`python/cocreate/`) build the public API on these.

use cocreate::app::embedded::Session;
use numpy::IntoPyArray;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::path::PathBuf;
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

pyo3::create_exception!(
    _cocreate,
    ScenarioError,
    PyValueError,
    "Input cocreate cannot use (a scenario, a sweep or calibration file, an argument), or a run that would not fit in memory or time; the message is the command line's, positions included."
);
pyo3::create_exception!(
    _cocreate,
    CocreateError,
    PyRuntimeError,
    "A command failed for another reason than its input (for example a file that cannot be written)."
);

/// A command's error as the Python exception that means the same: the
/// text is the command line's (after its `error: `).
fn to_py(err: &anyhow::Error) -> PyErr {
    use cocreate::app::{Failure, error_text, failure};
    let text = error_text(err);
    match failure(err) {
        Failure::Interrupted => PyKeyboardInterrupt::new_err(text),
        Failure::BadInput => ScenarioError::new_err(text),
        Failure::Other => CocreateError::new_err(text),
    }
}

/// Runs a `cocreate` command (its arguments, without the program's name)
/// in this process, as the command line would. The GIL is released while
/// it runs; Ctrl-C stops it after the replications under way and raises
/// `KeyboardInterrupt`; `progress`, if given, is called with (done, total)
/// about every 50 ms. Commands run one at a time.
#[pyfunction]
#[pyo3(signature = (args, progress=None))]
fn execute(py: Python<'_>, args: Vec<String>, progress: Option<Py<PyAny>>) -> PyResult<()> {
    let session = py.detach(Session::begin);
    let stopper = session.stopper();
    let (tx, rx) = channel();
    // waited on with the GIL released, so shared with that thread
    let rx = std::sync::Mutex::new(rx);
    std::thread::Builder::new()
        .name("cocreate".into())
        .spawn(move || {
            let result = std::panic::catch_unwind(|| cocreate::app::execute(args));
            let _ = tx.send(result);
        })
        .map_err(|e| CocreateError::new_err(format!("cannot start a thread: {e}")))?;
    let mut raised: Option<PyErr> = None;
    let mut last = None;
    let outcome = loop {
        let wait = || {
            rx.lock()
                .map_err(|_| RecvTimeoutError::Disconnected)?
                .recv_timeout(Duration::from_millis(50))
        };
        match py.detach(wait) {
            Ok(result) => break result,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                break Ok(Err(anyhow::anyhow!(
                    "the command's thread ended without a result"
                )));
            }
        }
        if raised.is_none() {
            if let Err(e) = py.check_signals() {
                // Ctrl-C (or another signal's exception): stop, then raise it
                stopper.stop();
                raised = Some(e);
                continue;
            }
            if let (Some(callback), Some(now)) = (&progress, stopper.progress())
                && last != Some(now)
            {
                last = Some(now);
                if let Err(e) = callback.call1(py, now) {
                    stopper.stop();
                    raised = Some(e);
                }
            }
        }
    };
    drop(session);
    if let Some(e) = raised {
        return Err(e);
    }
    if let (Some(callback), Some(now)) = (&progress, stopper.progress()) {
        callback.call1(py, now)?;
    }
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(to_py(&err)),
        Err(_) => Err(CocreateError::new_err(
            "the command panicked (a bug in cocreate: please report it)",
        )),
    }
}

/// A column of a CSV file, typed as pandas types it: integers, unsigned
/// integers (beyond int64), reals (empty cells NaN), booleans, or text.
enum Column {
    Int(Vec<i64>),
    UInt(Vec<u64>),
    Real(Vec<f64>),
    Bool(Vec<bool>),
    Text(Vec<Option<String>>),
}

/// One column's cells, end to end in one buffer: no allocation per cell
/// or per row while the file is split.
#[derive(Default)]
struct Cells {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Cells {
    fn push(&mut self, cell: &[u8]) {
        self.bytes.extend_from_slice(cell);
        self.ends.push(self.bytes.len());
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| &self.bytes[start..end])
    }

    /// The cells as text, or None if one is not UTF-8 (checked once for
    /// the whole buffer, and at each cell's ends).
    fn texts(&self) -> Option<Vec<&str>> {
        let all = std::str::from_utf8(&self.bytes).ok()?;
        if !self.ends.iter().all(|&end| all.is_char_boundary(end)) {
            return None;
        }
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        Some(
            starts
                .zip(self.ends.iter().copied())
                .map(|(start, end)| &all[start..end])
                .collect(),
        )
    }
}

fn column(cells: &Cells) -> Column {
    let Some(cells) = cells.texts() else {
        // not UTF-8 (cocreate writes none): text, as lossless as Python allows
        return Column::Text(
            cells
                .iter()
                .map(|c| (!c.is_empty()).then(|| String::from_utf8_lossy(c).into_owned()))
                .collect(),
        );
    };
    if !cells.is_empty() {
        if let Ok(v) = cells.iter().map(|c| c.parse::<i64>()).collect() {
            return Column::Int(v);
        }
        if let Ok(v) = cells.iter().map(|c| c.parse::<u64>()).collect() {
            return Column::UInt(v);
        }
        let real = |c: &&str| {
            if c.is_empty() {
                Ok(f64::NAN)
            } else {
                c.parse::<f64>()
            }
        };
        if let Ok(v) = cells.iter().map(real).collect() {
            return Column::Real(v);
        }
        let boolean = |c: &&str| match c.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
        if let Some(v) = cells.iter().map(boolean).collect() {
            return Column::Bool(v);
        }
    }
    Column::Text(
        cells
            .iter()
            .map(|c| (!c.is_empty()).then(|| c.to_string()))
            .collect(),
    )
}

/// Splits a CSV file into its header and its columns' cells, in one pass
/// that reuses one record.
fn split(path: &std::path::Path) -> Result<(Vec<String>, Vec<Cells>), csv::Error> {
    let mut reader = csv::Reader::from_path(path)?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let mut columns: Vec<Cells> = header.iter().map(|_| Cells::default()).collect();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record)? {
        // the reader refuses a row of another length than the header's
        for (cells, cell) in columns.iter_mut().zip(record.iter()) {
            cells.push(cell);
        }
    }
    Ok((header, columns))
}

/// Reads a CSV file into its header and one column per name: numpy arrays
/// for numbers and booleans, lists of str (None for empty) for text. The
/// numbers are the file's exactly (shortest round-trip decimal to f64).
#[pyfunction]
fn read_table(py: Python<'_>, path: PathBuf) -> PyResult<(Vec<String>, Vec<Py<PyAny>>)> {
    let failed =
        |e: &dyn std::fmt::Display| CocreateError::new_err(format!("{}: {e}", path.display()));
    let (header, columns) = py
        .detach(|| -> Result<_, csv::Error> {
            let (header, cells) = split(&path)?;
            // the columns are typed and parsed in parallel
            use rayon::prelude::*;
            let columns: Vec<Column> = cells.par_iter().map(column).collect();
            Ok((header, columns))
        })
        .map_err(|e| failed(&e))?;
    let arrays = columns
        .into_iter()
        .map(|c| -> PyResult<Py<PyAny>> {
            Ok(match c {
                Column::Int(v) => v.into_pyarray(py).into_any().unbind(),
                Column::UInt(v) => v.into_pyarray(py).into_any().unbind(),
                Column::Real(v) => v.into_pyarray(py).into_any().unbind(),
                Column::Bool(v) => v.into_pyarray(py).into_any().unbind(),
                Column::Text(v) => {
                    // one Python string per distinct text (names and
                    // figures repeat over many rows)
                    let mut made: std::collections::HashMap<String, Bound<'_, PyAny>> =
                        std::collections::HashMap::new();
                    let none = py.None().into_bound(py);
                    let cells: Vec<Bound<'_, PyAny>> = v
                        .into_iter()
                        .map(|cell| match cell {
                            None => none.clone(),
                            Some(text) => made
                                .entry(text)
                                .or_insert_with_key(|t| {
                                    pyo3::types::PyString::new(py, t).into_any()
                                })
                                .clone(),
                        })
                        .collect();
                    PyList::new(py, cells)?.into_any().unbind()
                }
            })
        })
        .collect::<PyResult<_>>()?;
    Ok((header, arrays))
}

/// A scenario: what a scenario file describes, checked and resolved.
#[pyclass(name = "NativeScenario", module = "cocreate._cocreate", frozen)]
#[derive(Clone)]
struct NativeScenario(cocreate::Scenario);

fn scenario_error(e: impl std::fmt::Display) -> PyErr {
    ScenarioError::new_err(e.to_string())
}

#[pymethods]
impl NativeScenario {
    /// Loads a scenario file, as the command line does.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        cocreate::Scenario::load(&path)
            .map(NativeScenario)
            .map_err(scenario_error)
    }

    /// A scenario from TOML text; `source` names it in error messages and
    /// `stem` is its name when the text gives none.
    #[staticmethod]
    fn from_toml(text: &str, source: &str, stem: &str) -> PyResult<Self> {
        cocreate::Scenario::from_toml(text, source, stem)
            .map(NativeScenario)
            .map_err(scenario_error)
    }

    /// A scenario from JSON with the structure of a scenario file (made
    /// into TOML, then read as a file is); `stem` is its name when it
    /// gives none.
    #[staticmethod]
    fn from_json(text: &str, stem: &str) -> PyResult<Self> {
        let table: toml::Table = serde_json::from_str(text).map_err(|e| {
            ScenarioError::new_err(format!("the dict is not a scenario file's structure: {e}"))
        })?;
        let text = toml::to_string(&table).map_err(|e| {
            ScenarioError::new_err(format!("the dict cannot be written as TOML: {e}"))
        })?;
        Self::from_toml(&text, "<dict>", stem)
    }

    /// The scenario as JSON with its file's structure.
    fn to_json(&self) -> PyResult<String> {
        let table: toml::Table =
            toml::from_str(&self.0.to_toml()).map_err(|e| CocreateError::new_err(e.to_string()))?;
        serde_json::to_string(&table).map_err(|e| CocreateError::new_err(e.to_string()))
    }

    /// A copy with each assignment (`KEY=VALUE`, as `--set` takes them)
    /// applied, and named after them as `--set` names it; the first
    /// refused raises with `--set`'s message.
    fn with_values(&self, assignments: Vec<String>) -> PyResult<Self> {
        let mut s = self.0.clone();
        for a in &assignments {
            s.set(a).map_err(scenario_error)?;
        }
        s.model().map_err(scenario_error)?;
        // named after what changed, as `--set` names it
        s.name_overrides(&assignments);
        Ok(NativeScenario(s))
    }

    /// Checks the scenario across keys, as a run does.
    fn check(&self) -> PyResult<()> {
        self.0.model().map(|_| ()).map_err(scenario_error)
    }

    /// The scenario as a file, every value filled in.
    fn to_toml(&self) -> String {
        self.0.to_toml()
    }

    #[getter]
    fn name(&self) -> String {
        self.0.name.clone()
    }

    #[getter]
    fn description(&self) -> String {
        self.0.description.clone()
    }
}

/// Every parameter: (key, section, default, allowed, integer, meaning).
#[pyfunction]
fn parameters() -> Vec<(String, String, String, String, bool, String)> {
    use cocreate::scenario::ParamKey;
    let defaults = cocreate::model::params::Params::default();
    ParamKey::all()
        .map(|k| {
            (
                k.name().to_string(),
                k.section().to_string(),
                k.get(&defaults).to_string(),
                k.domain().describe().to_string(),
                k.domain().is_integer(),
                k.help().to_string(),
            )
        })
        .collect()
}

/// The per-replication figures, in the order of `runs.csv`'s columns.
#[pyfunction]
fn run_figures() -> Vec<&'static str> {
    cocreate::RunRecord::FIGURES.to_vec()
}

#[pymodule]
fn _cocreate(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(execute, m)?)?;
    m.add_function(wrap_pyfunction!(read_table, m)?)?;
    m.add_function(wrap_pyfunction!(parameters, m)?)?;
    m.add_function(wrap_pyfunction!(run_figures, m)?)?;
    m.add_class::<NativeScenario>()?;
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("CocreateError", m.py().get_type::<CocreateError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
