//! Refusing, before anything runs, what this machine cannot hold: the
//! estimate of [`cocreate::experiment::resources`] against the memory
//! available (the least of the system's available memory, the room under
//! the process's cgroup limit, as under SLURM, and under its address-space
//! limit; or `COCREATE_MAX_MEMORY`), and a note when a run will take long.

use super::BadInput;
use anyhow::{Result, bail};
use cocreate::experiment::resources::{peak_bytes, replication_seconds};
use cocreate::{Model, Scenario};

/// One batch of replications a command will run.
pub struct Job<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Its model.
    pub model: &'a Model,
    /// How many replications, at most.
    pub replications: u64,
}

/// One job per scenario and its model, with `replications(scenario)`
/// replications.
pub fn jobs<'a>(
    runs: impl IntoIterator<Item = (&'a Scenario, &'a Model)>,
    replications: impl Fn(&Scenario) -> u64,
) -> Vec<Job<'a>> {
    runs.into_iter()
        .map(|(scenario, model)| Job {
            scenario,
            model,
            replications: replications(scenario),
        })
        .collect()
}

/// Bytes as people read them (`1.5 GiB`).
pub fn bytes(b: u64) -> String {
    let b = b as f64;
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut i = 0;
    let mut v = b;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} bytes")
    } else {
        format!("{v:.1} {}", units[i])
    }
}

/// Parses a size such as `8G`, `512MiB` or `1000000`.
fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.trim().parse().ok()?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0f64.powi(2),
        "g" | "gb" | "gib" => 1024.0f64.powi(3),
        "t" | "tb" | "tib" => 1024.0f64.powi(4),
        _ => return None,
    };
    (n >= 0.0 && n.is_finite()).then_some((n * scale) as u64)
}

/// The memory this process may use now, in bytes, and where that figure
/// comes from; `None` where it cannot be told.
pub fn available_memory() -> Result<Option<(u64, &'static str)>> {
    if let Ok(text) = std::env::var("COCREATE_MAX_MEMORY") {
        return match parse_size(&text) {
            Some(b) => Ok(Some((b, "COCREATE_MAX_MEMORY"))),
            None => bail!(BadInput(format!(
                "COCREATE_MAX_MEMORY = {text:?}: expected a size such as 8G, 512M or 1000000 (bytes)"
            ))),
        };
    }
    let system = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("MemAvailable:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
    });
    let limits = [
        (system, "available on this machine"),
        (cgroup_room(), "the memory limit of this job's cgroup"),
        (
            address_space_room(),
            "left under this process's address-space limit (ulimit -v)",
        ),
    ];
    Ok(limits
        .into_iter()
        .filter_map(|(room, source)| room.map(|r| (r, source)))
        .min_by_key(|(r, _)| *r))
}

/// The room left under the process's address-space limit (`ulimit -v`),
/// if it has one.
#[cfg(target_os = "linux")]
fn address_space_room() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the limit into the struct it is given
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } != 0
        || limit.rlim_cur == libc::RLIM_INFINITY
    {
        return None;
    }
    let used = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("VmSize:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024;
    Some(limit.rlim_cur.saturating_sub(used))
}

#[cfg(not(target_os = "linux"))]
fn address_space_room() -> Option<u64> {
    None
}

/// The room left under the process's cgroup (v2) memory limit, if it has
/// one (SLURM jobs and containers do).
fn cgroup_room() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = own.lines().find_map(|l| l.strip_prefix("0::"))?.trim();
    let dir = std::path::Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    let max = std::fs::read_to_string(dir.join("memory.max")).ok()?;
    let max: u64 = max.trim().parse().ok()?; // "max": no limit
    let current: u64 = std::fs::read_to_string(dir.join("memory.current"))
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or(0);
    Some(max.saturating_sub(current))
}

/// The peak of running `jobs` one after the other on `threads` workers,
/// keeping `kept` bytes of results.
fn need(jobs: &[Job], threads: usize, kept: u64) -> u64 {
    jobs.iter()
        .map(|j| peak_bytes(j.model, threads, j.replications, 0))
        .max()
        .unwrap_or(0)
        .saturating_add(kept)
}

/// `jobs` with every population at most `n` citizens (or `steps` steps),
/// where the scenario allows it.
fn shrunk(jobs: &[Job], key: &str, value: u64) -> Option<Vec<Model>> {
    jobs.iter()
        .map(|j| {
            let mut s = j.scenario.clone();
            let current = match key {
                "population.citizens" => u64::from(s.params.population.citizens),
                _ => u64::from(s.params.run.steps),
            };
            let value = current.min(value);
            s.set(&format!("{key}={value}")).ok()?;
            // a smaller population keeps its network degree where it can
            if key == "population.citizens" && u64::from(s.params.network.k) >= value {
                let k = value.saturating_sub(1) & !1;
                s.set(&format!("network.k={k}")).ok()?;
            }
            s.model().ok()
        })
        .collect()
}

/// The largest value of `key` (citizens or steps, from 1 to `top`) at
/// which `jobs` fit in `available`; `None` when none does.
fn largest_fitting(
    jobs: &[Job],
    key: &str,
    top: u64,
    threads: usize,
    kept: u64,
    available: u64,
) -> Option<u64> {
    let fits = |v: u64| {
        shrunk(jobs, key, v).is_some_and(|models| {
            let smaller: Vec<Job> = jobs
                .iter()
                .zip(&models)
                .map(|(j, m)| Job {
                    scenario: j.scenario,
                    model: m,
                    replications: j.replications,
                })
                .collect();
            need(&smaller, threads, kept) <= available
        })
    };
    if !fits(1) {
        return None;
    }
    let (mut lo, mut hi) = (1u64, top);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Some(lo)
}

/// Refuses, with exit status 2, a command whose estimated peak memory
/// exceeds what is available, saying the estimate and the largest sizes
/// that fit; `kept` is what the command keeps besides the replications in
/// flight, and `per` what it keeps per unit of something it could have
/// fewer of (bytes per replication, or per sweep point, and its name), to
/// say how many would fit. Notes on stderr (unless `quiet`) a run
/// estimated to take over a minute.
pub fn check(
    jobs: &[Job],
    threads: usize,
    kept: u64,
    per: Option<(u64, &str)>,
    quiet: bool,
) -> Result<()> {
    let needed = need(jobs, threads, kept);
    if let Some((available, source)) = available_memory()?
        && needed > available
    {
        let mut fits = Vec::new();
        let citizens = jobs
            .iter()
            .map(|j| u64::from(j.scenario.params.population.citizens))
            .max()
            .unwrap_or(1);
        if let Some(n) = largest_fitting(
            jobs,
            "population.citizens",
            citizens,
            threads,
            kept,
            available,
        ) {
            fits.push(format!("at most about {n} citizens"));
        }
        let steps = jobs
            .iter()
            .map(|j| u64::from(j.scenario.params.run.steps))
            .max()
            .unwrap_or(1);
        if let Some(t) = largest_fitting(jobs, "run.steps", steps, threads, kept, available)
            .filter(|&t| t < steps)
        {
            fits.push(format!("at most about {t} steps"));
        }
        let without = needed - kept;
        if let Some((each, unit)) = per.filter(|(each, _)| *each > 0)
            && without < available
        {
            let r = (available - without) / each;
            fits.push(format!("at most about {r} {unit}"));
        }
        let advice = match fits.len() {
            0 => "nothing smaller of this run fits".to_string(),
            1 => format!("{} would fit", fits[0]),
            _ => format!("{} would fit (each alone)", fits.join(", or ")),
        };
        bail!(BadInput(format!(
            "this needs about {} of memory (estimated before running: each replication's citizens, network and steps, the replications in flight on {threads} thread{}, and the results kept), more than the {} {source}; {advice}. Set COCREATE_MAX_MEMORY to allow more",
            bytes(needed),
            if threads == 1 { "" } else { "s" },
            bytes(available),
        )));
    }
    let seconds: f64 = jobs
        .iter()
        .map(|j| {
            let parallel = (threads as f64).min(j.replications as f64).max(1.0);
            j.replications as f64 * replication_seconds(j.model) / parallel
        })
        .sum();
    if seconds > 60.0 && !quiet {
        eprintln!(
            "note: this will take about {} on {threads} thread{} (a rough estimate: the work grows with citizens x network.k x steps x replications)",
            humantime::format_duration(std::time::Duration::from_secs(seconds as u64)),
            if threads == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_and_print_as_people_write_them() {
        assert_eq!(parse_size("8G"), Some(8 << 30));
        assert_eq!(parse_size("512 MiB"), Some(512 << 20));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("1.5g"), Some(3 << 29));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("8Q"), None);
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(3 << 29), "1.5 GiB");
    }
}
