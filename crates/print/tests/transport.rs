//! Printer connections against real sockets and files: a fake network printer on loopback
//! receives the exact bytes; a printer that is off gives a clear error within the timeout,
//! the job stays queued and prints on reprint; DLE EOT status is read; print to file appends.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread;
use std::time::{Duration, Instant};

use malipo_print::samples::{receipt, SampleSale};
use malipo_print::{receipt_escpos, Connection, Paper, PrintError, PrintQueue, PrinterProfile};

fn job() -> Vec<u8> {
    receipt_escpos(
        &receipt(SampleSale::MpesaStk),
        &PrinterProfile::new(Paper::Mm80),
    )
    .unwrap()
}

/// A fake printer: accepts `jobs` connections and returns what each sent.
fn fake_printer(jobs: usize) -> (SocketAddr, thread::JoinHandle<Vec<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        (0..jobs)
            .map(|_| {
                let (mut s, _) = listener.accept().unwrap();
                let mut buf = Vec::new();
                s.read_to_end(&mut buf).unwrap();
                buf
            })
            .collect()
    });
    (addr, handle)
}

/// A loopback address where nothing listens (bound, then closed).
fn dead_address() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    addr
}

fn quick(addr: SocketAddr) -> Connection {
    Connection::Network {
        addr,
        connect_timeout: Duration::from_millis(500),
        io_timeout: Duration::from_secs(2),
    }
}

#[test]
fn network_printer_receives_the_exact_bytes() {
    let (addr, printer) = fake_printer(1);
    let bytes = job();
    let mut queue = PrintQueue::new();
    queue
        .print(
            &Connection::network(addr),
            "Receipt T1-000123",
            bytes.clone(),
        )
        .unwrap();
    assert_eq!(printer.join().unwrap(), vec![bytes]);
    assert_eq!(queue.pending().count(), 0);
}

#[test]
fn printer_off_gives_a_clear_error_and_the_job_stays_queued_for_reprint() {
    let addr = dead_address();
    let bytes = job();
    let mut queue = PrintQueue::new();
    let started = Instant::now();
    let (id, err) = queue
        .print(&quick(addr), "Receipt T1-000123", bytes.clone())
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the register must not hang"
    );
    assert!(matches!(err, PrintError::Unreachable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&addr.to_string()), "{message}");
    assert!(message.contains("switched on"), "{message}");
    let pending: Vec<_> = queue.pending().collect();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, id);
    assert_eq!(pending[0].attempts, 1);
    assert!(pending[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("did not answer"));

    // Still off: reprinting fails again and keeps the job.
    assert!(queue.reprint(&quick(addr), id).is_err());
    assert_eq!(queue.pending().next().unwrap().attempts, 2);

    // The printer comes back: the same job prints, byte for byte, and leaves the queue.
    let (addr, printer) = fake_printer(1);
    queue.reprint(&quick(addr), id).unwrap();
    assert_eq!(printer.join().unwrap(), vec![bytes]);
    assert_eq!(queue.pending().count(), 0);
    assert!(matches!(
        queue.reprint(&quick(addr), id),
        Err(PrintError::NoSuchJob(_))
    ));
}

#[test]
fn reprint_all_prints_the_backlog_in_order() {
    let dead = quick(dead_address());
    let mut queue = PrintQueue::new();
    for n in 1..=3_u8 {
        assert!(queue
            .print(&dead, format!("job {n}"), vec![0x1B, b'@', n])
            .is_err());
    }
    let (addr, printer) = fake_printer(3);
    assert_eq!(queue.reprint_all(&quick(addr)).unwrap(), 3);
    let got = printer.join().unwrap();
    assert_eq!(
        got,
        vec![
            vec![0x1B, b'@', 1],
            vec![0x1B, b'@', 2],
            vec![0x1B, b'@', 3]
        ]
    );
    assert!(queue.discard(99).is_none());
}

#[test]
fn status_is_read_with_dle_eot() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let printer = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut asked = Vec::new();
        for answer in [0x12_u8, 0x12 | 0x0C] {
            let mut q = [0_u8; 3];
            s.read_exact(&mut q).unwrap();
            asked.extend_from_slice(&q);
            s.write_all(&[answer]).unwrap();
        }
        asked
    });
    let status = quick(addr).status().unwrap();
    assert!(status.online);
    assert!(status.paper_near_end);
    assert!(!status.paper_out);
    assert_eq!(printer.join().unwrap(), vec![0x10, 0x04, 1, 0x10, 0x04, 4]);
    assert!(matches!(
        Connection::File("/dev/null".into()).status(),
        Err(PrintError::StatusUnsupported)
    ));
    assert!(matches!(
        quick(dead_address()).status(),
        Err(PrintError::Unreachable { .. })
    ));
}

#[test]
fn file_and_device_connections() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("receipts.bin");
    let file = Connection::File(path.clone());
    file.send(b"one").unwrap();
    file.send(b"two").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"onetwo");

    // A device file is opened for writing only, never created.
    let device = Connection::Device(dir.path().join("lp0"));
    let err = device.send(b"x").unwrap_err();
    assert!(matches!(err, PrintError::Device { .. }));
    assert!(err.to_string().contains("lp0"), "{err}");
    std::fs::write(dir.path().join("lp0"), b"").unwrap();
    device.send(&job()).unwrap();
    assert_eq!(std::fs::read(dir.path().join("lp0")).unwrap(), job());
}

#[test]
fn spooler_never_blocks_the_register_and_reprints_when_the_printer_is_back() {
    use malipo_print::{PrintOutcome, Spooler};
    let addr = dead_address();
    let (spooler, outcomes) = Spooler::start(quick(addr));
    let started = Instant::now();
    spooler.print("Receipt T1-000123", job());
    assert!(
        started.elapsed() < Duration::from_millis(50),
        "print() must return at once"
    );
    let outcome = outcomes.recv_timeout(Duration::from_secs(5)).unwrap();
    let PrintOutcome::Kept { id, label, error } = outcome else {
        panic!("expected the job to be kept, got {outcome:?}");
    };
    assert_eq!(label, "Receipt T1-000123");
    assert!(error.contains("did not answer"), "{error}");
    assert_eq!(spooler.pending().len(), 1);

    // The printer is switched on at the same address; the cashier presses Reprint.
    let listener = TcpListener::bind(addr).unwrap();
    let printer = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).unwrap();
        buf
    });
    spooler.reprint_all();
    let outcome = outcomes.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        outcome,
        PrintOutcome::Printed {
            id,
            label: "Receipt T1-000123".into()
        }
    );
    assert_eq!(printer.join().unwrap(), job());
    assert!(spooler.pending().is_empty());
}
