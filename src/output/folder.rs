//! Result folders: one writer at a time, each folder replaced whole or not
//! at all.
//!
//! - [`FolderLock`]: an advisory lock on a result folder, held by the
//!   process that writes it. It is a lock on the file `.NAME.lock` beside
//!   the folder `NAME` (beside, not inside, so that it outlives the swap
//!   below). The operating system releases it when the process ends, however
//!   it ends, so a `kill -9` leaves no stale lock. A second process is
//!   refused, told the holder's process id.
//! - [`Staged`]: a folder written as a whole. Its files go into the hidden
//!   folder `.NAME.new` beside the target; [`Staged::commit`] swaps it in
//!   for `NAME` in one step (Linux: `renameat2` with `RENAME_EXCHANGE`;
//!   elsewhere two renames, the previous folder kept as `.NAME.old` in
//!   between, and put back by the next writer if the process died there).
//!   After any failure or interruption, `NAME` holds the previous run's
//!   files or the new run's, never a mix.

use super::OutputError;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Why a result folder cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// Another process holds its lock.
    #[error(
        "{dir} is being written by another cocreate process{}: wait for it to finish, or choose another --out or name",
        pid.map_or(String::new(), |p| format!(" (pid {p})"))
    )]
    Busy {
        /// The result folder.
        dir: PathBuf,
        /// The holder's process id, when it could be read.
        pid: Option<u32>,
    },
    /// The folder's path is a symbolic link, or not a folder.
    #[error(
        "{0} is a symbolic link or not a folder: cocreate writes results only into folders of its own; remove it or choose another --out"
    )]
    NotAFolder(PathBuf),
    /// A file or folder could not be read or written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

fn at<T>(path: &Path, result: io::Result<T>) -> Result<T, OutputError> {
    super::at(path, result)
}

/// `dir` with `prefix` and `suffix` around its last component (`.NAME.lock`).
fn beside(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!(".{name}.{suffix}"))
}

/// Whether `path` exists as something other than a real folder (a
/// symbolic link, even to a folder, or a file).
fn not_a_folder(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| !m.is_dir())
}

/// What a writer of the result folder `dir` leaves beside it while it
/// works: its staging folder and its lock file. A process stopped at once
/// (a second Ctrl-C) removes them itself; one killed leaves them to the
/// next writer, which removes the staging folder and reuses the lock file.
pub fn leftovers(dir: &Path) -> [PathBuf; 2] {
    [beside(dir, "new"), beside(dir, "lock")]
}

/// An exclusive advisory lock on one result folder, released when dropped
/// (and by the operating system when the process ends).
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    path: PathBuf,
}

impl FolderLock {
    /// Takes the lock of the result folder `dir` (which need not exist; its
    /// parent must), without waiting: refused with [`FolderError::Busy`]
    /// while another process holds it.
    pub fn acquire(dir: &Path) -> Result<FolderLock, FolderError> {
        let path = beside(dir, "lock");
        loop {
            let mut file = at(
                &path,
                OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&path),
            )?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(FolderError::Busy {
                        dir: dir.to_path_buf(),
                        pid: text.trim().parse().ok(),
                    });
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(at::<()>(&path, Err(e)).unwrap_err().into());
                }
            }
            // a holder that finished removed the file after we opened it:
            // our lock is on a file nobody else will see; start again
            if !same_file(&file, &path) {
                continue;
            }
            at(&path, file.set_len(0))?;
            at(&path, file.rewind())?;
            at(&path, writeln!(file, "{}", std::process::id()))?;
            return Ok(FolderLock { file, path });
        }
    }
}

/// Whether the open `file` is the file at `path` now.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // removed while still held, so a process waiting on this file
        // notices (see `acquire`) and starts again on a new one
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// A result folder being written: locked, its files in a hidden staging
/// folder until [`Staged::commit`] swaps it in whole. Dropped without a
/// commit (an error, an interruption), the staging folder is removed and the
/// target is left as it was.
#[derive(Debug)]
pub struct Staged {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
    // held until the folder is swapped in; dropped last
    _lock: FolderLock,
}

impl Staged {
    /// Locks `out/name` and starts its staging folder. Creates `out` if
    /// needed. Refuses a target that is a symbolic link or a file. Cleans up
    /// after an earlier writer that died: its staging folder is removed,
    /// and a previous folder left aside in the middle of a swap is put back.
    pub fn begin(out: &Path, name: &str) -> Result<Staged, FolderError> {
        at(out, fs::create_dir_all(out))?;
        let target = out.join(name);
        if not_a_folder(&target) {
            return Err(FolderError::NotAFolder(target));
        }
        let lock = FolderLock::acquire(&target)?;
        let (staging, old) = (beside(&target, "new"), beside(&target, "old"));
        // we hold the lock: whatever is here is left from a writer that died
        if fs::symlink_metadata(&old).is_ok() {
            if fs::symlink_metadata(&target).is_err() {
                at(&target, fs::rename(&old, &target))?;
            } else {
                at(&old, remove(&old))?;
            }
        }
        if fs::symlink_metadata(&staging).is_ok() {
            at(&staging, remove(&staging))?;
        }
        at(&staging, fs::create_dir(&staging))?;
        Ok(Staged {
            target,
            staging,
            committed: false,
            _lock: lock,
        })
    }

    /// Where to write the files: the staging folder.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The folder the files will be in after the commit.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Makes the staging folder the result folder, in one step, replacing
    /// the previous one (and everything in it). Returns the folder.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        self.swap(|_| Ok(()))?;
        Ok(self.target.clone())
    }

    /// [`Staged::commit`], with `fault` called before each step (for the
    /// tests of interrupted swaps).
    fn swap(&mut self, fault: impl Fn(Step) -> io::Result<()>) -> Result<(), OutputError> {
        let (staging, target) = (&self.staging, &self.target);
        sync_folder(staging);
        if fs::symlink_metadata(target).is_err() {
            at(target, fault(Step::Rename))?;
            at(target, fs::rename(staging, target))?;
        } else if not_a_folder(target) {
            let e = io::Error::other("it became a symbolic link or a file during the run");
            return Err(OutputError {
                path: target.clone(),
                source: e,
            });
        } else if exchange(staging, target).is_ok() {
            // the staging folder now holds the previous files
            self.committed = true;
            at(target, fault(Step::RemoveOld))?;
            at(staging, remove(staging))?;
        } else {
            let old = beside(target, "old");
            at(target, fault(Step::SetAside))?;
            at(target, fs::rename(target, &old))?;
            at(target, fault(Step::Rename))?;
            at(target, fs::rename(staging, target))?;
            self.committed = true;
            at(target, fault(Step::RemoveOld))?;
            at(&old, remove(&old))?;
        }
        self.committed = true;
        if let Some(parent) = target.parent() {
            sync_folder(parent);
        }
        Ok(())
    }
}

/// The steps of a swap, where the tests inject failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    SetAside,
    Rename,
    RemoveOld,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove(&self.staging);
        }
    }
}

/// Removes a folder and everything in it (a symbolic link itself only).
fn remove(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Flushes a folder's entries to disk (where the platform allows).
fn sync_folder(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Swaps two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`);
/// an error where the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both paths are valid NUL-terminated strings for the call
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        let text = fs::read_to_string(e.path()).unwrap_or_default();
                        (name, text)
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn write(staged: &Staged, name: &str, text: &str) {
        fs::write(staged.path().join(name), text).unwrap();
    }

    #[test]
    fn a_committed_folder_replaces_the_previous_one_whole() {
        let out = tempfile::tempdir().unwrap();
        let s = Staged::begin(out.path(), "r").unwrap();
        write(&s, "a.csv", "1");
        write(&s, "b.csv", "1");
        assert!(!out.path().join("r").exists(), "nothing before the commit");
        s.commit().unwrap();
        let s = Staged::begin(out.path(), "r").unwrap();
        write(&s, "a.csv", "2");
        // until the commit, the previous files are all there
        assert_eq!(
            files(&out.path().join("r")),
            [("a.csv".into(), "1".into()), ("b.csv".into(), "1".into())]
        );
        s.commit().unwrap();
        // b.csv belonged to the previous run: gone with it
        assert_eq!(files(&out.path().join("r")), [("a.csv".into(), "2".into())]);
        assert_eq!(
            entries(out.path()),
            ["r"],
            "no lock, staging or old folder left"
        );
    }

    #[test]
    fn a_folder_dropped_without_commit_leaves_the_previous_one() {
        let out = tempfile::tempdir().unwrap();
        let s = Staged::begin(out.path(), "r").unwrap();
        write(&s, "a.csv", "1");
        s.commit().unwrap();
        let s = Staged::begin(out.path(), "r").unwrap();
        write(&s, "a.csv", "2");
        drop(s);
        assert_eq!(files(&out.path().join("r")), [("a.csv".into(), "1".into())]);
        assert_eq!(entries(out.path()), ["r"]);
    }

    #[test]
    fn a_failure_at_any_step_of_a_swap_leaves_one_whole_run() {
        // the two-rename swap (where no atomic exchange exists), failed at
        // each step; then the next writer finds one run's files or the other's
        for step in [Step::SetAside, Step::Rename, Step::RemoveOld] {
            let out = tempfile::tempdir().unwrap();
            let s = Staged::begin(out.path(), "r").unwrap();
            write(&s, "a.csv", "old");
            write(&s, "b.csv", "old");
            s.commit().unwrap();
            let mut s = Staged::begin(out.path(), "r").unwrap();
            write(&s, "a.csv", "new");
            let (target, staging) = (s.target.clone(), s.staging.clone());
            let old = beside(&target, "old");
            // the steps of the two-rename swap, failing at `step`
            let result = (|| -> io::Result<()> {
                if step == Step::SetAside {
                    return Err(io::Error::other("injected"));
                }
                fs::rename(&target, &old)?;
                if step == Step::Rename {
                    return Err(io::Error::other("injected"));
                }
                fs::rename(&staging, &target)?;
                s.committed = true;
                Err(io::Error::other("injected"))
            })();
            assert!(result.is_err());
            // the process dies here: nothing is cleaned up (its lock is
            // released by the system)
            s.committed = true;
            drop(s);
            // the next writer repairs what it finds, before writing
            let next = Staged::begin(out.path(), "r").unwrap();
            let found = files(&target);
            let whole_old = vec![
                ("a.csv".to_string(), "old".to_string()),
                ("b.csv".into(), "old".into()),
            ];
            let whole_new = vec![("a.csv".to_string(), "new".to_string())];
            assert!(
                found == whole_old || found == whole_new,
                "{step:?}: {found:?}"
            );
            if step == Step::RemoveOld {
                assert_eq!(found, whole_new);
            } else {
                assert_eq!(found, whole_old);
            }
            drop(next);
            assert_eq!(entries(out.path()), ["r"], "{step:?}");
        }
    }

    #[test]
    fn a_failed_swap_is_reported_and_leaves_one_whole_run() {
        let out = tempfile::tempdir().unwrap();
        // the first run of a folder: a failure before the rename leaves nothing
        let mut s = Staged::begin(out.path(), "r").unwrap();
        write(&s, "a.csv", "old");
        let failing = |at: Step| {
            move |step: Step| {
                if step == at {
                    Err(io::Error::other("injected"))
                } else {
                    Ok(())
                }
            }
        };
        assert!(s.swap(failing(Step::Rename)).is_err());
        drop(s);
        assert!(entries(out.path()).is_empty());
        let s = Staged::begin(out.path(), "r").unwrap();
        write(&s, "a.csv", "old");
        s.commit().unwrap();
        // the new files are in place once the previous ones are moved aside;
        // failing to remove those is reported, and the next writer removes them
        let mut s = Staged::begin(out.path(), "r").unwrap();
        write(&s, "a.csv", "new");
        assert!(s.swap(failing(Step::RemoveOld)).is_err());
        drop(s);
        assert_eq!(
            files(&out.path().join("r")),
            [("a.csv".into(), "new".into())]
        );
        drop(Staged::begin(out.path(), "r").unwrap());
        assert_eq!(entries(out.path()), ["r"]);
    }

    #[test]
    fn a_second_writer_is_refused_with_the_holders_pid() {
        let out = tempfile::tempdir().unwrap();
        let first = Staged::begin(out.path(), "r").unwrap();
        let err = Staged::begin(out.path(), "r").unwrap_err();
        let FolderError::Busy { dir, pid } = &err else {
            panic!("{err}");
        };
        assert_eq!(dir, &out.path().join("r"));
        assert_eq!(*pid, Some(std::process::id()));
        assert!(
            err.to_string()
                .contains(&format!("(pid {})", std::process::id()))
        );
        // another folder in the same place is free
        let other = Staged::begin(out.path(), "s").unwrap();
        drop((first, other));
        Staged::begin(out.path(), "r").unwrap().commit().unwrap();
    }

    #[test]
    fn a_symbolic_link_is_never_written_through() {
        let out = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        fs::write(elsewhere.path().join("keep.txt"), "mine").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(elsewhere.path(), out.path().join("r")).unwrap();
        #[cfg(not(unix))]
        fs::write(out.path().join("r"), "a file").unwrap();
        let err = Staged::begin(out.path(), "r").unwrap_err();
        assert!(matches!(err, FolderError::NotAFolder(_)), "{err}");
        assert_eq!(
            files(elsewhere.path()),
            [("keep.txt".into(), "mine".into())]
        );
    }
}
