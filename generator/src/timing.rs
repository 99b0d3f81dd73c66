//! How long each stage of a build takes, printed when `PORTAL_TIMINGS` is set (benchmarks).

/// Prints how long each stage took when `PORTAL_TIMINGS` is set (for benchmarking).
pub struct StageTimer {
    last: Option<std::time::Instant>,
}

impl StageTimer {
    pub fn from_env() -> Self {
        StageTimer {
            last: std::env::var_os("PORTAL_TIMINGS").map(|_| std::time::Instant::now()),
        }
    }

    pub fn stage(&mut self, name: &str) {
        if let Some(last) = self.last {
            eprintln!("{name:>22}: {:.2?}", last.elapsed());
            self.last = Some(std::time::Instant::now());
        }
    }
}
