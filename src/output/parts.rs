//! The saved points of a sweep, in its `.partial/` folder, and the records
//! that make saved files checkable before they are trusted.
//!
//! Each finished point `p` is three files: `p.runs` (its rows of
//! `runs.csv`), `p.summary` (its rows of `summary.csv`) and, written last,
//! `p.done`: a [`PointRecord`] with the point's index, the sweep's identity,
//! and the row count, size and checksum of the other two. A point counts as
//! saved only when all three are regular files (not symbolic links) and
//! agree; anything else (garbage, a truncated file, another sweep's point,
//! a link to a file elsewhere) is damage, reported, never copied.

use super::{AtomicFile, OutputError, at};
use serde::{Deserialize, Serialize};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The largest saved part read back (a point's runs are a few hundred
/// bytes per replication).
const MAX_PART_BYTES: u64 = 1 << 32;

/// A file's size, rows and checksum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Lines (rows) in the file.
    pub rows: u64,
    /// Its size in bytes.
    pub bytes: u64,
    /// [`checksum`] of its bytes.
    pub checksum: String,
}

impl FileRecord {
    /// The record of `bytes`.
    pub fn of(bytes: &[u8]) -> FileRecord {
        let mut c = Checksum::default();
        c.update(bytes);
        c.record()
    }

    /// Why `bytes` is not the file this records, if it is not.
    pub fn mismatch(&self, bytes: &[u8]) -> Option<String> {
        self.differs_from(&FileRecord::of(bytes))
    }

    /// Why the file recorded as `found` is not the one this records.
    pub fn differs_from(&self, found: &FileRecord) -> Option<String> {
        if found.bytes != self.bytes {
            Some(format!(
                "{} bytes where {} were saved (truncated or overwritten)",
                found.bytes, self.bytes
            ))
        } else if found.checksum != self.checksum {
            Some("its checksum differs from the one saved (damaged)".into())
        } else {
            None
        }
    }
}

/// A 64-bit checksum of `bytes`, as 16 hexadecimal digits (FNV-1a, then
/// mixed with the length): it tells a damaged or truncated file from the one
/// saved. Not a defence against forgery.
pub fn checksum(bytes: &[u8]) -> String {
    FileRecord::of(bytes).checksum
}

/// A [`FileRecord`] computed as the bytes go by.
#[derive(Clone, Debug)]
pub struct Checksum {
    hash: u64,
    bytes: u64,
    rows: u64,
}

impl Default for Checksum {
    fn default() -> Self {
        Checksum {
            hash: 0xcbf2_9ce4_8422_2325,
            bytes: 0,
            rows: 0,
        }
    }
}

impl Checksum {
    /// Takes in more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.hash = (self.hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            self.rows += u64::from(b == b'\n');
        }
        self.bytes += bytes.len() as u64;
    }

    /// The record of the bytes so far.
    pub fn record(&self) -> FileRecord {
        FileRecord {
            rows: self.rows,
            bytes: self.bytes,
            checksum: format!("{:016x}", crate::model::rng::mix(self.hash ^ self.bytes)),
        }
    }
}

/// A writer that keeps the [`FileRecord`] of what went through it.
pub struct Recorded<W> {
    inner: W,
    sum: Checksum,
}

impl<W: Write> Recorded<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Recorded {
            inner,
            sum: Checksum::default(),
        }
    }

    /// The writer, and the record of what was written.
    pub fn into_parts(self) -> (W, FileRecord) {
        (self.inner, self.sum.record())
    }
}

impl<W: Write> Write for Recorded<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sum.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What `p.done` says of point `p`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointRecord {
    /// The point's index.
    pub point: usize,
    /// The identity of the sweep it belongs to.
    pub identity: String,
    /// Its rows of `runs.csv`.
    pub runs: FileRecord,
    /// Its rows of `summary.csv`.
    pub summary: FileRecord,
}

/// The path of point `point`'s file of `kind` (`runs`, `summary`, `done`).
pub fn part_path(parts: &Path, point: usize, kind: &str) -> PathBuf {
    parts.join(format!("{point:010}.{kind}"))
}

/// Reads a file that must be a regular file (not a symbolic link, a
/// folder, a FIFO or a device) of at most `limit` bytes.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a regular file (a symbolic link, folder or device is never read)",
        ));
    }
    if meta.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} bytes, more than the {limit} allowed", meta.len()),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The [`FileRecord`] of a regular file, read in pieces (files of any size).
pub fn record_of_file(path: &Path) -> io::Result<FileRecord> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a regular file (a symbolic link, folder or device is never read)",
        ));
    }
    let mut file = std::fs::File::open(path)?;
    let mut sum = Checksum::default();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(sum.record());
        }
        sum.update(&buf[..n]);
    }
}

/// Saves point `point`: its runs, its summary, then the record of both.
pub fn save_point(
    parts: &Path,
    point: usize,
    identity: &str,
    runs: &[u8],
    summary: &[u8],
) -> Result<(), OutputError> {
    let record = PointRecord {
        point,
        identity: identity.to_string(),
        runs: FileRecord::of(runs),
        summary: FileRecord::of(summary),
    };
    let done = serde_json::to_vec(&record).map_err(|e| OutputError {
        path: part_path(parts, point, "done"),
        source: io::Error::other(e),
    })?;
    // Only the record waits for the disk: it holds the checksums of the
    // other two, so after a power cut a point whose rows did not reach the
    // disk fails its check and runs again. One sync per point instead of
    // three keeps sweeps of many short points fast on slow or network disks.
    for (kind, bytes, synced) in [
        ("runs", runs, false),
        ("summary", summary, false),
        ("done", &done[..], true),
    ] {
        let path = part_path(parts, point, kind);
        let mut f = at(&path, AtomicFile::create(&path))?;
        at(&path, f.write_all(bytes))?;
        at(
            &path,
            if synced {
                f.commit()
            } else {
                f.commit_unsynced()
            },
        )?;
    }
    Ok(())
}

/// What is saved of one point.
#[derive(Clone, Debug, PartialEq)]
pub enum PointState {
    /// Nothing.
    Missing,
    /// Its runs and summary bytes, checked against their record.
    Saved {
        /// Its rows of `runs.csv`.
        runs: Vec<u8>,
        /// Its rows of `summary.csv`.
        summary: Vec<u8>,
    },
    /// Something, but not a checkable point: which file, and why.
    Damaged {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// Checks what `parts` holds of point `point` of the sweep `identity`,
/// whose saved runs have `run_rows` rows and summary `summary_rows`.
pub fn check_point(
    parts: &Path,
    point: usize,
    identity: &str,
    run_rows: u64,
    summary_rows: u64,
) -> PointState {
    let paths = ["runs", "summary", "done"].map(|k| part_path(parts, point, k));
    if paths.iter().all(|p| std::fs::symlink_metadata(p).is_err()) {
        return PointState::Missing;
    }
    let damaged = |path: &Path, reason: String| PointState::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    let [runs_path, summary_path, done_path] = &paths;
    let done = match read_regular(done_path, 1 << 16) {
        Ok(d) => d,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return damaged(
                done_path,
                "missing: the point was not saved to the end".into(),
            );
        }
        Err(e) => return damaged(done_path, e.to_string()),
    };
    let record: PointRecord = match serde_json::from_slice(&done) {
        Ok(r) => r,
        Err(e) => return damaged(done_path, format!("not a point record ({e})")),
    };
    if record.point != point {
        return damaged(
            done_path,
            format!("it records point {}, not {point}", record.point),
        );
    }
    if record.identity != identity {
        return damaged(
            done_path,
            "it belongs to another sweep (its identity differs)".into(),
        );
    }
    let mut files = Vec::with_capacity(2);
    for (path, rec, rows) in [
        (runs_path, &record.runs, run_rows),
        (summary_path, &record.summary, summary_rows),
    ] {
        let bytes = match read_regular(path, MAX_PART_BYTES) {
            Ok(b) => b,
            Err(e) => return damaged(path, e.to_string()),
        };
        if let Some(why) = rec.mismatch(&bytes) {
            return damaged(path, why);
        }
        if rec.rows != rows {
            return damaged(
                path,
                format!("{} rows where the sweep has {rows}", rec.rows),
            );
        }
        let prefix = format!("{point},");
        if !bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .all(|l| l.starts_with(prefix.as_bytes()))
        {
            return damaged(path, format!("a row of another point than {point}"));
        }
        files.push(bytes);
    }
    let summary = files.pop().unwrap_or_default();
    let runs = files.pop().unwrap_or_default();
    PointState::Saved { runs, summary }
}

/// Removes whatever is saved of point `point`.
pub fn remove_point(parts: &Path, point: usize) {
    for kind in ["runs", "summary", "done"] {
        let _ = std::fs::remove_file(part_path(parts, point, kind));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(dir: &Path) -> (Vec<u8>, Vec<u8>) {
        let runs = b"3,0,11,0.5\n3,1,12,0.6\n".to_vec();
        let summary = b"3,a,2,0.55\n3,b,2,1\n3,c,2,2\n".to_vec();
        save_point(dir, 3, "id", &runs, &summary).unwrap();
        (runs, summary)
    }

    fn reason(state: PointState) -> String {
        match state {
            PointState::Damaged { reason, .. } => reason,
            other => panic!("not damaged: {other:?}"),
        }
    }

    #[test]
    fn a_saved_point_reads_back_and_nothing_else_passes() {
        let dir = tempfile::tempdir().unwrap();
        let parts = dir.path();
        assert_eq!(check_point(parts, 3, "id", 2, 3), PointState::Missing);
        let (runs, summary) = saved(parts);
        assert_eq!(
            check_point(parts, 3, "id", 2, 3),
            PointState::Saved {
                runs: runs.clone(),
                summary
            }
        );
        // another sweep's point, or a sweep of other sizes
        assert!(reason(check_point(parts, 3, "other", 2, 3)).contains("another sweep"));
        assert!(reason(check_point(parts, 3, "id", 4, 3)).contains("2 rows where the sweep has 4"));
        // the record of another point copied over
        std::fs::copy(part_path(parts, 3, "done"), part_path(parts, 5, "done")).unwrap();
        assert!(reason(check_point(parts, 5, "id", 2, 3)).contains("records point 3, not 5"));
        // a truncated file
        std::fs::write(part_path(parts, 3, "runs"), &runs[..runs.len() - 3]).unwrap();
        assert!(reason(check_point(parts, 3, "id", 2, 3)).contains("truncated"));
        // garbage of the same size
        let mut garbage = runs.clone();
        garbage[2] = b'9';
        std::fs::write(part_path(parts, 3, "runs"), &garbage).unwrap();
        assert!(reason(check_point(parts, 3, "id", 2, 3)).contains("checksum"));
        // a point whose record never got written
        remove_point(parts, 3);
        std::fs::write(part_path(parts, 3, "runs"), &runs).unwrap();
        assert!(reason(check_point(parts, 3, "id", 2, 3)).contains("not saved to the end"));
        std::fs::write(part_path(parts, 3, "done"), b"{not json").unwrap();
        assert!(reason(check_point(parts, 3, "id", 2, 3)).contains("not a point record"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_never_read() {
        let dir = tempfile::tempdir().unwrap();
        let parts = dir.path().join("parts");
        std::fs::create_dir(&parts).unwrap();
        let (runs, _) = saved(&parts);
        // the runs replaced by a link to a file with the same bytes elsewhere
        let elsewhere = dir.path().join("secret");
        std::fs::write(&elsewhere, &runs).unwrap();
        std::fs::remove_file(part_path(&parts, 3, "runs")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, part_path(&parts, 3, "runs")).unwrap();
        assert!(reason(check_point(&parts, 3, "id", 2, 3)).contains("not a regular file"));
    }

    #[test]
    fn checksums_tell_files_apart() {
        assert_eq!(checksum(b"abc"), checksum(b"abc"));
        assert_ne!(checksum(b"abc"), checksum(b"abd"));
        assert_ne!(checksum(b""), checksum(b"\0"));
        assert_eq!(checksum(b"").len(), 16);
        let r = FileRecord::of(b"a\nb\n");
        assert_eq!((r.rows, r.bytes), (2, 4));
        assert_eq!(r.mismatch(b"a\nb\n"), None);
    }
}
