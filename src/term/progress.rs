//! Progress on standard error (indicatif): a spinner with what is being done and for how
//! long, shown only once a run has taken [`Progress::DELAY`], and only when the command
//! line asks for it (standard error a terminal, not `--quiet`). Nothing reaches a pipe or
//! a CI log. (`PRACTRACE_PROGRESS_DELAY_MS` sets the delay, for tests.)

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner on standard error, cleared when the command is done (or dropped).
pub struct Progress {
    shown: Option<Shown>,
}

struct Shown {
    bar: ProgressBar,
    /// Dropped to wake the waiter before the delay is up.
    stop: mpsc::Sender<()>,
    waiter: std::thread::JoinHandle<()>,
}

impl Progress {
    /// How long a run goes on before the spinner appears: shorter runs show nothing.
    pub const DELAY: Duration = Duration::from_secs(1);

    /// No progress at all.
    pub fn hidden() -> Progress {
        Progress { shown: None }
    }

    /// A spinner saying `message`, drawn on standard error once `delay` has passed (no
    /// delay: no spinner); `ascii` draws it without Unicode.
    pub fn start(delay: Option<Duration>, ascii: bool, message: &str) -> Progress {
        let Some(delay) = delay else {
            return Progress::hidden();
        };
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let mut style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        if ascii {
            style = style.tick_chars("-\\|/ ");
        }
        bar.set_style(style);
        bar.set_message(message.to_string());
        let (stop, stopped) = mpsc::channel::<()>();
        let later = bar.clone();
        let waiter = std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(delay) {
                later.set_draw_target(ProgressDrawTarget::stderr());
                later.enable_steady_tick(Duration::from_millis(100));
            }
        });
        Progress {
            shown: Some(Shown { bar, stop, waiter }),
        }
    }

    /// What is being done now.
    pub fn set_message(&self, message: &str) {
        if let Some(s) = &self.shown {
            s.bar.set_message(message.to_string());
        }
    }

    /// Clears the spinner (before the command prints); a second call does nothing.
    pub fn finish(&mut self) {
        if let Some(Shown { bar, stop, waiter }) = self.shown.take() {
            drop(stop);
            let _ = waiter.join();
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run shorter than the delay never draws: finishing at once returns at once.
    #[test]
    fn a_short_run_shows_nothing_and_does_not_wait() {
        let started = std::time::Instant::now();
        let mut p = Progress::start(Some(Progress::DELAY), true, "scanning");
        p.set_message("rating");
        p.finish();
        p.finish();
        assert!(started.elapsed() < Progress::DELAY);
        let hidden = Progress::hidden();
        hidden.set_message("nothing");
    }
}
