//! Files that appear under their final name only when complete.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// A file being written: a hidden temporary file in the target folder,
/// renamed to its final name by [`AtomicFile::commit`]. Dropped without
/// commit (an error, an interruption), the temporary file is removed and
/// nothing appears under the final name.
pub struct AtomicFile {
    target: PathBuf,
    writer: BufWriter<NamedTempFile>,
}

impl AtomicFile {
    /// Starts writing `target`; its folder must exist.
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // results are ordinary files, readable by others like any output
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let temp = builder.tempfile_in(dir)?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            writer: BufWriter::with_capacity(1 << 16, temp),
        })
    }

    /// The final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes, syncs and renames the file to its final name.
    pub fn commit(self) -> io::Result<PathBuf> {
        self.finish(true)
    }

    /// Flushes and renames the file to its final name without waiting for
    /// the disk: for files whose bytes a record committed after them
    /// checks (a sweep's saved points), so that a power cut can cost a
    /// rerun but never pass damaged bytes off as good. An interrupted or
    /// killed process loses nothing either way.
    pub fn commit_unsynced(self) -> io::Result<PathBuf> {
        self.finish(false)
    }

    fn finish(self, sync: bool) -> io::Result<PathBuf> {
        let temp = self.writer.into_inner().map_err(|e| e.into_error())?;
        if sync {
            temp.as_file().sync_all()?;
        }
        temp.persist(&self.target).map_err(|e| e.error)?;
        Ok(self.target)
    }
}

/// Removes the temporary files an [`AtomicFile`] leaves in `dir` when its
/// process dies before the commit (`.NAME.XXXXXX.partial`), and nothing
/// else: a later writer calls it once it holds the folder's lock.
pub fn remove_temporary_files(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.')
                && name.ends_with(".partial")
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_committed_files_appear() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.csv");
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"x,y\n").unwrap();
        assert!(!target.exists());
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "x,y\n");

        let other = dir.path().join("b.csv");
        let mut g = AtomicFile::create(&other).unwrap();
        g.write_all(b"half").unwrap();
        drop(g);
        assert!(!other.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
