//! Printer connections — network (raw TCP, port 9100), a device file (USB/serial, e.g.
//! `/dev/usb/lp0`) and a plain file (tests, "print to file") — the DLE EOT status check, and
//! the print queue: a job that fails stays queued with its error and can be reprinted, so a
//! dead printer never loses a receipt and never holds up the register (every network step
//! has a timeout; the engine runs the queue off the register's thread).

use std::collections::VecDeque;
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use crate::PrintError;

/// Where a printer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// A network printer's raw port (usually 9100).
    Network {
        addr: SocketAddr,
        connect_timeout: Duration,
        io_timeout: Duration,
    },
    /// A device file: `/dev/usb/lp0`, `/dev/ttyUSB0`, a Windows printer share.
    Device(PathBuf),
    /// A plain file; each job is appended.
    File(PathBuf),
}

/// What a printer says about itself (DLE EOT 1 and DLE EOT 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrinterStatus {
    pub online: bool,
    pub paper_near_end: bool,
    pub paper_out: bool,
}

impl Connection {
    /// A network printer at `addr` with 3 s to connect and 5 s per read or write.
    pub fn network(addr: SocketAddr) -> Connection {
        Connection::Network {
            addr,
            connect_timeout: Duration::from_secs(3),
            io_timeout: Duration::from_secs(5),
        }
    }

    /// Sends one job's bytes.
    pub fn send(&self, bytes: &[u8]) -> Result<(), PrintError> {
        match self {
            Connection::Network {
                addr,
                connect_timeout,
                io_timeout,
            } => {
                let mut s = open_tcp(addr, *connect_timeout, *io_timeout)?;
                s.write_all(bytes).and_then(|()| s.flush()).map_err(|e| {
                    PrintError::WriteFailed {
                        reason: e.to_string(),
                    }
                })?;
                // Half-close so the printer sees the end of the job.
                let _ = s.shutdown(std::net::Shutdown::Write);
                Ok(())
            }
            Connection::Device(path) => {
                let mut f = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| device_error(path, &e))?;
                f.write_all(bytes)
                    .and_then(|()| f.flush())
                    .map_err(|e| PrintError::WriteFailed {
                        reason: e.to_string(),
                    })
            }
            Connection::File(path) => {
                let mut f = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| device_error(path, &e))?;
                f.write_all(bytes).map_err(|e| PrintError::WriteFailed {
                    reason: e.to_string(),
                })
            }
        }
    }

    /// Asks the printer for its status (DLE EOT 1: online; DLE EOT 4: paper). Only network
    /// printers answer on a connection Malipo can read with a timeout.
    pub fn status(&self) -> Result<PrinterStatus, PrintError> {
        let Connection::Network {
            addr,
            connect_timeout,
            io_timeout,
        } = self
        else {
            return Err(PrintError::StatusUnsupported);
        };
        let mut s = open_tcp(addr, *connect_timeout, *io_timeout)?;
        let mut ask = |n: u8| -> Result<u8, PrintError> {
            s.write_all(&[0x10, 0x04, n])
                .map_err(|e| PrintError::WriteFailed {
                    reason: e.to_string(),
                })?;
            let mut b = [0_u8];
            s.read_exact(&mut b).map_err(|e| PrintError::Unreachable {
                addr: addr.to_string(),
                reason: format!("no status answer: {e}"),
            })?;
            Ok(b[0])
        };
        let printer = ask(1)?;
        let paper = ask(4)?;
        Ok(PrinterStatus {
            online: printer & 0x08 == 0,
            paper_near_end: paper & 0x0C != 0,
            paper_out: paper & 0x60 != 0,
        })
    }
}

fn open_tcp(
    addr: &SocketAddr,
    connect_timeout: Duration,
    io_timeout: Duration,
) -> Result<TcpStream, PrintError> {
    let unreachable = |e: std::io::Error| PrintError::Unreachable {
        addr: addr.to_string(),
        reason: e.to_string(),
    };
    let s = TcpStream::connect_timeout(addr, connect_timeout).map_err(unreachable)?;
    s.set_write_timeout(Some(io_timeout)).map_err(unreachable)?;
    s.set_read_timeout(Some(io_timeout)).map_err(unreachable)?;
    Ok(s)
}

fn device_error(path: &std::path::Path, e: &std::io::Error) -> PrintError {
    PrintError::Device {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// One print job waiting in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    pub id: u64,
    /// What it is, for the reprint list: `Receipt T1-000123`.
    pub label: String,
    pub bytes: Vec<u8>,
    pub attempts: u32,
    /// The last failure, as shown to the cashier.
    pub last_error: Option<String>,
}

/// Jobs that have not printed yet. A job leaves the queue only once the printer took it.
#[derive(Debug, Default)]
pub struct PrintQueue {
    jobs: VecDeque<PrintJob>,
    next_id: u64,
}

impl PrintQueue {
    /// An empty queue.
    pub fn new() -> PrintQueue {
        PrintQueue::default()
    }

    /// Queues a job and tries it once. On failure the job stays queued (see [`pending`]) and
    /// the error says what to check; the returned id reprints it.
    ///
    /// [`pending`]: PrintQueue::pending
    pub fn print(
        &mut self,
        conn: &Connection,
        label: impl Into<String>,
        bytes: Vec<u8>,
    ) -> Result<u64, (u64, PrintError)> {
        self.next_id += 1;
        let id = self.next_id;
        self.jobs.push_back(PrintJob {
            id,
            label: label.into(),
            bytes,
            attempts: 0,
            last_error: None,
        });
        self.reprint(conn, id).map(|()| id).map_err(|e| (id, e))
    }

    /// Tries queued job `id` again; it leaves the queue when it prints.
    pub fn reprint(&mut self, conn: &Connection, id: u64) -> Result<(), PrintError> {
        let pos = self
            .jobs
            .iter()
            .position(|j| j.id == id)
            .ok_or(PrintError::NoSuchJob(id))?;
        let job = &mut self.jobs[pos];
        job.attempts += 1;
        match conn.send(&job.bytes) {
            Ok(()) => {
                tracing::info!(job = id, label = %job.label, "printed");
                self.jobs.remove(pos);
                Ok(())
            }
            Err(e) => {
                tracing::warn!(job = id, label = %job.label, error = %e, "print failed; job kept");
                job.last_error = Some(e.to_string());
                Err(e)
            }
        }
    }

    /// Tries every queued job in order, stopping at the first failure (the printer is
    /// still off). Returns how many printed.
    pub fn reprint_all(&mut self, conn: &Connection) -> Result<usize, PrintError> {
        let ids: Vec<u64> = self.jobs.iter().map(|j| j.id).collect();
        let mut printed = 0;
        for id in ids {
            self.reprint(conn, id)?;
            printed += 1;
        }
        Ok(printed)
    }

    /// The jobs still waiting, oldest first.
    pub fn pending(&self) -> impl Iterator<Item = &PrintJob> {
        self.jobs.iter()
    }

    /// Drops a job the cashier no longer wants.
    pub fn discard(&mut self, id: u64) -> Option<PrintJob> {
        let pos = self.jobs.iter().position(|j| j.id == id)?;
        self.jobs.remove(pos)
    }
}
