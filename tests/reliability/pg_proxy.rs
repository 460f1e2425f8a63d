//! A TCP proxy between the server and PostgreSQL that can "go down" (close every proxied
//! connection and close new ones at once) and "come back", so a test can take the database
//! away from one server without stopping the PostgreSQL that other tests share.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Shared {
    up: AtomicBool,
    stopping: AtomicBool,
    /// Both ends of every live proxied connection, to cut them.
    live: Mutex<Vec<TcpStream>>,
}

pub struct PgProxy {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl PgProxy {
    /// Listens on a loopback port and forwards to `upstream`.
    pub fn start(upstream: SocketAddr) -> PgProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let shared = Arc::new(Shared {
            up: AtomicBool::new(true),
            stopping: AtomicBool::new(false),
            live: Mutex::new(Vec::new()),
        });
        let accepting = Arc::clone(&shared);
        std::thread::spawn(move || {
            for incoming in listener.incoming() {
                if accepting.stopping.load(Ordering::Acquire) {
                    return;
                }
                let Ok(client) = incoming else {
                    continue;
                };
                if !accepting.up.load(Ordering::Acquire) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect_timeout(&upstream, Duration::from_secs(5)) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                if let (Ok(c), Ok(s)) = (client.try_clone(), server.try_clone()) {
                    let mut live = accepting.live.lock().unwrap_or_else(|p| p.into_inner());
                    live.push(c);
                    live.push(s);
                }
                pipe(&client, &server);
                pipe(&server, &client);
            }
        });
        PgProxy { addr, shared }
    }

    /// Cuts every proxied connection and refuses new ones until [`PgProxy::come_back`].
    pub fn go_down(&self) {
        self.shared.up.store(false, Ordering::Release);
        let mut live = self.shared.live.lock().unwrap_or_else(|p| p.into_inner());
        for stream in live.drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    pub fn come_back(&self) {
        self.shared.up.store(true, Ordering::Release);
    }
}

impl Drop for PgProxy {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        self.go_down();
        // Wakes the accepting thread so it sees `stopping`.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

/// Copies `from` to `to` on a thread until either side closes.
fn pipe(from: &TcpStream, to: &TcpStream) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    std::thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}
