//! The background spooler: the register hands a job over and goes on; a thread owns the
//! [`PrintQueue`] and the [`Connection`], prints in order, keeps failed jobs for a reprint,
//! and reports each outcome on a channel the UI can watch ("Printer off: receipt kept").

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::transport::{Connection, PrintJob, PrintQueue};

/// What happened to a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintOutcome {
    Printed {
        id: u64,
        label: String,
    },
    /// Still queued; `error` says what to check.
    Kept {
        id: u64,
        label: String,
        error: String,
    },
}

enum Command {
    Print { label: String, bytes: Vec<u8> },
    ReprintAll,
    Stop,
}

/// A print queue running on its own thread.
#[derive(Debug)]
pub struct Spooler {
    tx: Sender<Command>,
    pending: Arc<Mutex<Vec<PrintJob>>>,
    thread: Option<JoinHandle<()>>,
}

impl Spooler {
    /// Starts the spooler for `conn`; outcomes arrive on the returned receiver.
    pub fn start(conn: Connection) -> (Spooler, Receiver<PrintOutcome>) {
        let (tx, rx) = mpsc::channel::<Command>();
        let (out_tx, out_rx) = mpsc::channel();
        let pending = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&pending);
        let thread = std::thread::spawn(move || {
            let mut queue = PrintQueue::new();
            for cmd in rx {
                // (id, label) of every job this command tries.
                let tried: Vec<(u64, String)> = match cmd {
                    Command::Print { label, bytes } => {
                        match queue.print(&conn, label.clone(), bytes) {
                            Ok(id) | Err((id, _)) => vec![(id, label)],
                        }
                    }
                    Command::ReprintAll => {
                        let jobs: Vec<(u64, String)> =
                            queue.pending().map(|j| (j.id, j.label.clone())).collect();
                        let mut tried = Vec::new();
                        for (id, label) in jobs {
                            let failed = queue.reprint(&conn, id).is_err();
                            tried.push((id, label));
                            if failed {
                                break;
                            }
                        }
                        tried
                    }
                    Command::Stop => break,
                };
                let snapshot: Vec<PrintJob> = queue.pending().cloned().collect();
                // Publish the queue before the outcomes, so a caller woken by an outcome
                // sees the queue it describes.
                *shared.lock().unwrap_or_else(PoisonError::into_inner) = snapshot.clone();
                for (id, label) in tried {
                    let outcome = match snapshot.iter().find(|j| j.id == id) {
                        Some(j) => PrintOutcome::Kept {
                            id,
                            label,
                            error: j.last_error.clone().unwrap_or_default(),
                        },
                        None => PrintOutcome::Printed { id, label },
                    };
                    let _ = out_tx.send(outcome);
                }
            }
        });
        (
            Spooler {
                tx,
                pending,
                thread: Some(thread),
            },
            out_rx,
        )
    }

    /// Hands a job to the spooler; returns at once.
    pub fn print(&self, label: impl Into<String>, bytes: Vec<u8>) {
        let _ = self.tx.send(Command::Print {
            label: label.into(),
            bytes,
        });
    }

    /// Asks the spooler to try every kept job again (the cashier pressed "Reprint").
    pub fn reprint_all(&self) {
        let _ = self.tx.send(Command::ReprintAll);
    }

    /// The jobs kept after the last attempt, oldest first.
    pub fn pending(&self) -> Vec<PrintJob> {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Spooler {
    fn drop(&mut self) {
        let _ = self.tx.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
