//! The server's time limits on clients (set short through the environment): a request head
//! that stalls gets 408 and the connection is closed; an idle kept-alive connection is closed
//! after the keep-alive time. SQLite only: no database is involved. actix-web checks these
//! limits against a clock it updates every 500 ms, so the bounds allow that much early or late.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::server::{Database, Engine, ServerProcess};

fn server_with(env: &[(&str, &str)]) -> (Database, ServerProcess) {
    let db = Database::create(Engine::Sqlite).expect("a SQLite database");
    let server = ServerProcess::start(&db.url, env, db.dir());
    (db, server)
}

/// Reads one response (head and `Content-Length` body) from a kept-alive connection.
fn read_response(stream: &mut TcpStream) -> String {
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&data).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if body.len() >= length {
                return text;
            }
        }
        let n = stream.read(&mut buffer).expect("read the response");
        assert!(n > 0, "the connection closed mid-response: {text}");
        data.extend_from_slice(&buffer[..n]);
    }
}

/// Waits for the server to close the connection; returns how long that took.
fn time_to_close(stream: &mut TcpStream) -> (Duration, Vec<u8>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("set a read timeout");
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!(
                "the connection stayed open {:?} ({e}); received {:?}",
                started.elapsed(),
                String::from_utf8_lossy(&received)
            ),
        }
    }
    (started.elapsed(), received)
}

#[test]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
fn stalled_request_head_gets_408_and_is_closed_within_the_head_timeout() {
    let (_db, server) = server_with(&[("NORMTRACK_REQUEST_HEAD_TIMEOUT_SECS", "2")]);
    let bound = Duration::from_millis(3500);

    // Part of a head, then nothing.
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\nX-Slow: ", server.addr).as_bytes())
        .expect("send part of a head");
    let (took, received) = time_to_close(&mut stream);
    let text = String::from_utf8_lossy(&received);
    eprintln!(
        "stalled head: closed after {:.2} s with {text:?}",
        took.as_secs_f64()
    );
    assert!(text.starts_with("HTTP/1.1 408"), "expected a 408, got {text:?}");
    assert!(
        took >= Duration::from_millis(1400) && took <= bound,
        "closed after {took:?}; the limit is 2 s"
    );

    // A connection that sends nothing at all is closed too.
    let mut silent = TcpStream::connect(server.addr).expect("connect");
    let (took, received) = time_to_close(&mut silent);
    eprintln!(
        "silent connection: closed after {:.2} s with {:?}",
        took.as_secs_f64(),
        String::from_utf8_lossy(&received)
    );
    assert!(took <= bound, "a silent connection stayed open {took:?}");

    // A prompt client is served as usual.
    let mut prompt = TcpStream::connect(server.addr).expect("connect");
    prompt
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr).as_bytes())
        .expect("send a request");
    let response = read_response(&mut prompt);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[test]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
fn idle_keep_alive_connection_is_closed_after_the_keep_alive_time() {
    let (_db, server) = server_with(&[("NORMTRACK_KEEP_ALIVE_SECS", "3")]);
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr);
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream.write_all(request.as_bytes()).expect("first request");
    let first = read_response(&mut stream);
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    // Within the keep-alive time the connection serves another request.
    std::thread::sleep(Duration::from_millis(500));
    stream.write_all(request.as_bytes()).expect("second request");
    let second = read_response(&mut stream);
    assert!(second.starts_with("HTTP/1.1 200"), "kept alive: {second}");
    // Then, idle, it is closed after about the keep-alive time.
    let (took, received) = time_to_close(&mut stream);
    eprintln!(
        "idle kept-alive connection: closed after {:.2} s with {:?}",
        took.as_secs_f64(),
        String::from_utf8_lossy(&received)
    );
    assert!(received.is_empty(), "nothing is sent on an idle close");
    assert!(
        took >= Duration::from_millis(2300) && took <= Duration::from_millis(4500),
        "closed after {took:?}; the keep-alive time is 3 s"
    );
}

#[test]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
fn stalled_request_body_gets_408_problem_within_the_body_timeout() {
    let db = Database::create(Engine::Sqlite).expect("a SQLite database");
    let accounts = crate::server::seed_demo(&db.url);
    let server = ServerProcess::start(&db.url, &[("NORMTRACK_REQUEST_BODY_TIMEOUT_SECS", "2")], db.dir());
    let admin = &accounts["admin"];
    let client = crate::client::Client::new(&format!("http://{}", server.addr), Duration::from_secs(10));
    let token = client.login(&admin.email, &admin.password);

    // The head and part of the body announced, then nothing.
    let body = r#"{"name": "A slow organization", "country": "ZWE", "kind": "worker"}"#;
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .write_all(
            format!(
                "POST /api/v1/organizations HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
                server.addr,
                body.len(),
                &body[..10]
            )
            .as_bytes(),
        )
        .expect("send the head and part of the body");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("set a read timeout");
    let started = Instant::now();
    let response = read_response(&mut stream);
    let took = started.elapsed();
    eprintln!(
        "stalled body: answered after {:.2} s: {response:?}",
        took.as_secs_f64()
    );
    assert!(
        response.starts_with("HTTP/1.1 408"),
        "expected a 408, got {response:?}"
    );
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{response}"
    );
    assert!(
        took >= Duration::from_millis(1500) && took <= Duration::from_millis(4000),
        "answered after {took:?}; the limit is 2 s"
    );

    // Nothing was created, and a prompt client's write goes through.
    let client = client.with_token(&token);
    let listed = client.get_ok("/api/v1/organizations?country=ZWE&per_page=500");
    assert!(!listed.to_string().contains("A slow organization"), "{listed}");
    let created = client
        .post_json(
            "/api/v1/organizations",
            &serde_json::json!({"name": "A prompt organization", "country": "ZWE", "kind": "worker"}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created.status, 201, "{}", created.body);
}
