//! A scenario that tries to leave the sandbox through WASI, one rule per probe, chosen with
//! `--env PROBE=NAME`: open a file, read the host's environment, open a socket, read stdin,
//! read a clock finer than `context`'s; plus `print` (stdout and stderr) and `random`
//! (WASI's random bytes), whose output the tests read from the run's log. A probe that gets
//! through returns an error naming what leaked, which the tests see as a VU error.
use horde_sdk::prelude::*;
use wasip2::cli::{environment, stderr, stdin, stdout};
use wasip2::clocks::{monotonic_clock, wall_clock};
use wasip2::filesystem::preopens;
use wasip2::io::streams::StreamError;
use wasip2::random::random;
use wasip2::sockets::network::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress};
use wasip2::sockets::{instance_network, ip_name_lookup, tcp_create_socket};

#[derive(Default)]
struct Escaper;

impl Escaper {
    fn on_start(&mut self) -> Result {
        let probe = ctx::env("PROBE").ok_or("set --env PROBE=NAME")?;
        let outcome = match probe.as_str() {
            "open-file" => open_file(),
            "read-environment" => read_environment(),
            "open-socket" => open_socket(),
            "read-stdin" => read_stdin(),
            "clocks" => clocks(),
            "print" => print(),
            "random" => random_bytes(),
            other => return Err(format!("no probe named {other}").into()),
        }?;
        info!("probe {probe}: {outcome}");
        Ok(())
    }

    fn idle(&mut self) -> Result {
        Ok(())
    }
}

/// Every preopened directory is a way to the host's files; there must be none.
fn open_file() -> Result<String> {
    let dirs = preopens::get_directories();
    if let Some((_, path)) = dirs.first() {
        return Err(format!("a preopened directory is visible: {path}").into());
    }
    Ok("no preopened directory".into())
}

fn read_environment() -> Result<String> {
    let vars = environment::get_environment();
    let args = environment::get_arguments();
    let cwd = environment::initial_cwd();
    if !vars.is_empty() || !args.is_empty() || cwd.is_some() {
        let names: Vec<&str> = vars.iter().map(|(k, _)| k.as_str()).collect();
        return Err(format!("host environment visible: {names:?}, args {args:?}, cwd {cwd:?}").into());
    }
    Ok("empty environment, no arguments, no working directory".into())
}

/// Connects to 127.0.0.1:PORT (a listener the test watches) and resolves a name.
fn open_socket() -> Result<String> {
    let port: u16 = ctx::env("PORT").ok_or("set --env PORT=N")?.parse()?;
    let network = instance_network::instance_network();
    let lookup = match ip_name_lookup::resolve_addresses(&network, "localhost") {
        Ok(_) => return Err("a name lookup was allowed".into()),
        Err(code) => format!("{code:?}"),
    };
    let socket = match tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4) {
        Ok(socket) => socket,
        Err(code) => return Ok(format!("create-tcp-socket denied ({code:?}); lookup denied ({lookup})")),
    };
    let address = IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: (127, 0, 0, 1) });
    if let Err(code) = socket.start_connect(&network, address) {
        return Ok(format!("connect denied ({code:?}); lookup denied ({lookup})"));
    }
    socket.subscribe().block();
    match socket.finish_connect() {
        Ok(_) => Err(format!("connected to 127.0.0.1:{port}").into()),
        Err(code) => Ok(format!("connect failed ({code:?}); lookup denied ({lookup})")),
    }
}

fn read_stdin() -> Result<String> {
    match stdin::get_stdin().blocking_read(1024) {
        Ok(bytes) if bytes.is_empty() => Ok("stdin is empty".into()),
        Ok(bytes) => Err(format!("read {} bytes from stdin", bytes.len()).into()),
        Err(StreamError::Closed) => Ok("stdin is closed".into()),
        Err(StreamError::LastOperationFailed(e)) => Ok(format!("stdin failed: {}", e.to_debug_string())),
    }
}

/// `context` tells time in milliseconds (wall) and microseconds (since the run started).
fn clocks() -> Result<String> {
    let wall = wall_clock::resolution();
    let wall_ns = wall.seconds * 1_000_000_000 + u64::from(wall.nanoseconds);
    let mono_ns = monotonic_clock::resolution();
    let now = wall_clock::now();
    if wall_ns < 1_000_000 || mono_ns < 1_000 || now.nanoseconds % 1_000_000 != 0 {
        return Err(format!("a finer clock: wall {wall_ns} ns, monotonic {mono_ns} ns, now {now:?}").into());
    }
    Ok(format!("wall clock in steps of {wall_ns} ns, monotonic in steps of {mono_ns} ns"))
}

fn print() -> Result<String> {
    stdout::get_stdout().blocking_write_and_flush(b"hello from stdout\nsecond line\n")?;
    stderr::get_stderr().blocking_write_and_flush(b"hello from stderr")?;
    Ok("printed".into())
}

fn random_bytes() -> Result<String> {
    let bytes = random::get_random_bytes(16);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("random {hex}"))
}

horde_sdk::scenario! {
    name: "escaper",
    description: "Tries to leave the sandbox through WASI, one probe per run (--env PROBE=NAME).",
    user: Escaper,
    on_start: Escaper::on_start,
    tasks: [idle],
}
