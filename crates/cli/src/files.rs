//! Open files (Linux): every socket is one, so the server raises its own limit and sizes its
//! descriptor table once at start.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
use std::os::fd::AsFd;

/// The descriptor table is sized at start for this many files at most (8 bytes each in the
/// kernel, so 512 KiB); a process going past it grows the table a few more times.
const TABLE_CAP: u64 = 65_536;

/// What [`prepare`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFiles {
    /// The soft limit before, if it was raised.
    pub raised_from: Option<u64>,
    /// The soft limit now (`None`: unlimited).
    pub limit: Option<u64>,
    /// Descriptors the table holds without growing, if it could be grown.
    pub table: Option<u64>,
}

/// Raises the soft limit on open files to the hard one (a service holding a socket per client
/// needs far more than the usual 1,024), then grows the process's descriptor table to that size
/// up front (at most [`TABLE_CAP`]). The kernel grows the table by doubling, and while it does,
/// every thread of the process that opens a file (accepting a socket, opening the database)
/// waits for an RCU grace period, 10–17 ms each time as measured here: a server filling up with
/// sockets would stall at 512, 1,024, 2,048, … of them. `fd` is any open descriptor (it is
/// duplicated to the table's last slot and closed again). A step that fails is logged and
/// skipped: the server runs as before, with the limit it was given.
pub fn prepare(fd: impl AsFd) -> OpenFiles {
    let before = getrlimit(Resource::Nofile);
    let mut raised_from = None;
    if let (Some(soft), Some(hard)) = (before.current, before.maximum)
        && soft < hard
    {
        let raised = Rlimit {
            current: Some(hard),
            maximum: Some(hard),
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => raised_from = Some(soft),
            Err(e) => tracing::warn!(
                error = %e,
                soft,
                hard,
                "could not raise the open-file limit to the hard limit"
            ),
        }
    }
    let limit = getrlimit(Resource::Nofile).current;
    let want = limit.unwrap_or(TABLE_CAP).min(TABLE_CAP);
    let table = match grow_table(fd, want) {
        Ok(()) => Some(want),
        Err(e) => {
            tracing::warn!(error = %e, want, "could not size the descriptor table");
            None
        }
    };
    OpenFiles {
        raised_from,
        limit,
        table,
    }
}

/// Makes the descriptor table hold `n` descriptors (`n` must not pass the soft limit).
fn grow_table(fd: impl AsFd, n: u64) -> rustix::io::Result<()> {
    let top = i32::try_from(n.saturating_sub(1)).map_err(|_| rustix::io::Errno::INVAL)?;
    // Dropped at once: the slot is free again, the table stays this size.
    drop(rustix::io::fcntl_dupfd_cloexec(fd, top)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The descriptor slots the process's table holds (`FDSize` in `/proc/self/status`).
    fn fd_slots() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("FDSize:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    #[test]
    fn the_table_holds_the_limit_after_prepare_and_the_soft_limit_is_the_hard_one() {
        let null = std::fs::File::open("/dev/null").unwrap();
        // Start from a soft limit below the hard one, as on most systems (1,024 of many more).
        let mut before = getrlimit(Resource::Nofile);
        before.current = Some(before.maximum.map_or(4096, |hard| hard.min(4096) - 1));
        setrlimit(Resource::Nofile, before).unwrap();
        let done = prepare(&null);
        let now = getrlimit(Resource::Nofile);
        // An unlimited hard limit is not copied: the soft one stays as it was.
        let want = before.maximum.or(before.current);
        assert_eq!(now.current, want, "soft limit raised to the hard one");
        let raised = before.maximum.and(before.current);
        assert_eq!(done.raised_from, raised);
        assert_eq!(done.limit, now.current);
        let expect = now.current.unwrap_or(TABLE_CAP).min(TABLE_CAP);
        assert_eq!(done.table, Some(expect));
        assert!(
            fd_slots() >= expect,
            "table holds {} slots, wanted {expect}",
            fd_slots()
        );
        // The slot used to grow it is free again.
        let top = format!("/proc/self/fd/{}", expect - 1);
        assert!(!std::path::Path::new(&top).exists(), "{top} still open");
    }

    #[test]
    fn a_table_past_the_limit_is_refused() {
        let null = std::fs::File::open("/dev/null").unwrap();
        // Past the hard limit (which nothing here changes) is past any soft limit.
        let Some(past) = getrlimit(Resource::Nofile).maximum.map(|hard| hard + 10) else {
            return; // An unlimited hard limit: no table size is past it.
        };
        if i32::try_from(past).is_err() {
            return; // Past any descriptor number, refused before the kernel is asked.
        }
        assert!(grow_table(&null, past).is_err());
    }
}
