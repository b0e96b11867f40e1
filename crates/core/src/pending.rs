//! Work started in the background after a link is out (a thumbnail, the local copy of what was
//! sent), counted so a process that is about to exit can wait for it.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

#[derive(Default)]
pub struct Pending {
    count: AtomicUsize,
    settled: Notify,
}

impl Pending {
    /// One more piece of work running.
    pub fn start(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
    }

    /// One piece done.
    pub fn finish(&self) {
        if self.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.settled.notify_waiters();
        }
    }

    /// Wait until nothing is running (bounded by the caller).
    pub async fn settled(&self) {
        loop {
            let notified = self.settled.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if self.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}
