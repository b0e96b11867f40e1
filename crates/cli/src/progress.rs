//! Progress of a batch on a terminal: one line on stderr ("uploading 3 of 10 · 45 %"), redrawn
//! at most ten times a second and cleared before any other line is printed, so it never mixes
//! with the links (stdout) or the errors. Shown only when stderr is a terminal and the batch is
//! more than a few files or large; plain text, no colours (NO_COLOR holds as it is).

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// More files than this, or a file this large, get a progress line.
const FEW_FILES: usize = 3;
const LARGE_FILE: u64 = 5 * 1024 * 1024;
const REDRAW: Duration = Duration::from_millis(100);

pub struct Meter {
    inputs: usize,
    state: Mutex<State>,
}

struct State {
    /// Bytes sent and to send, per input that started sending.
    sent: Vec<(u64, u64)>,
    done: usize,
    drawn: bool,
    last: Option<Instant>,
}

impl Meter {
    /// A meter for a batch of `inputs` whose local files are `sizes` bytes, when stderr is a
    /// terminal that can redraw a line and the batch is worth one.
    pub fn for_batch(inputs: usize, sizes: impl Iterator<Item = u64>) -> Option<Arc<Meter>> {
        let terminal =
            std::io::stderr().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb");
        let worth = inputs > FEW_FILES || sizes.into_iter().any(|s| s >= LARGE_FILE);
        (terminal && worth).then(|| {
            Arc::new(Meter {
                inputs,
                state: Mutex::new(State {
                    sent: vec![(0, 0); inputs],
                    done: 0,
                    drawn: false,
                    last: None,
                }),
            })
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Bytes of input `index` sent so far.
    pub fn sent(&self, index: usize, sent: u64, total: u64) {
        let mut s = self.state();
        if let Some(slot) = s.sent.get_mut(index) {
            *slot = (sent, total);
        }
        if s.last.is_none_or(|t| t.elapsed() >= REDRAW) {
            self.draw(&mut s);
        }
    }

    /// Input finished (either way); `print` prints its line(s) with the meter out of the way.
    pub fn finished(&self, print: impl FnOnce()) {
        let mut s = self.state();
        Self::clear(&mut s);
        print();
        s.done += 1;
        if s.done < self.inputs {
            self.draw(&mut s);
        }
    }

    fn draw(&self, s: &mut State) {
        let (sent, total) = s.sent.iter().fold((0, 0), |(a, b), (x, y)| (a + x, b + y));
        let percent = (sent * 100).checked_div(total).unwrap_or(0);
        let line = format!("uploading {} of {} · {percent} %", s.done + 1, self.inputs);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line:<40}");
        let _ = err.flush();
        s.drawn = true;
        s.last = Some(Instant::now());
    }

    fn clear(s: &mut State) {
        if s.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{:<40}\r", "");
            let _ = err.flush();
            s.drawn = false;
        }
    }
}
