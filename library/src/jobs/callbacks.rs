//! Worker callbacks reaching the process that waits for them. The remote-gpu backend
//! polls the worker anyway; a verified callback only wakes it early with the result, so a
//! callback that reaches another server process (or none) loses nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use uuid::Uuid;

use crate::jobs::protocol::WorkerJobStatus;

#[derive(Default)]
struct Slot {
    notify: Arc<Notify>,
    status: Option<WorkerJobStatus>,
}

#[derive(Default)]
pub struct CallbackHub {
    waiting: Mutex<HashMap<Uuid, Slot>>,
}

impl CallbackHub {
    /// Starts waiting for job `id`; the returned `Notify` fires on its callback.
    pub fn register(&self, id: Uuid) -> Arc<Notify> {
        let mut w = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        w.entry(id).or_default().notify.clone()
    }

    /// Takes a delivered status, if any.
    pub fn take(&self, id: Uuid) -> Option<WorkerJobStatus> {
        let mut w = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        w.get_mut(&id).and_then(|s| s.status.take())
    }

    pub fn unregister(&self, id: Uuid) {
        let mut w = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        w.remove(&id);
    }

    /// Hands a verified callback to its waiter; `false` when nobody here waits for it.
    pub fn deliver(&self, status: WorkerJobStatus) -> bool {
        let mut w = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        match w.get_mut(&status.job_id) {
            Some(slot) => {
                slot.status = Some(status);
                slot.notify.notify_one();
                true
            }
            None => false,
        }
    }
}
