//! The live profiling endpoint (`workshop::profiling::Endpoint`, served by
//! `examples/profiling_endpoint.rs`), tested over real HTTP: the server runs in this
//! process on a free port, and each request is written by hand on a `TcpStream`.
//!
//! One test function: pprof-rs has one profiler per process, and the 409 check needs to
//! know that nobody else is holding it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use pprof::protos::{Message, Profile};
use workshop::profiling::Endpoint;

struct Reply {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request on a fresh connection, read until the server closes it.
fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let content_type = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        content_type,
        body,
    }
}

/// tiny_http sends large bodies in chunks (`Transfer-Encoding: chunked`): each chunk is its
/// length in hex, CRLF, the bytes, CRLF; a chunk of length 0 ends the body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let eol = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size");
        let size = std::str::from_utf8(&raw[..eol]).unwrap();
        let size = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16)
            .expect("hex chunk size");
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}

#[test]
fn endpoint_over_http() {
    let endpoint = Endpoint::start("127.0.0.1:0".parse().unwrap(), true).expect("start");
    let addr = endpoint.addr();
    assert!(addr.ip().is_loopback());

    // Bad input: every one answered at once with a status and a one-line reason.
    let bad = [
        (
            "GET",
            "/debug/pprof/profile",
            400,
            "missing query parameter seconds",
        ),
        ("GET", "/debug/pprof/profile?seconds=", 400, "whole number"),
        ("GET", "/debug/pprof/profile?seconds=0", 400, "got 0"),
        ("GET", "/debug/pprof/profile?seconds=-5", 400, "got -5"),
        ("GET", "/debug/pprof/profile?seconds=61", 400, "got 61"),
        (
            "GET",
            "/debug/pprof/profile?seconds=abc",
            400,
            "got \"abc\"",
        ),
        (
            "GET",
            "/debug/pprof/flamegraph?seconds=1.5",
            400,
            "got \"1.5\"",
        ),
        ("GET", "/debug/pprof/flamegraph?secs=1", 400, "missing"),
        ("GET", "/debug/pprof/heap?seconds=1", 404, "not found"),
        ("GET", "/", 404, "not found"),
        ("POST", "/debug/pprof/profile?seconds=1", 405, "use GET"),
    ];
    for (method, target, status, message) in bad {
        let reply = request(addr, method, target);
        println!(
            "{method} {target} -> {} {}",
            reply.status,
            reply.text().trim()
        );
        assert_eq!(reply.status, status, "{method} {target}: {}", reply.text());
        assert!(
            reply.text().contains(message),
            "{target}: {:?}",
            reply.text()
        );
    }
    let index = request(addr, "GET", "/debug/pprof/");
    assert_eq!(index.status, 200);
    assert!(index.text().contains("/debug/pprof/profile?seconds=N"));

    // A profile, and a second request while it is being taken: 409 Conflict.
    let first =
        thread::spawn(move || request(addr, "GET", "/debug/pprof/profile?seconds=1"));
    thread::sleep(Duration::from_millis(300));
    let second = request(addr, "GET", "/debug/pprof/flamegraph?seconds=1");
    println!(
        "concurrent request -> {} {}",
        second.status,
        second.text().trim()
    );
    assert_eq!(second.status, 409, "{}", second.text());
    assert!(second.text().contains("already being taken"));

    let first = first.join().unwrap();
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.content_type, "application/octet-stream");
    let profile = Profile::decode(first.body.as_slice()).expect("a pprof protobuf");
    let samples: i64 = profile.sample.iter().flat_map(|s| s.value.first()).sum();
    println!("profile: {} bytes, {samples} samples", first.body.len());
    assert!(samples > 0, "the workload thread should have been sampled");
    assert!(
        profile.string_table.iter().any(|s| s.contains("is_gopher")),
        "the workload's function is named in the profile"
    );

    // The profiler is free again: the flamegraph is served.
    let svg = request(addr, "GET", "/debug/pprof/flamegraph?seconds=1");
    assert_eq!(svg.status, 200, "{}", svg.text());
    assert_eq!(svg.content_type, "image/svg+xml");
    assert!(svg.text().contains("<svg"), "an SVG");

    // The profiler held by other code in the process (not a request): also 409.
    let held = pprof::ProfilerGuard::new(99).expect("the profiler is free");
    let reply = request(addr, "GET", "/debug/pprof/profile?seconds=1");
    println!(
        "profiler held elsewhere -> {} {}",
        reply.status,
        reply.text().trim()
    );
    assert_eq!(reply.status, 409, "{}", reply.text());
    assert!(reply.text().contains("in use elsewhere"));
    drop(held);

    endpoint.stop();
}
