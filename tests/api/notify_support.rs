//! Real peers for the notification tests (issue 17): an HTTP receiver on loopback that records
//! what it is sent and answers as told, and an SMTP server (`aiosmtpd` from PyPI, installed on
//! first use into the target directory) that writes each message it takes to a folder.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Installs a PyPI package into a folder of the target directory (once per run) and answers
/// the folder, for `PYTHONPATH`.
pub fn pip_target(package: &str, folder: &str, module: &str) -> PathBuf {
    static LOCK: OnceLock<Mutex<()>> = OnceLock::new();
    let _guard = LOCK
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(folder);
    if !dir.join(module).exists() {
        let status = Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(&dir)
            .arg(package)
            .status()
            .expect("python3 runs");
        assert!(status.success(), "pip could not install {package}");
    }
    dir
}

/// One request the receiver took.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

/// How the receiver answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Bytes of answer body.
    pub body_bytes: usize,
    /// Wait before answering.
    pub delay: Duration,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body_bytes: 2,
            delay: Duration::ZERO,
        }
    }
}

/// An HTTP/1.1 receiver on 127.0.0.1.
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    reply: Arc<Mutex<Reply>>,
    /// Answer bytes the client took before it closed the connection.
    written: Arc<std::sync::atomic::AtomicUsize>,
}

impl Receiver {
    pub fn start(reply: Reply) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let reply = Arc::new(Mutex::new(reply));
        let written = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (r, a, w) = (received.clone(), reply.clone(), written.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, a, w) = (r.clone(), a.clone(), w.clone());
                std::thread::spawn(move || {
                    let _ = serve_one(stream, &r, &a, &w);
                });
            }
        });
        Receiver {
            url,
            received,
            reply,
            written,
        }
    }

    pub fn answer(&self, reply: Reply) {
        *self.reply.lock().unwrap_or_else(|p| p.into_inner()) = reply;
    }

    /// Answer body bytes written so far (the kernel's buffers included).
    pub fn written(&self) -> usize {
        self.written.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

fn serve_one(
    stream: TcpStream,
    received: &Mutex<Vec<Received>>,
    reply: &Mutex<Reply>,
    written: &std::sync::atomic::AtomicUsize,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((name, value)) = h.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    received.lock().unwrap_or_else(|p| p.into_inner()).push(Received {
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let reply = reply.lock().unwrap_or_else(|p| p.into_inner()).clone();
    std::thread::sleep(reply.delay);
    let mut stream = stream;
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status, reply.body_bytes
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    let chunk = vec![b'x'; 64 * 1024];
    let mut left = reply.body_bytes;
    while left > 0 {
        let n = left.min(chunk.len());
        if stream.write_all(&chunk[..n]).is_err() {
            break;
        }
        written.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
        left -= n;
    }
    Ok(())
}

/// An SMTP server on 127.0.0.1 (aiosmtpd) that writes each message to `dir`, one file per
/// recipient, and waits `delay` before accepting each (to let a test kill the sender).
pub struct SmtpServer {
    pub url: String,
    pub dir: tempfile::TempDir,
    child: Child,
}

const SMTP_SCRIPT: &str = r#"
import asyncio, os, sys, time
from aiosmtpd.controller import Controller
out, port, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
class Keep:
    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            name = os.path.join(out, f"{rcpt}.{time.time_ns()}.eml")
            with open(name + ".part", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            os.rename(name + ".part", name)
        await asyncio.sleep(delay)
        return "250 Message accepted for delivery"
controller = Controller(Keep(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

impl SmtpServer {
    pub fn start(delay: Duration) -> SmtpServer {
        Self::start_in(tempfile::tempdir().expect("tempdir"), delay)
    }

    /// A server writing to an existing folder (a restart keeps what came before).
    pub fn start_in(dir: tempfile::TempDir, delay: Duration) -> SmtpServer {
        let pythonpath = pip_target("aiosmtpd==1.4.6", "pydeps-aiosmtpd", "aiosmtpd");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new("python3")
            .env("PYTHONPATH", pythonpath)
            .args(["-c", SMTP_SCRIPT])
            .arg(dir.path())
            .arg(port.to_string())
            .arg(delay.as_secs_f64().to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut ready)
            .expect("the SMTP server starts");
        assert_eq!(ready.trim(), "ready");
        SmtpServer {
            url: format!("smtp://127.0.0.1:{port}"),
            dir,
            child,
        }
    }

    /// Messages taken so far, in the order taken: (recipient, text).
    pub fn messages(&self) -> Vec<(String, String)> {
        messages_in(self.dir.path())
    }

    /// Stops the server and hands back its folder.
    pub fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = tempfile::tempdir().expect("tempdir");
        std::mem::replace(&mut self.dir, dir)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn messages_in(dir: &Path) -> Vec<(String, String)> {
    // Named `<recipient>.<nanoseconds>.eml`: in the order taken, per recipient.
    let mut found: Vec<(String, u128, String)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let mut parts = name.rsplitn(3, '.');
                    let _ = parts.next();
                    let at = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
                    let recipient = parts.next().unwrap_or("").to_string();
                    (
                        recipient,
                        at,
                        unfold_quoted_printable(&std::fs::read_to_string(e.path()).unwrap_or_default()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort_by_key(|(_, at, _)| *at);
    found.into_iter().map(|(to, _, text)| (to, text)).collect()
}

/// The text of a quoted-printable message as a reader sees it: soft line breaks joined, `=3D`
/// read as `=` (the digests are ASCII text otherwise).
fn unfold_quoted_printable(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// Whether the Standard Webhooks reference library (PyPI) accepts a delivery.
pub fn verified_by_the_reference_library(
    secret: &str,
    body: &str,
    headers: &HashMap<String, String>,
) -> bool {
    crate::webhook_signature::verified_by_the_reference_library(
        secret,
        body,
        &headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect::<Vec<_>>(),
    )
}
