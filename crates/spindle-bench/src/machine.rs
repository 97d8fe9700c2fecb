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

/// What a run's absolute times depend on besides the code: the CPU (model
/// name, family/model/stepping, clock to 100 MHz, caches, vector units),
/// the cores it could use, the compiler and the vector path. Two result
/// sets compare in absolute seconds only when these agree. A field a
/// record did not keep (older formats, peers) is empty or 0: unknown, not
/// different.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MachineId {
    /// CPU model name.
    pub cpu_model: String,
    /// "family F model M stepping S".
    pub fms: String,
    /// The reported clock, rounded to 100 MHz (a guest reports the host's
    /// nominal clock; bare metal wanders within that).
    pub mhz: String,
    /// L2 per core and L3 [bytes].
    pub caches: (u64, u64),
    /// Cores the process could use.
    pub cores: u64,
    /// Vector extensions, sorted.
    pub vector: String,
    /// The compiler that built Spindle.
    pub rustc: String,
    /// The vector path the hot loops ran.
    pub isa: String,
}

impl MachineId {
    /// Of one run.
    pub fn of(r: &crate::record::RunRecord) -> Self {
        let c = &r.cpu;
        let mut vector = c.vector.clone();
        vector.sort();
        let mhz = c
            .mhz
            .parse::<f64>()
            .map(|m| format!("{:.0}", (m / 100.0).round() * 100.0))
            .unwrap_or_default();
        MachineId {
            cpu_model: r.cpu_model.clone(),
            fms: if c.family.is_empty() {
                String::new()
            } else {
                format!(
                    "family {} model {} stepping {}",
                    c.family, c.model, c.stepping
                )
            },
            mhz,
            caches: (c.l2_bytes, c.l3_bytes),
            cores: r.cores,
            vector: vector.join(" "),
            rustc: r.rustc_version.clone().unwrap_or_default(),
            isa: r.isa.clone().unwrap_or_default(),
        }
    }

    /// The machine of a result set: that of its Spindle runs (peers record
    /// less about the CPU), the most frequent if they differ; `None` for an
    /// empty set.
    pub fn of_set(records: &[crate::record::RunRecord]) -> Option<Self> {
        let spindle: Vec<_> = records.iter().filter(|r| r.system == "spindle").collect();
        let pool: Vec<_> = if spindle.is_empty() {
            records.iter().collect()
        } else {
            spindle
        };
        let mut counts = std::collections::BTreeMap::<Self, usize>::new();
        for r in pool {
            *counts.entry(Self::of(r)).or_default() += 1;
        }
        counts.into_iter().max_by_key(|(_, n)| *n).map(|(m, _)| m)
    }

    /// The box alone: without the compiler and with the vector path kept
    /// (history follows one box across compiler versions).
    pub fn hardware(&self) -> Self {
        MachineId {
            rustc: String::new(),
            ..self.clone()
        }
    }

    /// The fields, named, as text ("" where unknown).
    fn fields(&self) -> [(&'static str, String); 8] {
        let kib = |b: u64| {
            if b == 0 {
                String::new()
            } else {
                format!("{} KiB", b >> 10)
            }
        };
        let mib = |b: u64| {
            if b == 0 {
                String::new()
            } else {
                format!("{} MiB", b >> 20)
            }
        };
        [
            ("CPU", self.cpu_model.clone()),
            ("family/model/stepping", self.fms.clone()),
            (
                "clock",
                if self.mhz.is_empty() {
                    String::new()
                } else {
                    format!("{} MHz", self.mhz)
                },
            ),
            (
                "caches",
                if self.caches == (0, 0) {
                    String::new()
                } else {
                    format!("L2 {} L3 {}", kib(self.caches.0), mib(self.caches.1))
                },
            ),
            (
                "cores",
                if self.cores == 0 {
                    String::new()
                } else {
                    self.cores.to_string()
                },
            ),
            ("vector units", self.vector.clone()),
            ("rustc", self.rustc.clone()),
            ("vector path", self.isa.clone()),
        ]
    }

    /// One line: every known field.
    pub fn line(&self) -> String {
        let known: Vec<String> = self
            .fields()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| if k == "CPU" { v } else { format!("{k} {v}") })
            .collect();
        if known.is_empty() {
            "machine not recorded".into()
        } else {
            known.join(", ")
        }
    }

    /// A short name: CPU, family/model and cores.
    pub fn short(&self) -> String {
        let cpu = if self.cpu_model.is_empty() {
            "machine not recorded"
        } else {
            &self.cpu_model
        };
        let fm = self
            .fms
            .split(" stepping")
            .next()
            .filter(|s| !s.is_empty())
            .map(|s| format!(" ({s})"))
            .unwrap_or_else(|| {
                if self.cpu_model.is_empty() {
                    String::new()
                } else {
                    " (details not recorded)".into()
                }
            });
        let cores = if self.cores == 0 {
            String::new()
        } else {
            format!(", {} cores", self.cores)
        };
        let vec = if self.vector.contains("avx512f") {
            ", AVX-512"
        } else if self.vector.contains("avx2") {
            ", AVX2"
        } else {
            ""
        };
        format!("{cpu}{fm}{vec}{cores}")
    }

    /// How `other` differs: (field, self's value, other's value) for each
    /// field both know and that differs.
    pub fn differences(&self, other: &Self) -> Vec<(&'static str, String, String)> {
        self.fields()
            .into_iter()
            .zip(other.fields())
            .filter(|((_, a), (_, b))| !a.is_empty() && !b.is_empty() && a != b)
            .map(|((k, a), (_, b))| (k, a, b))
            .collect()
    }

    /// The fields this machine does not record.
    pub fn unknown(&self) -> Vec<&'static str> {
        self.fields()
            .into_iter()
            .filter(|(_, v)| v.is_empty())
            .map(|(k, _)| k)
            .collect()
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

/// This process's virtual memory size (`VmSize`) [bytes]: what NEST's
/// `memory_size` reports (in kB), which hpc_benchmark.py logs.
pub fn virtual_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmSize:"))?;
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
