//! The API's handlers (docs/serve.md).

use super::{AppState, Permit};
use crate::app::commands::compare::Collected;
use crate::app::commands::limits;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use cocreate::experiment::series::StepSeries;
use cocreate::experiment::{self, Observer, ReplicateError};
use cocreate::model::params::{ParamKey, ParamValue, Params};
use cocreate::model::{Model, RunRecord, StepRecord};
use cocreate::{Scenario, output};
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::ReceiverStream;

/// Partial summaries are sent at most this often.
const PARTIAL_EVERY: Duration = Duration::from_millis(200);

/// The most replications one request may ask for.
const MAX_REPLICATIONS: u32 = 1_000_000;

/// The most scenarios a comparison takes besides its base.
const MAX_OTHERS: usize = 8;

/// The largest results archive `/api/results` builds (in memory).
const MAX_ARCHIVE: u64 = 1 << 30;

/// A parameter value as JSON: a number, or the network kind's name.
fn value_json(v: ParamValue) -> Value {
    match v {
        ParamValue::Int(i) => json!(i),
        ParamValue::Float(x) => json!(x),
        other => json!(other.to_string()),
    }
}

/// `GET /api/parameters`: every parameter with its default, allowed
/// values and meaning; the inhibitors with their definitions; the kinds of
/// intervention.
pub async fn parameters() -> Json<Value> {
    let defaults = Params::default();
    let parameters: Vec<Value> = ParamKey::all()
        .map(|k| {
            json!({
                "key": k.name(),
                "section": k.section(),
                "default": value_json(k.get(&defaults)),
                "allowed": k.domain().describe(),
                "integer": k.domain().is_integer(),
                "meaning": k.help(),
            })
        })
        .collect();
    Json(json!({
        "parameters": parameters,
        "inhibitors": Scenario::baseline().inhibitors.definitions(),
        "interventions": cocreate::model::intervention::KINDS,
    }))
}

/// `GET /api/scenario`: the scenario the page opens with, as TOML.
pub async fn initial(State(state): State<Arc<AppState>>) -> String {
    state.initial.clone()
}

/// The scenario of a request's TOML body, its model, checked as the CLI
/// checks it (positions as line:column, memory and size refused up
/// front); the error is the CLI's text.
fn checked(
    state: &AppState,
    body: &str,
    replications: Option<u32>,
    seed: Option<u64>,
) -> Result<(Scenario, Model), String> {
    let mut scenario =
        Scenario::from_toml(body, "scenario.toml", "scenario").map_err(|e| e.to_string())?;
    if let Some(r) = replications {
        if !(1..=MAX_REPLICATIONS).contains(&r) {
            return Err(format!(
                "replications={r}: allowed is an integer from 1 to {MAX_REPLICATIONS}"
            ));
        }
        scenario.params.run.replications = r;
    }
    if let Some(s) = seed {
        if s > i64::MAX as u64 {
            return Err(format!(
                "seed={s}: allowed is an integer from 0 to 2^63 - 1"
            ));
        }
        scenario.params.run.seed = s;
    }
    let model = scenario.model().map_err(|e| e.to_string())?;
    let replications = u64::from(scenario.params.run.replications);
    let kept = {
        use cocreate::experiment::resources::{kept_bytes, part_bytes};
        kept_bytes(replications, part_bytes(&model))
    };
    limits::check(
        &[limits::Job {
            scenario: &scenario,
            model: &model,
            replications,
        }],
        state.threads,
        kept,
        None,
        true,
    )
    .map_err(|e| e.to_string())?;
    Ok((scenario, model))
}

fn unprocessable(text: String) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, text).into_response()
}

/// `POST /api/validate`: 200 with the resolved scenario as JSON, or 422
/// with the CLI's error text.
pub async fn validate(State(state): State<Arc<AppState>>, body: String) -> Response {
    match checked(&state, &body, None, None) {
        Ok((scenario, model)) => Json(json!({
            "scenario": scenario,
            "groups": model.groups(),
            "kinds": model.kinds(),
            "inhibitor_definitions": scenario.inhibitors.definitions(),
        }))
        .into_response(),
        Err(text) => unprocessable(text),
    }
}

/// The query of `/api/run`.
#[derive(serde::Deserialize)]
pub struct RunQuery {
    replications: Option<u32>,
    seed: Option<u64>,
}

/// `POST /api/run?replications=R&seed=S`: runs the TOML body's scenario
/// and streams `progress`, `partial` and finally `summary`, `series`,
/// `breakdown`, `figures` (time series, equity and kinds panels),
/// `waterfall` and `figures` (the waterfall's chart) events. 422 for a
/// scenario the CLI would refuse, 429 while two simulations run.
pub async fn run(
    State(state): State<Arc<AppState>>,
    Query(query): Query<RunQuery>,
    body: String,
) -> Response {
    let (scenario, model) = match checked(&state, &body, query.replications, query.seed) {
        Ok(checked) => checked,
        Err(text) => return unprocessable(text),
    };
    let Some(permit) = state.permit() else {
        return busy();
    };
    streamed(move |tx| simulate(permit, &scenario, &model, tx))
}

/// Answers with the server-sent events `work` sends, run on a blocking
/// thread (it ends when the client goes away: its sends fail). The stream
/// ends after `work` has returned, so that its place (which `work` owns)
/// is free by the time the client sees the end.
fn streamed(work: impl FnOnce(&mpsc::Sender<Event>) + Send + 'static) -> Response {
    let (tx, rx) = mpsc::channel::<Event>(256);
    tokio::task::spawn_blocking(move || {
        work(&tx);
        drop(tx);
    });
    let stream = ReceiverStream::new(rx).map(Ok::<Event, Infallible>);
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn busy() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        format!(
            "{} simulations are running, the most at once: try again when one ends",
            super::MAX_RUNNING
        ),
    )
        .into_response()
}

/// Progress of a streamed run, and its cancellation: the client went away
/// (its stream was dropped) or the server is stopping.
struct Watch<'a> {
    permit: &'a Permit,
    tx: &'a mpsc::Sender<Event>,
    done: AtomicU32,
    total: u32,
}

impl Observer for Watch<'_> {
    fn replication_done(&self) {
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        // progress may be dropped when the client reads slowly
        let _ = self.tx.try_send(event(
            "progress",
            &json!({ "done": done, "total": self.total }),
        ));
    }

    fn cancelled(&self) -> bool {
        self.tx.is_closed() || self.permit.0.stopping.load(Ordering::SeqCst)
    }
}

/// Sends an event, waiting while the client reads slowly, but giving up
/// (with an error) once the client is gone or the server stops: a client
/// that stays connected without reading cannot hold a simulation's place.
fn deliver(tx: &mpsc::Sender<Event>, permit: &Permit, event: Event) -> Result<(), &'static str> {
    let mut event = event;
    loop {
        match tx.try_send(event) {
            Ok(()) => return Ok(()),
            Err(mpsc::error::TrySendError::Closed(_)) => return Err("the client went away"),
            Err(mpsc::error::TrySendError::Full(back)) => {
                if permit.0.stopping.load(Ordering::SeqCst) {
                    return Err("the server is stopping");
                }
                event = back;
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

fn event(name: &str, data: &Value) -> Event {
    Event::default().event(name).data(data.to_string())
}

/// The rows of a CSV text as JSON objects keyed by its header, numbers as
/// numbers (`NaN` as null; `scenario` and `metric` stay text): the same
/// values as the file, bit for bit.
fn csv_objects(text: &[u8]) -> Vec<Value> {
    let mut reader = csv::Reader::from_reader(text);
    let header: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(String::from).collect())
        .unwrap_or_default();
    reader
        .records()
        .flatten()
        .map(|row| {
            let object = header
                .iter()
                .zip(row.iter())
                .map(|(k, v)| {
                    let text = matches!(
                        k.as_str(),
                        "scenario" | "metric" | "aggregate" | "level" | "name"
                    );
                    let value = match v.parse::<f64>() {
                        _ if text => json!(v),
                        // a figure that is not there (a difference from a
                        // base without that group or kind)
                        Err(_) if v.is_empty() => Value::Null,
                        Ok(x) if x.is_nan() => Value::Null,
                        Ok(_) if v.parse::<u64>().is_ok() => json!(v.parse::<u64>().ok()),
                        Ok(x) => json!(x),
                        Err(_) => json!(v),
                    };
                    (k.clone(), value)
                })
                .collect::<serde_json::Map<_, _>>();
            Value::Object(object)
        })
        .collect()
}

/// `summary.csv`'s rows for the records so far, as JSON objects.
fn summary_json(name: &str, records: &[RunRecord]) -> Value {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(output::summary_header());
    let mut buf = ryu::Buffer::new();
    for row in output::summary_rows(name, &output::summarize(records), &mut buf) {
        let _ = w.write_record(row);
    }
    Value::Array(csv_objects(&w.into_inner().unwrap_or_default()))
}

/// Runs the scenario's replications on the server's pool, sending events
/// as they come; stops when the client goes away.
fn simulate(permit: Permit, scenario: &Scenario, model: &Model, tx: &mpsc::Sender<Event>) {
    let total = scenario.params.run.replications;
    let watch = Watch {
        permit: &permit,
        tx,
        done: AtomicU32::new(0),
        total,
    };
    let mut records = Vec::with_capacity(total as usize);
    let (mut groups, mut kinds) = (Vec::new(), Vec::new());
    let mut series = StepSeries::default();
    // the first partial summary as soon as there are two replications
    let mut last = Instant::now()
        .checked_sub(PARTIAL_EVERY)
        .unwrap_or_else(Instant::now);
    let name = scenario.name.clone();
    let outcome = permit.pool().install(|| {
        experiment::replicate(model, scenario.params.run.seed, total, &watch, |rep| {
            records.push(rep.record);
            groups.push(rep.groups);
            kinds.push(rep.kinds);
            series.add(&rep.steps);
            if last.elapsed() >= PARTIAL_EVERY
                && records.len() >= 2
                && (records.len() as u32) < total
            {
                last = Instant::now();
                let partial =
                    json!({ "done": records.len(), "summary": summary_json(&name, &records) });
                deliver(tx, &permit, event("partial", &partial))?;
            }
            Ok::<(), &str>(())
        })
    });
    if let Err(ReplicateError::Interrupted { .. } | ReplicateError::Sink(_)) = outcome {
        let _ = tx.try_send(event(
            "cancelled",
            &json!({ "done": records.len(), "total": total }),
        ));
        return;
    }
    let series_rows = csv_objects(&output::series_csv(&[(&name, &series)]));
    let breakdown = {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(output::breakdown_header());
        let parts = output::PartNames::of(model);
        for row in output::breakdown_rows(&name, &parts, &groups, &kinds) {
            let _ = w.write_record(row);
        }
        Value::Array(csv_objects(&w.into_inner().unwrap_or_default()))
    };
    let sent = deliver(
        tx,
        &permit,
        event("summary", &summary_json(&name, &records)),
    )
    .and_then(|()| deliver(tx, &permit, event("series", &Value::Array(series_rows))))
    .and_then(|()| deliver(tx, &permit, event("breakdown", &breakdown)))
    .and_then(|()| {
        // the charts once the numbers are out
        let mut figures = figures_json(&[(&name, &series)]);
        extend(&mut figures, parts_figures(&breakdown));
        deliver(tx, &permit, event("figures", &figures))
    });
    if sent.is_err() {
        return;
    }
    // where the value is lost: against the inhibitor-free twin
    let _ = waterfalls(&permit, tx, &watch, &[(scenario, &records)]);
}

/// Appends the figures of `more` (a JSON array) to `figures`.
fn extend(figures: &mut Value, more: Value) {
    if let (Value::Array(list), Value::Array(more)) = (figures, more) {
        list.extend(more);
    }
}

/// Runs each scenario's inhibitor-free twin and sends the `waterfall`
/// event (the rows of waterfall.csv for every scenario) and a `figures`
/// event with each waterfall's chart. Err when the client went away.
fn waterfalls(
    permit: &Permit,
    tx: &mpsc::Sender<Event>,
    watch: &Watch,
    scenarios: &[(&Scenario, &[RunRecord])],
) -> Result<(), &'static str> {
    let mut found = Vec::new();
    for (scenario, records) in scenarios {
        let Some(w) = waterfall_of(permit, scenario, records, watch) else {
            return Err("the client went away");
        };
        found.push((scenario.name.as_str(), w));
    }
    let named: Vec<(&str, &_)> = found.iter().map(|(n, (w, _))| (*n, w)).collect();
    let rows = Value::Array(csv_objects(&output::waterfall_csv(&named)));
    deliver(tx, permit, event("waterfall", &rows))?;
    let charts: Vec<Value> = found
        .iter()
        .map(|(n, (_, svg))| json!({ "name": format!("waterfall-{n}"), "svg": svg }))
        .collect();
    deliver(tx, permit, event("figures", &Value::Array(charts)))
}

/// The equity and kinds panels' charts (the report's) of breakdown rows,
/// those of `run` or of `compare`: none without groups or kinds of the
/// scenarios' own.
fn parts_figures(breakdown: &Value) -> Value {
    use cocreate::report::load::{Estimate, PartEstimate};
    use cocreate::report::parts::{ScenarioParts, equity_charts, kinds_charts};
    let mut runs: Vec<ScenarioParts> = Vec::new();
    let number = |row: &Value, key: &str| row[key].as_f64().unwrap_or(f64::NAN);
    for row in breakdown.as_array().into_iter().flatten() {
        let scenario = row["scenario"].as_str().unwrap_or_default();
        let part = PartEstimate {
            level: row["level"].as_str().unwrap_or_default().into(),
            name: row["name"].as_str().unwrap_or_default().into(),
            metric: row["metric"].as_str().unwrap_or_default().into(),
            value: Estimate {
                mean: number(row, "mean"),
                low: number(row, "ci95_low"),
                high: number(row, "ci95_high"),
            },
        };
        match runs.iter_mut().find(|(s, _)| s == scenario) {
            Some((_, parts)) => parts.push(part),
            None => runs.push((scenario.into(), vec![part])),
        }
    }
    let charts = equity_charts(&runs).into_iter().chain(kinds_charts(&runs));
    Value::Array(
        charts
            .map(|c| json!({ "name": c.stem, "svg": c.chart.svg().unwrap_or_default() }))
            .collect(),
    )
}

/// The waterfall of `scenario` against its inhibitor-free twin, run under
/// the same seed and replications as `cocreate waterfall` does, and its
/// chart as SVG (by the report's plot code). `None` when the client went
/// away.
fn waterfall_of(
    permit: &Permit,
    scenario: &Scenario,
    records: &[RunRecord],
    watch: &Watch,
) -> Option<(cocreate::experiment::waterfall::Waterfall, String)> {
    use cocreate::experiment::waterfall::{STEP_LABELS, waterfall};
    use cocreate::report::plot::{BarKind, WaterfallBar};
    let twin_model = scenario.twin().model().ok()?;
    let (seed, replications) = (scenario.params.run.seed, scenario.params.run.replications);
    let mut twin = Vec::with_capacity(records.len());
    let ran = permit.pool().install(|| {
        experiment::replicate(&twin_model, seed, replications, &Cancel(watch), |rep| {
            twin.push(rep.record.funnel());
            Ok::<(), Infallible>(())
        })
    });
    ran.ok()?;
    let runs: Vec<_> = records.iter().map(RunRecord::funnel).collect();
    let w = waterfall(&twin, &runs, scenario.params.value.destruction_loss);
    let level = |label: &str, s: &cocreate::stats::Summary| WaterfallBar {
        label: label.into(),
        kind: BarKind::Level,
        value: s.mean,
        low: s.ci95_low,
        high: s.ci95_high,
    };
    let mut bars = vec![level("Inhibitor-free twin", &w.twin)];
    bars.extend(
        w.steps
            .iter()
            .zip(STEP_LABELS)
            .map(|(s, label)| WaterfallBar {
                label: label.into(),
                kind: BarKind::Change,
                value: s.mean,
                low: s.ci95_low,
                high: s.ci95_high,
            }),
    );
    bars.push(level("What remains", &w.scenario));
    let chart = cocreate::report::plot::waterfall(
        &format!("Where the value is lost: {}", scenario.name),
        "realized value (value units)",
        &bars,
    )
    .svg()
    .unwrap_or_default();
    Some((w, chart))
}

/// Cancels when a watch would, without counting progress.
struct Cancel<'a, 'b>(&'a Watch<'b>);

impl Observer for Cancel<'_, '_> {
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

/// The body of `/api/compare`.
#[derive(serde::Deserialize)]
pub struct CompareBody {
    base: String,
    #[serde(default)]
    others: Vec<String>,
}

/// `POST /api/compare?replications=R&seed=S`: runs the base and the other
/// scenarios under common random numbers, as `cocreate compare` does, and
/// streams `progress`, `partial` (the comparison so far) and finally
/// `comparison` (the rows of comparison.csv), `series` (series.csv),
/// `breakdown` (compare's breakdown.csv), `figures`, `waterfall` (each
/// scenario against its twin) and `figures` (the waterfalls' charts).
pub async fn compare(
    State(state): State<Arc<AppState>>,
    Query(query): Query<RunQuery>,
    Json(body): Json<CompareBody>,
) -> Response {
    if body.others.len() > MAX_OTHERS {
        return unprocessable(format!(
            "others: {} scenarios; a comparison takes at most {MAX_OTHERS} besides the base",
            body.others.len()
        ));
    }
    let texts: Vec<&String> = std::iter::once(&body.base).chain(&body.others).collect();
    // every scenario runs the base's replications under the base's seed
    let base = match checked(&state, &body.base, query.replications, query.seed) {
        Ok((scenario, _)) => scenario,
        Err(text) => return unprocessable(format!("base: {text}")),
    };
    let (replications, seed) = (base.params.run.replications, base.params.run.seed);
    if replications < 2 {
        return unprocessable(
            "replications: a comparison needs at least 2 (its intervals and paired differences need two)".into(),
        );
    }
    let mut runs = Vec::new();
    for (k, text) in texts.iter().enumerate() {
        match checked(&state, text, Some(replications), Some(seed)) {
            Ok(run) => runs.push(run),
            Err(e) => {
                let which = if k == 0 {
                    "base".to_string()
                } else {
                    format!("others[{}]", k - 1)
                };
                return unprocessable(format!("{which}: {e}"));
            }
        }
    }
    let mut names = std::collections::BTreeSet::new();
    for (s, _) in &runs {
        if !names.insert(s.name.to_lowercase()) {
            return unprocessable(format!(
                "two scenarios are named `{}` (ignoring case): give one a different `name`",
                s.name
            ));
        }
    }
    // together, as `cocreate compare` checks them: every scenario's
    // records and time series are kept until the end
    let jobs: Vec<limits::Job> = runs
        .iter()
        .map(|(s, m)| limits::Job {
            scenario: s,
            model: m,
            replications: u64::from(replications),
        })
        .collect();
    let per_replication: u64 = runs
        .iter()
        .map(|(_, m)| {
            use cocreate::experiment::resources::{kept_bytes, part_bytes};
            kept_bytes(1, part_bytes(m))
        })
        .sum();
    let series: u64 = runs
        .iter()
        .map(|(s, _)| u64::from(s.params.run.steps) * 13 * 24)
        .sum();
    if let Err(e) = limits::check(
        &jobs,
        state.threads,
        series + per_replication * u64::from(replications),
        None,
        true,
    ) {
        return unprocessable(e.to_string());
    }
    let Some(permit) = state.permit() else {
        return busy();
    };
    streamed(move |tx| compare_runs(permit, &runs, replications, seed, tx))
}

/// The rows of comparison.csv for what each scenario has run so far.
fn comparison_json(runs: &[(Scenario, Model)], collected: &[Collected], seed: u64) -> Value {
    use cocreate::experiment::compare::{compare_values, figure_rows};
    let base = figure_rows(&collected[0].records);
    let results: Vec<(String, Vec<_>)> = runs
        .iter()
        .zip(collected)
        .enumerate()
        .map(|(k, ((s, _), c))| {
            let rows = figure_rows(&c.records);
            (
                s.name.clone(),
                compare_values(&RunRecord::FIGURES, &base, &rows, k == 0, None, seed),
            )
        })
        .collect();
    Value::Array(csv_objects(&crate::app::commands::compare::comparison_csv(
        &results, None,
    )))
}

/// Runs every scenario's replications, batch by batch so that a partial
/// comparison can be sent, under common random numbers.
fn compare_runs(
    permit: Permit,
    runs: &[(Scenario, Model)],
    replications: u32,
    seed: u64,
    tx: &mpsc::Sender<Event>,
) {
    use crate::app::commands::compare::{breakdown_csv, part_comparisons};
    let watch = Watch {
        permit: &permit,
        tx,
        done: AtomicU32::new(0),
        total: replications * runs.len() as u32,
    };
    let batch = (8 * permit.0.threads as u32).max(8);
    let mut collected: Vec<Collected> = runs.iter().map(|_| Collected::default()).collect();
    let mut last = Instant::now();
    let mut start = 0;
    while start < replications {
        let end = (start + batch).min(replications);
        for ((_, model), c) in runs.iter().zip(&mut collected) {
            let outcome = permit.pool().install(|| {
                experiment::replicate_range(
                    model,
                    seed,
                    start..end,
                    &watch,
                    |rep| rep,
                    |rep| {
                        c.records.push(rep.record);
                        c.groups.push(rep.groups);
                        c.kinds.push(rep.kinds);
                        c.series.add(&rep.steps);
                        Ok::<(), Infallible>(())
                    },
                )
            });
            if outcome.is_err() {
                let _ = tx.try_send(event(
                    "cancelled",
                    &json!({ "done": watch.done.load(Ordering::SeqCst), "total": watch.total }),
                ));
                return;
            }
        }
        start = end;
        if start < replications && start >= 2 && last.elapsed() >= PARTIAL_EVERY {
            last = Instant::now();
            let partial =
                json!({ "done": start, "comparison": comparison_json(runs, &collected, seed) });
            if deliver(tx, &permit, event("partial", &partial)).is_err() {
                return;
            }
        }
    }
    let names: Vec<&str> = runs.iter().map(|(s, _)| s.name.as_str()).collect();
    let named: Vec<(&str, &StepSeries)> = names
        .iter()
        .copied()
        .zip(collected.iter().map(|c| &c.series))
        .collect();
    let sent = deliver(
        tx,
        &permit,
        event("comparison", &comparison_json(runs, &collected, seed)),
    )
    .and_then(|()| {
        let series_rows = Value::Array(csv_objects(&output::series_csv(&named)));
        deliver(tx, &permit, event("series", &series_rows))
    })
    .and_then(|()| {
        let models: Vec<&Model> = runs.iter().map(|(_, m)| m).collect();
        let parts = part_comparisons(&models, &collected, seed);
        let breakdown = Value::Array(csv_objects(&breakdown_csv(&names, &parts)));
        deliver(tx, &permit, event("breakdown", &breakdown))?;
        // the charts once the numbers are out
        let mut figures = figures_json(&named);
        extend(&mut figures, parts_figures(&breakdown));
        deliver(tx, &permit, event("figures", &figures))
    });
    if sent.is_err() {
        return;
    }
    // each scenario's waterfall against its own inhibitor-free twin
    let scenarios: Vec<(&Scenario, &[RunRecord])> = runs
        .iter()
        .zip(&collected)
        .map(|((s, _), c)| (s, c.records.as_slice()))
        .collect();
    let _ = waterfalls(&permit, tx, &watch, &scenarios);
}

/// The body of `/api/apply`.
#[derive(serde::Deserialize)]
pub struct ApplyBody {
    /// The scenario as TOML text...
    #[serde(default)]
    toml: Option<String>,
    /// ... or as a document: JSON with the TOML file's structure.
    #[serde(default)]
    document: Option<Value>,
    /// `[key, value]` pairs, as `--set KEY=VALUE` takes them.
    #[serde(default)]
    set: Vec<(String, String)>,
}

/// The TOML text of a document (JSON with a scenario file's structure).
pub fn document_toml(document: Value) -> Result<String, String> {
    let table: toml::Table = serde_json::from_value(document)
        .map_err(|e| format!("the document is not a scenario file's structure: {e}"))?;
    toml::to_string(&table).map_err(|e| format!("the document cannot be written as TOML: {e}"))
}

/// The document (JSON with the file's structure) of a scenario's TOML.
fn toml_document(text: &str) -> Value {
    toml::from_str::<toml::Table>(text)
        .ok()
        .and_then(|t| serde_json::to_value(t).ok())
        .unwrap_or(Value::Null)
}

/// `POST /api/apply`: the scenario of `toml` (or of `document`, the same
/// as JSON) with each `--set`-style assignment applied and checked as the
/// command line checks it. 200 with `{"toml", "document", "scenario"}`
/// (the scenario written back, every value filled in: as TOML, as a
/// document, and resolved), or 422 with `{"key": ..., "error": ...}`
/// naming the field refused (`key` null when the scenario itself is at
/// fault).
pub async fn apply(Json(body): Json<ApplyBody>) -> Response {
    let refused = |key: Option<&str>, error: String| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "key": key, "error": error })),
        )
            .into_response()
    };
    let text = match (body.toml, body.document) {
        (Some(text), None) => text,
        (None, Some(document)) => match document_toml(document) {
            Ok(text) => text,
            Err(e) => return refused(None, e),
        },
        _ => return refused(None, "give either `toml` or `document`".into()),
    };
    let mut scenario = match Scenario::from_toml(&text, "scenario.toml", "scenario") {
        Ok(s) => s,
        Err(e) => return refused(None, e.to_string()),
    };
    for (key, value) in &body.set {
        if let Err(e) = scenario.set(&format!("{key}={value}")) {
            return refused(Some(key), e.to_string());
        }
    }
    if let Err(e) = scenario.model() {
        return refused(None, e.to_string());
    }
    let text = scenario.to_toml();
    Json(json!({ "document": toml_document(&text), "toml": text, "scenario": scenario }))
        .into_response()
}

/// The time series the page draws, as SVG made by the report's plot code:
/// realized value, participation and mean trust per step, each scenario's
/// mean with its 95% band.
fn figures_json(named: &[(&str, &StepSeries)]) -> Value {
    use cocreate::report::plot::{Band, time_series};
    let figure = |name: &str| {
        StepRecord::FIGURES
            .iter()
            .position(|f| *f == name)
            .unwrap_or(0)
    };
    let charts = [
        (
            "value_realized",
            "Realized value per step",
            "realized value",
        ),
        ("participants", "Participants per step", "participants"),
        ("mean_trust", "Mean trust", "mean trust"),
    ];
    let svgs: Vec<Value> = charts
        .iter()
        .map(|(key, title, axis)| {
            let k = figure(key);
            let bands: Vec<Band> = named
                .iter()
                .map(|(name, s)| {
                    let points: Vec<(f64, f64, f64)> = (0..s.len())
                        .map(|step| {
                            s.at(step, k).map_or((f64::NAN, f64::NAN, f64::NAN), |r| {
                                let (lo, hi) = r.ci95();
                                (r.mean(), lo, hi)
                            })
                        })
                        .collect();
                    Band {
                        label: name.to_string(),
                        x: (0..s.len()).map(|i| i as f64).collect(),
                        mean: points.iter().map(|p| p.0).collect(),
                        low: points.iter().map(|p| p.1).collect(),
                        high: points.iter().map(|p| p.2).collect(),
                    }
                })
                .collect();
            let svg = time_series(title, "step", axis, &bands)
                .svg()
                .unwrap_or_default();
            json!({ "name": key, "svg": svg })
        })
        .collect();
    Value::Array(svgs)
}

/// The shipped scenarios and cases, in the binary: (path, text).
const SHIPPED: [(&str, &str); 14] = [
    (
        "scenarios/baseline.toml",
        include_str!("../../../../scenarios/baseline.toml"),
    ),
    (
        "scenarios/combined.toml",
        include_str!("../../../../scenarios/combined.toml"),
    ),
    (
        "scenarios/digital_divide.toml",
        include_str!("../../../../scenarios/digital_divide.toml"),
    ),
    (
        "scenarios/legal-reform.toml",
        include_str!("../../../../scenarios/legal-reform.toml"),
    ),
    (
        "scenarios/limited_capacity.toml",
        include_str!("../../../../scenarios/limited_capacity.toml"),
    ),
    (
        "scenarios/low_motivation.toml",
        include_str!("../../../../scenarios/low_motivation.toml"),
    ),
    (
        "scenarios/low_trust.toml",
        include_str!("../../../../scenarios/low_trust.toml"),
    ),
    (
        "scenarios/misaligned_goals.toml",
        include_str!("../../../../scenarios/misaligned_goals.toml"),
    ),
    (
        "scenarios/missing_legal_framework.toml",
        include_str!("../../../../scenarios/missing_legal_framework.toml"),
    ),
    (
        "scenarios/no_feedback.toml",
        include_str!("../../../../scenarios/no_feedback.toml"),
    ),
    (
        "scenarios/risk_averse_culture.toml",
        include_str!("../../../../scenarios/risk_averse_culture.toml"),
    ),
    (
        "scenarios/cases/municipal-open-data-inclusion.toml",
        include_str!("../../../../scenarios/cases/municipal-open-data-inclusion.toml"),
    ),
    (
        "scenarios/cases/municipal-open-data-legal-basis.toml",
        include_str!("../../../../scenarios/cases/municipal-open-data-legal-basis.toml"),
    ),
    (
        "scenarios/cases/municipal-open-data.toml",
        include_str!("../../../../scenarios/cases/municipal-open-data.toml"),
    ),
];

/// `GET /api/scenarios`: the shipped scenarios and cases, each with its
/// path, name, description and TOML text.
pub async fn scenarios() -> Json<Value> {
    let list: Vec<Value> = SHIPPED
        .iter()
        .filter_map(|(path, text)| {
            let stem = path.rsplit('/').next()?.trim_end_matches(".toml");
            let s = Scenario::from_toml(text, path, stem).ok()?;
            Some(
                json!({ "path": path, "name": s.name, "description": s.description, "toml": text }),
            )
        })
        .collect();
    Json(Value::Array(list))
}

/// `POST /api/results?replications=R&seed=S`: runs the TOML body's scenario
/// and answers with a zip of the files `cocreate run` writes (runs.csv,
/// steps.csv, summary.csv, groups.csv, kinds.csv, breakdown.csv,
/// manifest.json), written by the same code.
pub async fn results(
    State(state): State<Arc<AppState>>,
    Query(query): Query<RunQuery>,
    body: String,
) -> Response {
    let (scenario, model) = match checked(&state, &body, query.replications, query.seed) {
        Ok(checked) => checked,
        Err(text) => return unprocessable(text),
    };
    // about 250 bytes a step row, 1000 a replication's other rows, per
    // group and kind too
    let parts = (model.groups().len() + model.kinds().len()) as u64;
    let estimate = u64::from(scenario.params.run.replications)
        .saturating_mul(250 * u64::from(scenario.params.run.steps) + 1000 + 200 * parts);
    if estimate > MAX_ARCHIVE {
        return unprocessable(format!(
            "the files would take about {}, more than the {} a download may: use `cocreate run` for this many replications",
            limits::bytes(estimate),
            limits::bytes(MAX_ARCHIVE)
        ));
    }
    let Some(permit) = state.permit() else {
        return busy();
    };
    let written =
        tokio::task::spawn_blocking(move || write_results(&permit, &scenario, &model)).await;
    match written {
        Ok(Ok((name, zip))) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/zip".to_string(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.zip\""),
                ),
            ],
            zip,
        )
            .into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// Runs the scenario into a temporary result folder, as `cocreate run`
/// does, and zips its files.
fn write_results(
    permit: &Permit,
    scenario: &Scenario,
    model: &Model,
) -> Result<(String, Vec<u8>), String> {
    use cocreate::output::folder::Staged;
    use cocreate::output::{Manifest, PartNames, ScenarioWriter};
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let folder = Staged::begin(dir.path(), &scenario.name).map_err(|e| e.to_string())?;
    let mut writer = ScenarioWriter::create(folder, &scenario.name, PartNames::of(model))
        .map_err(|e| e.to_string())?;
    let (seed, replications) = (scenario.params.run.seed, scenario.params.run.replications);
    let stop = Stop(permit);
    permit
        .pool()
        .install(|| {
            experiment::replicate(model, seed, replications, &stop, |rep| writer.write(&rep))
        })
        .map_err(|e| e.to_string())?;
    let manifest = Manifest::new(
        scenario,
        model,
        seed,
        replications,
        vec!["cocreate".into(), "serve".into()],
        permit.0.threads,
        std::time::SystemTime::now(),
    );
    let summary = writer.finish(&manifest).map_err(|e| e.to_string())?;
    let files = output::RUN_FILES
        .iter()
        .chain(&["manifest.json"])
        .map(|n| {
            std::fs::read(summary.dir.join(n))
                .map(|bytes| (format!("{}/{n}", scenario.name), bytes))
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok((scenario.name.clone(), super::zip::stored(&files)))
}

/// Stops a run when the server stops.
struct Stop<'a>(&'a Permit);

impl Observer for Stop<'_> {
    fn cancelled(&self) -> bool {
        self.0.0.stopping.load(Ordering::SeqCst)
    }
}
