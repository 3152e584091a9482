//! `cocreate serve`: a local web server for the explorer page and its HTTP
//! API (docs/serve.md). The handlers are thin: they parse, check and run
//! scenarios with the same library functions as the commands, on a rayon
//! pool of their own, and stream what happens as server-sent events.
//!
//! Safe by default: it binds 127.0.0.1; a request whose `Host` is not the
//! bound address or `localhost` is refused (DNS rebinding), and so is a
//! POST from another origin; bodies are limited to 1 MB; at most two
//! simulations run at once.

use super::*;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

mod api;
mod zip;

/// The largest request body accepted.
pub const MAX_BODY: usize = 1 << 20;

/// Simulations that may run at once; more are refused with 429.
pub const MAX_RUNNING: usize = 2;

/// What every handler shares.
pub struct AppState {
    /// Where simulations run: one pool of `threads` workers per place, so
    /// that a simulation never waits on another's work (rayon lets a
    /// thread that waits steal any job of its pool, and a long run's job
    /// would hold up a cancelled one until it ends).
    pools: Vec<rayon::ThreadPool>,
    threads: usize,
    /// The address the server listens on.
    bound: SocketAddr,
    /// The places taken, one bit each.
    running: AtomicUsize,
    /// Set when the server is stopping: simulations under way stop.
    stopping: AtomicBool,
    /// The scenario the page opens with (TOML).
    initial: String,
}

/// A place among the [`MAX_RUNNING`] simulations, with its own worker
/// threads; given back when dropped.
pub struct Permit(Arc<AppState>, usize);

impl Permit {
    /// The place's worker threads.
    fn pool(&self) -> &rayon::ThreadPool {
        &self.0.pools[self.1]
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.running.fetch_and(!(1 << self.1), Ordering::SeqCst);
    }
}

impl AppState {
    /// A place for one more simulation, if fewer than [`MAX_RUNNING`] run.
    fn permit(self: &Arc<AppState>) -> Option<Permit> {
        let taken = self
            .running
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |bits| {
                (0..MAX_RUNNING)
                    .find(|k| bits & (1 << k) == 0)
                    .map(|k| bits | (1 << k))
            })
            .ok()?;
        let place = (0..MAX_RUNNING).find(|k| taken & (1 << k) == 0)?;
        Some(Permit(Arc::clone(self), place))
    }

    /// Whether a request's `Host` names this server: `localhost` or the
    /// bound address (any address of this machine when bound to all), with
    /// the bound port. A name that resolves elsewhere is refused, which is
    /// what defeats DNS rebinding.
    fn host_allowed(&self, host: &str) -> bool {
        host_allowed(self.bound, host)
    }
}

/// Whether `host` (a `Host` header) names a server bound to `bound`; a
/// Host without a port means port 80, as browsers send it.
fn host_allowed(bound: SocketAddr, host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !port.ends_with(']') => (name, port.parse::<u16>().ok()),
        _ => (host, Some(80)),
    };
    if port != Some(bound.port()) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) if bound.ip().is_unspecified() => !ip.is_multicast(),
        Ok(ip) => ip == bound.ip() || (ip.is_loopback() && bound.ip().is_loopback()),
        Err(_) => false,
    }
}

/// Refuses requests for another host (403), cross-origin POSTs (403).
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let headers: &HeaderMap = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !state.host_allowed(host) {
        return (
            StatusCode::FORBIDDEN,
            format!(
                "refused: the Host header {host:?} does not name this server (use http://{}/ or http://localhost:{}/)",
                state.bound,
                state.bound.port()
            ),
        )
            .into_response();
    }
    // a browser says when a request comes from another site, Origin or not
    if request.method() == Method::POST
        && headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return (
            StatusCode::FORBIDDEN,
            "refused: a POST from another site".to_string(),
        )
            .into_response();
    }
    if request.method() == Method::POST
        && let Some(origin) = headers.get(header::ORIGIN)
    {
        let same = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|o| o.eq_ignore_ascii_case(host));
        if !same {
            return (
                StatusCode::FORBIDDEN,
                format!(
                    "refused: a POST from another origin ({})",
                    origin.to_str().unwrap_or("?")
                ),
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// The page.
async fn page() -> Html<&'static str> {
    Html(include_str!("../../../../assets/serve/index.html"))
}

/// The router, with its guard and body limit.
fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/parameters", get(api::parameters))
        .route("/api/scenario", get(api::initial))
        .route("/api/scenarios", get(api::scenarios))
        .route("/api/validate", post(api::validate))
        .route("/api/run", post(api::run))
        .route("/api/compare", post(api::compare))
        .route("/api/apply", post(api::apply))
        .route("/api/results", post(api::results))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), guard))
        .with_state(state)
}

/// `cocreate serve`.
pub fn serve(args: crate::app::cli::ServeArgs) -> Result<()> {
    let initial = match &args.scenario {
        None => Scenario::baseline().to_toml(),
        Some(path) => {
            let scenario = load_all(std::slice::from_ref(path))?.remove(0);
            checked(&scenario)?;
            cocreate::scenario::read_input(path).map_err(|e| BadInput(e.to_string()))?
        }
    };
    let (threads, first) = worker_pool(args.threads)?;
    let mut pools = vec![first];
    while pools.len() < MAX_RUNNING {
        pools.push(worker_pool(Some(threads as u32))?.1);
    }
    if !args.host.is_loopback() {
        eprintln!(
            "warning: listening on {}: other machines can reach this server and run simulations on it",
            args.host
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((args.host, args.port))
            .await
            .map_err(|e| {
                BadInput(format!(
                    "cannot listen on {}: {e}{}",
                    SocketAddr::new(args.host, args.port),
                    if e.kind() == std::io::ErrorKind::AddrInUse {
                        " (another program uses the port: give --port)"
                    } else {
                        ""
                    }
                ))
            })?;
        let bound = listener.local_addr()?;
        let state = Arc::new(AppState {
            pools,
            threads,
            bound,
            running: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
            initial,
        });
        let url = format!("http://{bound}/");
        println!("cocreate serve: {url} (Ctrl-C to stop)");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        if args.open {
            open_browser(&url);
        }
        let stopping = Arc::clone(&state);
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async move {
                stop_signal_received().await;
                // simulations under way stop, so that their streams end
                stopping.stopping.store(true, Ordering::SeqCst);
            })
            .await
            .context("the server failed")?;
        eprintln!("stopped");
        Ok(())
    })
}

/// Waits for Ctrl-C, SIGTERM or SIGHUP.
async fn stop_signal_received() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Opens `url` in the default browser, if there is one to ask.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        eprintln!("note: could not start {opener}: open {url} yourself");
    }
}

#[cfg(test)]
mod tests {
    use super::host_allowed;

    #[test]
    fn only_hosts_that_name_this_server_are_allowed() {
        let local = "127.0.0.1:8321".parse().unwrap();
        for ok in [
            "127.0.0.1:8321",
            "localhost:8321",
            "LOCALHOST:8321",
            "[::1]:8321",
        ] {
            assert!(host_allowed(local, ok), "{ok}");
        }
        for refused in [
            "evil.example:8321",
            "127.0.0.1:8322",
            "127.0.0.1",
            "localhost",
            "10.0.0.1:8321",
            "",
        ] {
            assert!(!host_allowed(local, refused), "{refused}");
        }
        // on port 80 browsers leave the port out
        let web = "127.0.0.1:80".parse().unwrap();
        for ok in ["127.0.0.1", "localhost", "[::1]", "localhost:80"] {
            assert!(host_allowed(web, ok), "{ok}");
        }
        assert!(!host_allowed(web, "evil.example"));
        // bound to every address: any address of this machine, never a name
        let all = "0.0.0.0:8321".parse().unwrap();
        assert!(host_allowed(all, "192.168.1.20:8321"));
        assert!(!host_allowed(all, "evil.example:8321"));
    }
}
