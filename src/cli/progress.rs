//! Progress bars on stderr for long runs: one bar per pipeline stage, with
//! its rate and ETA, and a line with each finished stage's time and the
//! process's resident memory then (Linux). Hidden when stderr is not a
//! terminal or with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use newsdup::pipeline::Progress;
use std::fmt::Write;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Draws the pipeline's [`Progress`] with indicatif.
pub struct Bars {
    bar: ProgressBar,
    visible: bool,
    current: Mutex<Option<(&'static str, Instant)>>,
}

impl Bars {
    /// Bars on stderr, unless `quiet` or stderr is not a terminal.
    pub fn new(quiet: bool) -> Bars {
        let visible = !quiet && std::io::stderr().is_terminal();
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        if visible {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        Bars {
            bar,
            visible,
            current: Mutex::new(None),
        }
    }

    /// Runs `f` (which writes to stderr) with the bar cleared meanwhile.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    fn close_stage(&self, current: &mut Option<(&'static str, Instant)>) {
        if let Some((stage, started)) = current.take() {
            if self.visible {
                let rss = resident_mib()
                    .map(|m| format!("  {m:>6} MiB resident"))
                    .unwrap_or_default();
                self.bar
                    .println(format!("{stage:>18}  {:>9.2?}{rss}", started.elapsed()));
            }
        }
    }
}

impl Progress for Bars {
    fn start(&self, stage: &'static str, total: u64) {
        let Ok(mut current) = self.current.lock() else {
            return;
        };
        self.close_stage(&mut current);
        *current = Some((stage, Instant::now()));
        if !self.visible {
            return;
        }
        let template = if total > 0 {
            "{prefix:>18} {wide_bar} {human_pos}/{human_len} {rate} ETA {eta}"
        } else {
            "{prefix:>18} {spinner} {elapsed}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(
                style.with_key("rate", |s: &ProgressState, w: &mut dyn Write| {
                    let _ = write!(w, "{:.0}/s", s.per_sec());
                }),
            );
        }
        self.bar.reset();
        self.bar.set_length(total);
        self.bar.set_prefix(stage);
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            self.close_stage(&mut current);
        }
        self.bar.finish_and_clear();
    }
}

/// Resident memory of this process in MiB (the `VmRSS` line of
/// `/proc/self/status`; `None` where there is none).
fn resident_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
