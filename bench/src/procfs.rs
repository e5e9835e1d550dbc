//! Reads a process's memory figures from `/proc/<pid>/status` (Linux only).

use anyhow::{Context, anyhow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcMem {
    /// Current resident set size (VmRSS), KiB.
    pub rss_kb: u64,
    /// Peak resident set size since process start (VmHWM), KiB.
    pub hwm_kb: u64,
}

pub fn read_mem(pid: u32) -> anyhow::Result<ProcMem> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse_status(&text).with_context(|| format!("parsing {path}"))
}

pub fn parse_status(text: &str) -> anyhow::Result<ProcMem> {
    let field = |name: &str| -> anyhow::Result<u64> {
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
            .ok_or_else(|| anyhow!("no {name} line"))?;
        let mut parts = line.split_whitespace();
        let value: u64 = parts
            .next()
            .ok_or_else(|| anyhow!("empty {name}"))?
            .parse()
            .with_context(|| format!("bad {name} value"))?;
        match parts.next() {
            Some("kB") | None => Ok(value),
            Some(unit) => Err(anyhow!("unexpected unit {unit:?} for {name}")),
        }
    };
    Ok(ProcMem {
        rss_kb: field("VmRSS")?,
        hwm_kb: field("VmHWM")?,
    })
}

/// Soft limit on open files of this process (`Max open files` in /proc/self/limits).
pub fn max_open_files() -> anyhow::Result<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").context("reading /proc/self/limits")?;
    parse_max_open_files(&text)
}

pub fn parse_max_open_files(text: &str) -> anyhow::Result<u64> {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))
        .ok_or_else(|| anyhow!("no 'Max open files' line"))?;
    let soft = line
        .split_whitespace()
        .next()
        .ok_or_else(|| anyhow!("empty 'Max open files' line"))?;
    if soft == "unlimited" {
        return Ok(u64::MAX);
    }
    soft.parse().context("bad open-files limit")
}

/// Linux exposes CPU times in /proc in USER_HZ units, which is 100 on every
/// mainstream architecture.
const USER_HZ: f64 = 100.0;

/// User + system CPU time consumed so far by process `pid` (all threads), seconds.
pub fn read_cpu_secs(pid: u32) -> anyhow::Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse_stat_cpu_secs(&text).with_context(|| format!("parsing {path}"))
}

pub fn parse_stat_cpu_secs(text: &str) -> anyhow::Result<f64> {
    // "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
    let rest = text
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| anyhow!("no ')' in stat"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Field 3 (state) is fields[0]; utime is field 14, stime field 15.
    let get = |i: usize| -> anyhow::Result<u64> {
        fields
            .get(i)
            .ok_or_else(|| anyhow!("stat too short"))?
            .parse()
            .context("bad cpu time")
    };
    Ok((get(11)? + get(12)?) as f64 / USER_HZ)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status() {
        let text = "Name:\tsupport-chat\nVmPeak:\t  900000 kB\nVmHWM:\t   45678 kB\nVmRSS:\t   40000 kB\nThreads:\t5\n";
        assert_eq!(
            parse_status(text).unwrap(),
            ProcMem {
                rss_kb: 40000,
                hwm_kb: 45678
            }
        );
        assert!(parse_status("Name:\tx\n").is_err());
    }

    #[test]
    fn parses_stat() {
        let text = "1234 (support (chat)) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 75 0 0 20 0 9 0 100 1000 200";
        assert_eq!(parse_stat_cpu_secs(text).unwrap(), 3.25);
        assert!(parse_stat_cpu_secs("garbage").is_err());
    }

    #[test]
    fn parses_limits() {
        let text = "Limit                     Soft Limit           Hard Limit           Units     \nMax processes             95000                95000                processes \nMax open files            1024                 20000                files     \n";
        assert_eq!(parse_max_open_files(text).unwrap(), 1024);
        assert!(parse_max_open_files("nothing").is_err());
        assert!(max_open_files().unwrap() > 0);
    }

    #[test]
    fn reads_own_process() {
        assert!(read_cpu_secs(std::process::id()).unwrap() >= 0.0);
        let mem = read_mem(std::process::id()).unwrap();
        assert!(mem.rss_kb > 0 && mem.hwm_kb >= mem.rss_kb);
    }
}
