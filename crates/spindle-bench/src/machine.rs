//! What machine a result comes from.

/// The CPU model name from `/proc/cpuinfo` ("unknown" elsewhere).
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// What tells two boxes with the same model name apart: family, model and
/// stepping, clock, cache sizes and vector units (`/proc/cpuinfo` and
/// sysfs; empty where unknown).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CpuDetail {
    /// `cpu family`.
    pub family: String,
    /// `model` (the number).
    pub model: String,
    /// `stepping`.
    pub stepping: String,
    /// `cpu MHz` as reported now.
    pub mhz: String,
    /// L2 cache per core [bytes].
    pub l2_bytes: u64,
    /// L3 cache [bytes].
    pub l3_bytes: u64,
    /// Vector extensions the CPU reports (sse4_2, avx, avx2, fma, avx512*).
    pub vector: Vec<String>,
}

impl CpuDetail {
    /// One line for a SETUP.md or a table.
    pub fn line(&self) -> String {
        format!(
            "family {} model {} stepping {}, {} MHz, L2 {} KiB/core, L3 {} MiB, {}",
            self.family,
            self.model,
            self.stepping,
            self.mhz,
            self.l2_bytes >> 10,
            self.l3_bytes >> 20,
            self.vector.join(" ")
        )
    }
}

/// This machine's [`CpuDetail`].
pub fn cpu_detail() -> CpuDetail {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        info.lines()
            .find(|l| l.split(':').next().map(str::trim) == Some(name))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let flags = field("flags");
    let vector = flags
        .split_whitespace()
        .filter(|f| ["sse4_2", "avx", "avx2", "fma"].contains(f) || f.starts_with("avx512"))
        .map(String::from)
        .collect();
    let cache = |level: &str| -> u64 {
        (0..8)
            .filter_map(|i| {
                let dir = format!("/sys/devices/system/cpu/cpu0/cache/index{i}");
                let lvl = std::fs::read_to_string(format!("{dir}/level")).ok()?;
                (lvl.trim() == level).then_some(())?;
                let size = std::fs::read_to_string(format!("{dir}/size")).ok()?;
                let size = size.trim();
                let (num, unit) = size.split_at(size.find(|c: char| !c.is_ascii_digit())?);
                let n: u64 = num.parse().ok()?;
                Some(match unit {
                    "K" => n << 10,
                    "M" => n << 20,
                    _ => n,
                })
            })
            .max()
            .unwrap_or(0)
    };
    CpuDetail {
        family: field("cpu family"),
        model: field("model"),
        stepping: field("stepping"),
        mhz: field("cpu MHz"),
        l2_bytes: cache("2"),
        l3_bytes: cache("3"),
        vector,
    }
}

/// Cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// The host name (short, safe for a directory name).
pub fn hostname() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_else(|_| "host".into());
    let clean: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .take(32)
        .collect();
    if clean.is_empty() {
        "host".into()
    } else {
        clean
    }
}

/// Total memory [bytes], from `/proc/meminfo`.
pub fn total_memory() -> Option<u64> {
    meminfo("MemTotal:")
}

/// Memory available to a new process [bytes] (`MemAvailable`), from
/// `/proc/meminfo`.
pub fn available_memory() -> Option<u64> {
    meminfo("MemAvailable:")
}

fn meminfo(key: &str) -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with(key))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

/// Peak resident set size of this process (`VmHWM`) [bytes].
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to (year, month, day) (Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_is_described() {
        let d = cpu_detail();
        if std::path::Path::new("/proc/cpuinfo").exists() && cfg!(target_arch = "x86_64") {
            assert!(!d.family.is_empty() && !d.model.is_empty(), "{d:?}");
            assert!(d.line().contains("family"));
        }
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_417), (2025, 11, 25));
        assert_eq!(today().len(), 10);
    }
}
