//! Work that must not run on the event loop (a settings file read and
//! written by `agent-hooks -i`): a thread does it and never calls tmux; the
//! event loop picks up its result with a short timer and hands it on.

use std::sync::mpsc::{self, TryRecvError};

use crate::tmux::timer;

/// How often the event loop looks for the result, in seconds.
const POLL: f64 = 0.005;

/// Run `work` on a thread of its own, then `then` with its result on the
/// event loop (`Err` if the thread panicked or could not start).
pub fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    then: impl FnOnce(Result<T, String>) + 'static,
) {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("agent-tmux-io".to_string())
        .spawn(move || {
            let _ = tx.send(work());
        });
    if let Err(e) = spawned {
        then(Err(format!("can't start a thread: {e}")));
        return;
    }
    poll(rx, Box::new(then));
}

fn poll<T: 'static>(rx: mpsc::Receiver<T>, then: Box<dyn FnOnce(Result<T, String>)>) {
    timer::after(POLL, move || match rx.try_recv() {
        Ok(v) => then(Ok(v)),
        Err(TryRecvError::Empty) => poll(rx, then),
        Err(TryRecvError::Disconnected) => then(Err("the file thread failed".to_string())),
    });
}
