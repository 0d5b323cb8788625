//! How a run's files reach disk: all of them as one unit, or none.
//!
//! A [`Publication`] is the one way outputs are written. [`Publication::begin`] runs before any
//! work and refuses an output folder that would destroy a planner's files:
//!
//! - an input (stations, blocks, network) that is the output folder or lies inside it — compared
//!   by canonical path and, on Unix, by device and inode — is refused ([`Error::InputInOutput`]);
//! - an existing folder that walkshed did not write is refused ([`Error::OutputNotOurs`]): it must
//!   be empty, or hold only the files listed in its `summary.json` (`batch.json` for a batch)
//!   under `"files"`, or only walkshed's output names;
//! - a second run into the same folder fails while the first holds the lock
//!   `PARENT/.NAME.walkshed.lock` ([`Error::OutputLocked`]). A lock left by a process that is gone
//!   (its pid no longer exists on this host) is taken over with a warning.
//!
//! Every file is then written into a fresh sibling folder `PARENT/.NAME.walkshed-PID-N/` (a
//! [`Staged`] folder), and [`Publication::commit`] swaps it in: on Linux with one atomic
//! `renameat2(RENAME_EXCHANGE)`, elsewhere (or on file systems without it) by renaming the old
//! folder aside to `.NAME.walkshed-old-PID-N` and the new one into place — between those two
//! renames, a process killed outright leaves `NAME` missing and the old set aside, and the next
//! run puts it back. The old set is removed after the swap. So the folder always holds either the
//! old run's files or the new run's, never a mix, and never a stale file of an earlier run.
//!
//! Dropped without committing (an error, a panic), a publication removes its temporary folder and
//! its lock. A run killed by SIGINT or SIGTERM does the same through [`clean_up_interrupted`],
//! which the binary calls from its signal handler; a run killed outright (SIGKILL, power loss)
//! leaves its temporary folder, which the next run into the same folder removes.
//!
//! A unit test, `a_committed_publication_leaves_only_its_files`, shows the whole cycle.

use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::error::{Error, Result};

/// The names of the files `walkshed coverage` writes.
pub const COVERAGE_FILES: [&str; 10] = [
    "summary.json",
    "stations.csv",
    "walk_time.csv",
    "groups.csv",
    "blocks.geojson",
    "gaps.svg",
    "curve.svg",
    "groups.svg",
    "service_areas.geojson",
    "report.html",
];

/// The names of the combined files `walkshed batch` writes next to its scenario folders.
pub const BATCH_FILES: [&str; 4] = ["batch.csv", "batch.json", "batch.svg", "diff.csv"];

/// Paths to remove if the process is interrupted: temporary folders and held locks.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Numbers this process's temporary folders.
static NEXT: AtomicUsize = AtomicUsize::new(0);

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Adds `path` to what an interrupted process removes ([`clean_up_interrupted`]).
pub(crate) fn register(path: &Path) {
    pending().push(path.to_path_buf());
}

/// Takes `path` off what an interrupted process removes.
pub(crate) fn unregister(path: &Path) {
    pending().retain(|p| p != path);
}

/// Removes every temporary folder and lock of the publications in progress, for a signal handler
/// that then exits. Waits for a swap in progress to finish first, so the output folder is left
/// with either its old files or its new ones.
pub fn clean_up_interrupted() {
    let mut paths = pending();
    for path in paths.drain(..) {
        remove_path(&path);
    }
    // The guard is kept to the end: a publication that commits after this finds nothing to swap.
    std::mem::forget(paths);
}

/// Removes a file or a folder; worker threads may still be adding files to a folder, so a few
/// tries are made.
fn remove_path(path: &Path) {
    for _ in 0..5 {
        let gone = match fs::symlink_metadata(path) {
            Err(_) => true,
            Ok(m) if m.is_dir() => fs::remove_dir_all(path).is_ok(),
            Ok(_) => fs::remove_file(path).is_ok(),
        };
        if gone {
            return;
        }
    }
}

/// Files written into one folder under construction: the temporary folder of a [`Publication`],
/// or a folder inside it (a batch scenario's).
#[derive(Debug)]
pub(crate) struct Staged {
    dir: PathBuf,
    names: Vec<String>,
}

impl Staged {
    /// Creates the folder `dir` (its parent must exist, and `dir` must not) and stages into it.
    pub fn create(dir: &Path) -> Result<Self> {
        fs::create_dir(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Staged {
            dir: dir.to_path_buf(),
            names: Vec::new(),
        })
    }

    /// The folder files are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `name` with the bytes `write` produces.
    pub fn add(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let path = self.dir.join(name);
        let werr = |source| Error::Write {
            path: path.clone(),
            source,
        };
        let file = fs::File::create_new(&path).map_err(werr)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&mut w).map_err(werr)?;
        w.flush().map_err(werr)?;
        self.names.push(name.to_owned());
        Ok(())
    }

    /// Writes `name` with `write`, which creates the file at the path it is given (a database
    /// that needs a path rather than a stream: `walkshed.gpkg`).
    pub fn add_path(&mut self, name: &str, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
        write(&self.dir.join(name))?;
        self.names.push(name.to_owned());
        Ok(())
    }

    /// Records the files of a folder `sub` inside this one, staged by its own [`Staged`].
    pub fn adopt(&mut self, sub: &str, staged: &Staged) {
        self.names
            .extend(staged.names.iter().map(|n| format!("{sub}/{n}")));
    }

    /// The files written so far and `more`, sorted: the manifest a summary lists.
    pub fn manifest(&self, more: &[&str]) -> Vec<String> {
        let mut files = self.names.clone();
        files.extend(more.iter().map(|&m| m.to_owned()));
        files.sort();
        files
    }
}

/// A run's output folder being written as one unit; see the [module documentation](self).
#[derive(Debug)]
pub(crate) struct Publication {
    /// The output folder.
    out: PathBuf,
    /// Its parent, where the temporaries and the lock are.
    parent: PathBuf,
    /// Its file name.
    name: OsString,
    /// The temporary folder; `None` once committed.
    staged: Option<Staged>,
    /// Dropped last: the lock outlives the temporary folder.
    _lock: Lock,
}

impl Publication {
    /// Starts publishing into `out`, checking it against the run's `inputs` first.
    ///
    /// # Errors
    ///
    /// [`Error::OutputPath`] when `out` is a file or a broken link, [`Error::InputInOutput`] when
    /// an input is `out` or inside it, [`Error::OutputLocked`] when another run is writing `out`,
    /// [`Error::OutputNotOurs`] when `out` holds files walkshed did not write, and
    /// [`Error::Write`] when the temporary folder cannot be made.
    pub fn begin(out: &Path, inputs: &[&Path]) -> Result<Self> {
        let out = resolve_out(out)?;
        let (parent, name) = split(&out)?;
        fs::create_dir_all(&parent).map_err(|source| Error::Write {
            path: parent.clone(),
            source,
        })?;
        check_inputs(&out, &parent, &name, inputs)?;
        let lock = Lock::take(&out, &parent, &name)?;
        remove_leftovers(&out, &parent, &name);
        check_replaceable(&out)?;
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = parent.join(temp_name(&name, &format!("{}-{n}", std::process::id())));
        register(&tmp);
        let staged = Staged::create(&tmp).inspect_err(|_| unregister(&tmp))?;
        Ok(Publication {
            out,
            parent,
            name,
            staged: Some(staged),
            _lock: lock,
        })
    }

    /// The temporary folder, where every file of the run is written.
    pub(crate) fn staged(&mut self) -> &mut Staged {
        self.staged
            .as_mut()
            .expect("a publication is staged until it is committed")
    }

    /// Swaps the staged folder in as the output folder and removes the old one; returns the
    /// files written, as paths in the output folder.
    ///
    /// # Errors
    ///
    /// [`Error::OutputNotOurs`] when files walkshed did not write appeared in the output folder
    /// meanwhile, [`Error::Write`] when a rename fails. On error the old folder is left as it was.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        check_replaceable(&self.out)?;
        let staged = self.staged.take().expect("committed once");
        let tmp = staged.dir.clone();
        let aside = self.parent.join(temp_name(
            &self.name,
            &format!(
                "old-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ),
        ));
        let swapped = {
            let mut paths = pending();
            let swapped = swap(&tmp, &self.out, &aside);
            if !matches!(swapped, Ok(Some(ref old)) if *old == tmp) {
                paths.retain(|p| *p != tmp);
            }
            if let Ok(Some(old)) = &swapped {
                if *old != tmp {
                    paths.push(old.clone());
                }
            }
            swapped
        };
        match swapped {
            Err(e) => {
                remove_path(&tmp);
                return Err(e);
            }
            Ok(Some(old)) => {
                remove_path(&old);
                unregister(&old);
            }
            Ok(None) => {}
        }
        Ok(staged.names.iter().map(|n| self.out.join(n)).collect())
    }
}

impl Drop for Publication {
    fn drop(&mut self) {
        if let Some(staged) = &self.staged {
            remove_path(&staged.dir);
            unregister(&staged.dir);
        }
    }
}

/// `.NAME.walkshed-TAG`, a temporary next to the output folder `NAME`.
fn temp_name(name: &OsString, tag: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(".walkshed-");
    s.push(tag);
    s
}

/// Puts `tmp` in place of `out`; returns where the old `out` went, if there was one: `tmp`
/// itself after an atomic exchange, else `aside`.
fn swap(tmp: &Path, out: &Path, aside: &Path) -> Result<Option<PathBuf>> {
    let werr = |source| Error::Write {
        path: out.to_path_buf(),
        source,
    };
    if fs::symlink_metadata(out).is_err() {
        return fs::rename(tmp, out).map(|()| None).map_err(werr);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        if renameat_with(CWD, tmp, CWD, out, RenameFlags::EXCHANGE).is_ok() {
            return Ok(Some(tmp.to_path_buf()));
        }
    }
    fs::rename(out, aside).map_err(werr)?;
    if let Err(source) = fs::rename(tmp, out) {
        let _ = fs::rename(aside, out);
        return Err(werr(source));
    }
    Ok(Some(aside.to_path_buf()))
}

/// The output folder as it will be written: a symbolic link is followed to its folder.
fn resolve_out(out: &Path) -> Result<PathBuf> {
    let bad = |message: String| Error::OutputPath {
        path: out.to_path_buf(),
        message,
    };
    match fs::symlink_metadata(out) {
        Err(_) => Ok(out.to_path_buf()),
        Ok(m) if m.file_type().is_symlink() => match fs::canonicalize(out) {
            Ok(target) if target.is_dir() => Ok(target),
            Ok(target) => Err(bad(format!(
                "it is a symbolic link to {}, which is not a folder; give a folder name",
                target.display()
            ))),
            Err(e) => Err(bad(format!(
                "it is a symbolic link that leads nowhere ({e}); remove the link or give another folder"
            ))),
        },
        Ok(m) if !m.is_dir() => Err(bad(
            "a file of that name exists; give a folder name, or move the file away".to_owned(),
        )),
        Ok(_) => Ok(out.to_path_buf()),
    }
}

/// The parent folder and the name of the output folder.
fn split(out: &Path) -> Result<(PathBuf, OsString)> {
    let absolute = std::path::absolute(out).map_err(|source| Error::Write {
        path: out.to_path_buf(),
        source,
    })?;
    // `out/.` and `out/..` have no name of their own: use the folder they mean.
    let absolute = if absolute.file_name().is_none() || out.ends_with(".") {
        fs::canonicalize(&absolute).unwrap_or(absolute)
    } else {
        absolute
    };
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => Ok((parent.to_path_buf(), name.to_os_string())),
        _ => Err(Error::OutputPath {
            path: out.to_path_buf(),
            message: "the root folder cannot be an output folder; give a folder name".to_owned(),
        }),
    }
}

/// Refuses an input that is the output folder or lies inside it.
fn check_inputs(out: &Path, parent: &Path, name: &OsString, inputs: &[&Path]) -> Result<()> {
    let canonical_out = fs::canonicalize(parent)
        .map(|p| p.join(name))
        .unwrap_or_else(|_| out.to_path_buf());
    let out_id = file_id(out);
    for input in inputs {
        // An input that does not exist cannot be overwritten; reading it reports it.
        let Ok(canonical) = fs::canonicalize(input) else {
            continue;
        };
        let inside = canonical.starts_with(&canonical_out)
            || (out_id.is_some() && canonical.ancestors().any(|a| file_id(a) == out_id));
        if inside {
            return Err(Error::InputInOutput {
                input: input.to_path_buf(),
                out: out.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Device and inode of a path, where the platform has them.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Removes the temporaries of dead runs into `out` (called with the lock held, so no live run
/// owns any). An old set left aside by a run killed mid-swap goes back in place if `out` is
/// missing.
fn remove_leftovers(out: &Path, parent: &Path, name: &OsString) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefix = temp_name(name, "");
    let prefix = prefix.to_string_lossy();
    let mut aside = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(tag) = file_name.strip_prefix(&*prefix) else {
            continue;
        };
        let numbers = |s: &str| {
            let mut parts = s.split('-');
            parts.next().is_some_and(all_digits)
                && parts.next().is_some_and(all_digits)
                && parts.next().is_none()
        };
        if let Some(rest) = tag.strip_prefix("old-") {
            if numbers(rest) {
                aside.push(entry.path());
            }
        } else if numbers(tag) {
            remove_path(&entry.path());
        }
    }
    for old in aside {
        if fs::symlink_metadata(out).is_err() && fs::rename(&old, out).is_ok() {
            continue;
        }
        remove_path(&old);
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Refuses an existing output folder holding anything walkshed did not write.
fn check_replaceable(out: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(out) else {
        return Ok(());
    };
    let ours = Written::by_walkshed(out);
    let mut foreign: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            let known = if is_dir {
                ours.folders.contains(&name)
            } else {
                ours.files.contains(&name) || is_old_temporary(&name)
            };
            (!known).then(|| if is_dir { format!("{name}/") } else { name })
        })
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let more = foreign.len() > 5;
    foreign.truncate(5);
    if more {
        foreign.push("…".to_owned());
    }
    Err(Error::OutputNotOurs {
        path: out.to_path_buf(),
        found: foreign.join(", "),
    })
}

/// The entries of an output folder that walkshed wrote.
#[derive(Debug, Default)]
struct Written {
    files: Vec<String>,
    folders: Vec<String>,
}

impl Written {
    /// By the manifest of the folder's `summary.json` or `batch.json`; for an earlier version
    /// without one, walkshed's file names and the batch's scenario folders.
    fn by_walkshed(out: &Path) -> Written {
        let mut ours = Written::default();
        let mut manifest = false;
        for file in ["summary.json", "batch.json"] {
            let Ok(text) = fs::read_to_string(out.join(file)) else {
                continue;
            };
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if json["tool"]["name"] != env!("CARGO_PKG_NAME") {
                continue;
            }
            if let Some(files) = json["files"].as_array() {
                manifest = true;
                for f in files.iter().filter_map(|f| f.as_str()) {
                    match f.split_once('/') {
                        Some((folder, _)) => ours.folders.push(folder.to_owned()),
                        None => ours.files.push(f.to_owned()),
                    }
                }
            } else if let Some(scenarios) = json["scenarios"].as_array() {
                ours.folders.extend(
                    scenarios
                        .iter()
                        .filter_map(|s| s["name"].as_str())
                        .map(str::to_owned),
                );
            }
        }
        if !manifest {
            ours.files.extend(
                COVERAGE_FILES
                    .iter()
                    .chain(&BATCH_FILES)
                    .map(|&s| s.to_owned()),
            );
        }
        ours
    }
}

/// A temporary file of an earlier version of walkshed, killed while writing: `.NAME.xxxx.tmp`.
fn is_old_temporary(entry: &str) -> bool {
    entry.ends_with(".tmp")
        && COVERAGE_FILES
            .iter()
            .chain(&BATCH_FILES)
            .any(|f| entry.starts_with(&format!(".{f}.")))
}

/// The lock of an output folder: `PARENT/.NAME.walkshed.lock`, holding pid, host and start time.
#[derive(Debug)]
struct Lock {
    path: PathBuf,
}

impl Lock {
    fn take(out: &Path, parent: &Path, name: &OsString) -> Result<Lock> {
        let mut file_name = OsString::from(".");
        file_name.push(name);
        file_name.push(".walkshed.lock");
        let path = parent.join(file_name);
        let holder = Holder::me();
        // Twice at most: once more after taking over a stale lock.
        for _ in 0..2 {
            match fs::File::create_new(&path) {
                Ok(mut file) => {
                    register(&path);
                    let lock = Lock { path };
                    file.write_all(holder.to_text().as_bytes())
                        .map_err(|source| Error::Write {
                            path: lock.path.clone(),
                            source,
                        })?;
                    return Ok(lock);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = fs::read_to_string(&path).unwrap_or_default();
                    let other = Holder::parse(&text);
                    if other.as_ref().is_some_and(Holder::is_gone) {
                        eprintln!(
                            "warning: taking over the lock {} of walkshed pid {}, which is gone",
                            path.display(),
                            other.map_or(0, |h| h.pid)
                        );
                        // Take over only the lock read: another run may have taken it over
                        // already, and its lock is not ours to remove.
                        if fs::read_to_string(&path).is_ok_and(|now| now == text) {
                            let _ = fs::remove_file(&path);
                        }
                        continue;
                    }
                    return Err(Error::OutputLocked {
                        path: out.to_path_buf(),
                        lock: path,
                        holder: other.map_or_else(
                            || "a process that left no details".to_owned(),
                            |h| h.describe(),
                        ),
                    });
                }
                Err(source) => return Err(Error::Write { path, source }),
            }
        }
        let text = fs::read_to_string(&path).unwrap_or_default();
        Err(Error::OutputLocked {
            path: out.to_path_buf(),
            holder: Holder::parse(&text).map_or_else(|| "another run".to_owned(), |h| h.describe()),
            lock: path,
        })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        unregister(&self.path);
    }
}

/// Who holds a lock.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Holder {
    pid: u32,
    host: String,
    started: String,
}

impl Holder {
    fn me() -> Holder {
        Holder {
            pid: std::process::id(),
            host: host_name(),
            started: utc_now(),
        }
    }

    fn to_text(&self) -> String {
        format!(
            "pid {}\nhost {}\nstarted {}\n",
            self.pid, self.host, self.started
        )
    }

    fn parse(text: &str) -> Option<Holder> {
        let mut pid = None;
        let mut host = String::new();
        let mut started = String::new();
        for line in text.lines() {
            match line.split_once(' ') {
                Some(("pid", v)) => pid = v.trim().parse().ok(),
                Some(("host", v)) => host = v.trim().to_owned(),
                Some(("started", v)) => started = v.trim().to_owned(),
                _ => {}
            }
        }
        Some(Holder {
            pid: pid?,
            host,
            started,
        })
    }

    fn describe(&self) -> String {
        format!(
            "pid {} on {}, started {}",
            self.pid,
            if self.host.is_empty() {
                "an unknown host"
            } else {
                &self.host
            },
            self.started
        )
    }

    /// Whether the holder is known to be gone: on this host (Linux), no process has its pid.
    fn is_gone(&self) -> bool {
        cfg!(target_os = "linux")
            && self.host == host_name()
            && !Path::new(&format!("/proc/{}", self.pid)).exists()
    }
}

fn host_name() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_default()
}

/// The time now as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_read_back() {
        let me = Holder::me();
        assert_eq!(Holder::parse(&me.to_text()), Some(me.clone()));
        assert!(!me.is_gone());
        assert_eq!(Holder::parse("garbage"), None);
    }

    #[test]
    fn time_is_a_date() {
        let t = utc_now();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'), "{t}");
    }

    #[test]
    fn old_temporaries_are_recognised() {
        assert!(is_old_temporary(".blocks.geojson.AbC123.tmp"));
        assert!(!is_old_temporary(".notes.txt.AbC123.tmp"));
        assert!(!is_old_temporary("blocks.geojson"));
    }

    #[test]
    fn a_publication_dropped_unfinished_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let mut publication = Publication::begin(&out, &[]).unwrap();
        publication
            .staged()
            .add("stations.csv", |w| w.write_all(b"id\n"))
            .unwrap();
        drop(publication);
        let hidden: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert_eq!(hidden, Vec::<String>::new());
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
    }

    #[test]
    fn a_committed_publication_leaves_only_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut publication = Publication::begin(&out, &[]).unwrap();
        publication
            .staged()
            .add("stations.csv", |w| w.write_all(b"id\n"))
            .unwrap();
        let written = publication.commit().unwrap();
        assert_eq!(written, [out.join("stations.csv")]);
        // No temporary or lock left.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
