//! Real servers for the HTTP tests, started on 127.0.0.1 with a free port and stopped when
//! dropped: Debian's nginx (with a configuration the test writes) and tinyproxy, both
//! installed by scripts/test. Each runs in its own temporary directory, as the test's user,
//! in the foreground, so nothing outlives the test.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1 (bound, then released for the server to take).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The test CA, and a server certificate it signed for 127.0.0.1 and localhost (valid to
/// 2126), from engine/src/http/testdata.
pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/http/testdata")
        .join(name)
}

fn program(path: &str, package: &str) -> &'static str {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: install Debian's {package} (scripts/test does)"
    );
    Box::leak(path.to_string().into_boxed_str())
}

/// Waits until something accepts connections on `port`, or fails the test naming `what`.
fn wait_for_port(port: u16, what: &str, child: &mut Child, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{what} exited with {status} before listening: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!(
        "{what} did not listen on 127.0.0.1:{port} within 10 s: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// nginx in the foreground with the test's `server { … }` blocks.
pub struct Nginx {
    child: Child,
    /// Its directory: configuration, logs, and files it serves from `dir/www`.
    pub dir: tempfile::TempDir,
    /// The port written as `{port}` in the configuration.
    pub port: u16,
    /// The port written as `{port2}` (a second listener, such as TLS), if it was used.
    pub port2: u16,
}

impl Nginx {
    /// Starts nginx with `servers`: `server { … }` blocks in which `{port}` is replaced by a
    /// free port, `{port2}` by a second one, `{dir}` by its directory and `{testdata}` by
    /// the folder of the test certificates. Returns once it accepts connections on `{port}`.
    pub fn start(servers: &str) -> Self {
        let nginx = program("/usr/sbin/nginx", "nginx");
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let port2 = free_port();
        std::fs::create_dir_all(dir.path().join("www")).unwrap();
        let servers = servers
            .replace("{port}", &port.to_string())
            .replace("{port2}", &port2.to_string())
            .replace("{dir}", dir.path().to_str().unwrap())
            .replace("{testdata}", testdata("").to_str().unwrap());
        let d = dir.path().display();
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log info;\nevents {{ worker_connections 1024; }}\n\
             http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n\
             proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n\
             uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             default_type application/octet-stream;\n  keepalive_requests 100000;\n{servers}\n}}\n"
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let log = dir.path().join("error.log");
        let mut child = Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf_path)
            .arg("-e")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx starts");
        wait_for_port(port, "nginx", &mut child, &log);
        Nginx {
            child,
            dir,
            port,
            port2,
        }
    }

    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Writes a file nginx serves at `/NAME` (from `{dir}/www`).
    pub fn serve_file(&self, name: &str, contents: &[u8]) {
        std::fs::write(self.dir.path().join("www").join(name), contents).unwrap();
    }

    /// The access log's lines so far (`$request $status` at the end of each, in nginx's
    /// default combined format).
    pub fn access_log(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("access.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Nginx {
    /// The access log once it holds at least `n` lines (nginx logs a request after its
    /// response is sent, so a client can read the log before the line is written), or what
    /// it holds after 5 s.
    pub fn access_log_of(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let log = self.access_log();
            if log.len() >= n || Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// tinyproxy, a forward proxy (plain HTTP forwarding and CONNECT), in the foreground.
pub struct Tinyproxy {
    child: Child,
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl Tinyproxy {
    /// Starts tinyproxy allowing CONNECT to any port (the tests' targets are on free ports).
    pub fn start() -> Self {
        let tinyproxy = program("/usr/bin/tinyproxy", "tinyproxy");
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = dir.path().join("tinyproxy.log");
        let conf = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 60\nLogFile \"{}\"\nLogLevel Info\n\
             MaxClients 200\nAllow 127.0.0.1\nDisableViaHeader Yes\n",
            log.display()
        );
        let conf_path = dir.path().join("tinyproxy.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let mut child = Command::new(tinyproxy)
            .arg("-d")
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tinyproxy starts");
        wait_for_port(port, "tinyproxy", &mut child, &log);
        Tinyproxy { child, dir, port }
    }

    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// tinyproxy's log so far (one line per request it relayed, among others).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("tinyproxy.log")).unwrap_or_default()
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
