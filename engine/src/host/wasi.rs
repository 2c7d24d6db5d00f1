//! The capability-less WASI 0.2 that some guest runtimes import (componentize-py,
//! componentize-js, Go through the preview1 adapter, C with stdio): enough for them to start
//! and print, nothing that reaches the machine. No preopened directories, an empty
//! environment and argument list, an empty stdin, every socket use denied, clocks no finer
//! than `context` offers, random numbers from the VU's seeded generator, and stdout/stderr
//! written to the run's log under the VU's id. The policy is in `docs/sandbox.md`.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rand::rngs::SmallRng;
use rand::{RngCore, SeedableRng};
use tokio::io::AsyncWrite;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

use super::bindings::types::LogLevel;
use super::log::LogSink;

/// The WASI packages the engine links (each denying what it would reach). A scenario
/// importing another `wasi:` package, such as `wasi:http`, is refused at load time.
const LINKED_PACKAGES: [&str; 6] = [
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:cli/",
    "wasi:filesystem/",
    "wasi:sockets/",
];

/// Whether an import of a component names a WASI interface that the engine links.
pub fn is_linked_wasi(import: &str) -> bool {
    LINKED_PACKAGES.iter().any(|p| import.starts_with(p))
}

/// Adds the sandboxed WASI 0.2 interfaces to the linker. Each VU that uses them gets its own
/// [`WasiSandbox`] (see [`WasiSandbox::new`]), which is where the capabilities are withheld.
pub fn add_to_linker<T: WasiView>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_async(linker)
}

/// One VU's WASI state: the context that says what the guest may do, and its resources
/// (streams, pollables). Only VUs of scenarios that import WASI have one.
pub struct WasiSandbox {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiSandbox {
    /// A context with no capability: the builder's defaults already give no preopens, no
    /// environment, no arguments and a closed stdin; sockets, clocks, random numbers and
    /// output are set here explicitly so that no default can widen them.
    pub fn new(vu_id: u32, seed: u64, run_started: Instant, log: LogSink) -> Self {
        let mut builder = WasiCtx::builder();
        builder
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .socket_addr_check(|_, _| Box::pin(async { false }))
            .wall_clock(MillisecondWallClock)
            .monotonic_clock(RunClock {
                started: run_started,
            })
            // Seeded like `context.random-u64`: from the run's seed and the VU id, so a
            // guest learns nothing from WASI's generators that `context` does not tell it.
            .secure_random(VuRandom::new(seed ^ 0x5EC0_5EC0_5EC0_5EC0))
            .insecure_random(VuRandom::new(seed ^ 0x1A5E_C0DE_1A5E_C0DE))
            .insecure_random_seed(u128::from(seed))
            .stdout(VuLog {
                vu_id,
                log,
                level: LogLevel::Info,
            })
            .stderr(VuLog {
                vu_id,
                log,
                level: LogLevel::Warn,
            });
        Self {
            ctx: builder.build(),
            table: ResourceTable::new(),
        }
    }

    /// The view wasmtime-wasi's host functions work on.
    pub fn view(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// Wall-clock time in whole milliseconds, as `context.unix-time-ms` gives it: a finer clock
/// would be a timer for side channels that the scenario's own interfaces do not offer.
struct MillisecondWallClock;

impl HostWallClock for MillisecondWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Duration::from_millis(since_epoch.as_millis() as u64)
    }
}

/// Nanoseconds since the run started, in whole microseconds, as `context.elapsed-us`.
struct RunClock {
    started: Instant,
}

impl HostMonotonicClock for RunClock {
    fn resolution(&self) -> u64 {
        1_000
    }

    fn now(&self) -> u64 {
        self.started.elapsed().as_micros() as u64 * 1_000
    }
}

/// A VU's seeded generator in the shape wasmtime-wasi wants (rand_core 0.10's `TryRng`).
struct VuRandom(SmallRng);

impl VuRandom {
    fn new(seed: u64) -> Self {
        Self(SmallRng::seed_from_u64(seed))
    }
}

impl rand_core_wasi::TryRng for VuRandom {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.0.next_u32())
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.0.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill_bytes(dst);
        Ok(())
    }
}

/// The guest's stdout or stderr: each line becomes one line of the run's log, tagged with the
/// VU id (stdout at info, stderr at warn), like `context.log`.
#[derive(Clone, Copy)]
struct VuLog {
    vu_id: u32,
    log: LogSink,
    level: LogLevel,
}

impl IsTerminal for VuLog {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for VuLog {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(LineWriter::new(*self))
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(LineWriter::new(*self))
    }
}

/// The longest line kept before it is written out unfinished, so that a guest printing
/// without newlines cannot grow the host's memory.
const MAX_LINE: usize = 4096;

/// Collects bytes into lines and writes each finished line to the log. A partial line is
/// written when the guest flushes the stream or the stream is dropped.
struct LineWriter {
    sink: VuLog,
    line: Vec<u8>,
}

impl LineWriter {
    fn new(sink: VuLog) -> Self {
        Self {
            sink,
            line: Vec::new(),
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.emit();
            } else {
                self.line.push(b);
                if self.line.len() >= MAX_LINE {
                    self.emit();
                }
            }
        }
    }

    fn emit(&mut self) {
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        let text = String::from_utf8_lossy(&self.line);
        self.sink
            .log
            .write(self.sink.vu_id, self.sink.level, text.as_ref());
        self.line.clear();
    }

    fn flush_partial(&mut self) {
        if !self.line.is_empty() {
            self.emit();
        }
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        self.flush_partial();
    }
}

#[wasmtime_wasi::async_trait]
impl OutputStream for LineWriter {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        self.flush_partial();
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(MAX_LINE)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for LineWriter {
    async fn ready(&mut self) {}
}

impl AsyncWrite for LineWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.flush_partial();
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.flush_partial();
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sandboxed_wasi_packages_are_linked() {
        assert!(is_linked_wasi("wasi:cli/stdout@0.2.0"));
        assert!(is_linked_wasi("wasi:sockets/tcp@0.2.3"));
        assert!(!is_linked_wasi("wasi:http/outgoing-handler@0.2.0"));
        assert!(!is_linked_wasi("wasi:keyvalue/store@0.2.0"));
        assert!(!is_linked_wasi("horde:scenario/http@0.1.0"));
    }

    #[test]
    fn clocks_are_no_finer_than_context() {
        let wall = MillisecondWallClock.now();
        assert_eq!(wall.subsec_nanos() % 1_000_000, 0);
        let run = RunClock {
            started: Instant::now(),
        };
        std::thread::sleep(Duration::from_millis(2));
        let now = run.now();
        assert_eq!(now % 1_000, 0);
        assert!(now >= 2_000_000, "{now} ns");
    }

    #[test]
    fn the_same_seed_gives_the_same_random_bytes() {
        use rand_core_wasi::TryRng;
        let (mut a, mut b) = (VuRandom::new(7), VuRandom::new(7));
        let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
        a.try_fill_bytes(&mut x).unwrap();
        b.try_fill_bytes(&mut y).unwrap();
        assert_eq!(x, y);
        assert_ne!(x, [0u8; 32]);
    }

    #[test]
    fn long_output_without_newlines_is_cut_into_bounded_lines() {
        let mut writer = LineWriter::new(VuLog {
            vu_id: 1,
            log: LogSink {
                // Nothing reaches stderr in the test; only the buffering is checked.
                min_level: LogLevel::Error,
            },
            level: LogLevel::Info,
        });
        writer.push(&vec![b'x'; MAX_LINE * 3 + 5]);
        assert_eq!(writer.line.len(), 5);
        writer.push(b"\n");
        assert!(writer.line.is_empty());
    }
}
