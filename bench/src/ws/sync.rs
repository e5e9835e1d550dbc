//! Keeps several `ws` processes in step. A process that reaches a phase boundary creates
//! `<dir>/<phase>.<shard>` and waits until every shard's file is there, so all processes
//! connect, send and idle at the same time (one server, one clock). A process that fails
//! writes `<dir>/abort.<shard>` and the others stop waiting at once instead of timing out.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

const POLL: Duration = Duration::from_millis(5);

#[derive(Debug, Clone)]
pub struct PhaseSync {
    dir: Option<PathBuf>,
    procs: u32,
    shard: u32,
}

impl PhaseSync {
    /// A single process: every wait returns at once.
    #[cfg(test)]
    pub fn solo() -> Self {
        Self {
            dir: None,
            procs: 1,
            shard: 0,
        }
    }

    pub fn new(dir: Option<PathBuf>, procs: u32, shard: u32) -> anyhow::Result<Self> {
        if procs == 0 || shard >= procs {
            bail!("--shard must be below --procs (got shard {shard} of {procs})");
        }
        if procs > 1 {
            let Some(d) = &dir else {
                bail!("--procs > 1 needs --sync-dir (a directory shared by all the processes)");
            };
            if !d.is_dir() {
                bail!("--sync-dir {} is not a directory", d.display());
            }
        }
        Ok(Self {
            dir: dir.filter(|_| procs > 1),
            procs,
            shard,
        })
    }

    fn marker(dir: &Path, phase: &str, shard: u32) -> PathBuf {
        dir.join(format!("{phase}.{shard}"))
    }

    /// Arrives at `phase` and waits (at most `timeout`) until every process has arrived.
    pub async fn wait(&self, phase: &str, timeout: Duration) -> anyhow::Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let mine = Self::marker(dir, phase, self.shard);
        std::fs::write(&mine, b"").with_context(|| format!("writing {}", mine.display()))?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = (0..self.procs).find(|s| Self::marker(dir, "abort", *s).exists()) {
                bail!("bench process {s} failed; stopping at phase {phase:?}");
            }
            let arrived = (0..self.procs)
                .filter(|s| Self::marker(dir, phase, *s).exists())
                .count();
            if arrived == self.procs as usize {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!(
                    "only {arrived} of {} bench processes reached phase {phase:?} within {timeout:?}",
                    self.procs
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Tells the other processes that this one gave up.
    pub fn abort(&self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::write(Self::marker(dir, "abort", self.shard), b"");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "scb-sync-{tag}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[tokio::test]
    async fn waits_for_every_shard() {
        let dir = tempdir("all");
        let a = PhaseSync::new(Some(dir.clone()), 2, 0).unwrap();
        let b = PhaseSync::new(Some(dir.clone()), 2, 1).unwrap();
        let started = Instant::now();
        let late = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            b.wait("setup", Duration::from_secs(5)).await
        });
        a.wait("setup", Duration::from_secs(5)).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(100));
        late.await.unwrap().unwrap();
        // a phase nobody else reaches times out
        let err = a
            .wait("steps", Duration::from_millis(50))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("only 1 of 2"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn abort_stops_the_others() {
        let dir = tempdir("abort");
        let a = PhaseSync::new(Some(dir.clone()), 3, 0).unwrap();
        let c = PhaseSync::new(Some(dir.clone()), 3, 2).unwrap();
        c.abort();
        let started = Instant::now();
        let err = a.wait("setup", Duration::from_secs(10)).await.unwrap_err();
        assert!(err.to_string().contains("process 2 failed"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(1));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn validation() {
        assert!(PhaseSync::new(None, 1, 0).is_ok());
        assert!(PhaseSync::new(None, 2, 0).is_err());
        assert!(PhaseSync::new(None, 2, 2).is_err());
        assert!(PhaseSync::new(Some("/nonexistent/x".into()), 2, 1).is_err());
    }

    #[tokio::test]
    async fn solo_never_waits() {
        PhaseSync::solo().wait("x", Duration::ZERO).await.unwrap();
    }
}
