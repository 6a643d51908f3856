//! `hubsel serve` as a planner's browser and a hostile client reach it:
//! the real binary on a free loopback port, spoken to over plain HTTP/1.1.

// Set-up that cannot go wrong on the shipped data fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// A running `hubsel serve`, stopped when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// The token printed for a non-loopback server.
    token: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubsel"))
        .arg("serve")
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hubsel serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "hubsel serve: http://127.0.0.1:PORT/[?hubsel_token=T] …"
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let rest = url.trim_start_matches("http://");
    let (host, query) = rest.split_once('/').unwrap();
    let token = query.strip_prefix("?hubsel_token=").map(|t| t.to_string());
    Server {
        child,
        addr: host.parse().unwrap(),
        token,
    }
}

/// Status and body of one request (`Connection: close`).
fn request(addr: SocketAddr, method: &str, path: &str, extra: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(600))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> (u16, Vec<u8>) {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a whole response head");
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut body = raw[end + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let eol = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap().trim(), 16)
                .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 4 + size..];
        }
        body = out;
    }
    (status, body)
}

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)))
}

/// The server still answers a good request.
fn still_serving(server: &Server) {
    let (status, body) = request(server.addr, "GET", "/api/base", "", b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(json(&body)["toml"]
        .as_str()
        .unwrap()
        .contains("[[criteria]]"));
}

#[test]
fn path_traversal_is_404_and_reads_nothing() {
    let server = start(&[]);
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/leaflet.js/../../Cargo.toml",
        "/%2e%2e%2fCargo.toml",
        "/web/app.js",
        "/api/../../README.md",
        "/..\\..\\Cargo.toml",
    ] {
        let (status, body) = request(server.addr, "GET", path, "", b"");
        assert_eq!(status, 404, "{path}");
        let text = String::from_utf8_lossy(&body);
        assert!(
            !text.contains("root:") && !text.contains("[workspace]"),
            "{path}: {text}"
        );
    }
    still_serving(&server);
}

#[test]
fn a_100_mb_body_is_413() {
    let server = start(&[]);
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let size = 100 * 1024 * 1024;
    write!(
        s,
        "POST /api/run HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    )
    .unwrap();
    // Read while writing: the server answers without reading the body and
    // may close the connection, so the writes may fail.
    let mut reader = s.try_clone().unwrap();
    let got = std::thread::spawn(move || {
        let mut raw = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&buf[..n]);
        }
        raw
    });
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..100 {
        if s.write_all(&chunk).is_err() {
            break;
        }
    }
    let _ = s.shutdown(std::net::Shutdown::Write);
    let raw = got.join().unwrap();
    let (status, _) = parse_response(&raw);
    assert_eq!(status, 413);
    still_serving(&server);
}

#[test]
fn malformed_json_is_400() {
    let server = start(&[]);
    for body in [
        &b"{not json"[..],
        b"[1, 2",
        b"{\"edits\": {\"weights\": 3}}",
        b"{\"unknown\": 1}",
        b"\xff\xfe",
    ] {
        let (status, reply) = request(server.addr, "POST", "/api/run", "", body);
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(body));
        assert!(json(&reply)["error"].as_str().unwrap().contains("JSON"));
    }
    still_serving(&server);
}

#[test]
fn a_non_reciprocal_ahp_matrix_is_422_with_the_clis_problems() {
    let server = start(&[]);
    let scenario = "name = \"ahp\"\nstrategy = \"score\"\n\n[[criteria]]\nfield = \"classrooms\"\n\n[[criteria]]\nfield = \"teachers\"\n\n[ahp]\ncriteria = [\"classrooms\", \"teachers\"]\nmatrix = [[1, 3], [3, 1]]\n";
    let body = serde_json::json!({"toml": scenario, "file": "ahp.toml"}).to_string();
    let (status, reply) = request(server.addr, "POST", "/api/run", "", body.as_bytes());
    assert_eq!(status, 422);
    let reply = json(&reply);
    let problems = reply["problems"].as_array().unwrap();
    // The CLI prints the same problems for the same file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ahp.toml"), scenario).unwrap();
    let cli = Command::new(env!("CARGO_BIN_EXE_hubsel"))
        .args(["run", "-q", "--scenario", "ahp.toml", "--out", "o"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&cli.stderr);
    assert!(!problems.is_empty());
    for p in problems {
        let line = format!(
            "line {}: `{}`: {}",
            p["line"],
            p["key"].as_str().unwrap(),
            p["message"].as_str().unwrap()
        );
        assert!(stderr.contains(&line), "{line} not in the CLI's\n{stderr}");
    }
    assert!(
        problems
            .iter()
            .any(|p| p["key"] == "ahp.matrix"
                && p["message"].as_str().unwrap().contains("reciprocal"))
    );
    let (status, reply) = request(
        server.addr,
        "POST",
        "/api/ahp",
        "",
        br#"{"matrix": [[1, 3], [3, 1]]}"#,
    );
    assert_eq!(status, 422);
    assert!(json(&reply)["error"]
        .as_str()
        .unwrap()
        .contains("reciprocal"));
    still_serving(&server);
}

/// The hubs, schools and districts layers of a `hubsel run` folder.
fn cli_layers(dir: &Path) -> [Value; 3] {
    ["hubs", "schools", "districts"].map(|l| {
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{l}.geojson"))).unwrap())
            .unwrap()
    })
}

#[test]
fn twenty_concurrent_runs_each_get_their_own_result() {
    let server = start(&[]);
    let base = include_str!("../../../fixtures/scenario-default.toml");
    let scenarios: Vec<String> = (0..20)
        .map(|i| {
            let mut s = base.replace(
                "weight = 0.25",
                &format!("weight = {}", 0.05 * (i + 1) as f64),
            );
            s = s.replace(
                "strategy = \"score\"",
                &format!(
                    "strategy = \"{}\"",
                    ["score", "p-median", "max-cover", "p-center"][i % 4]
                ),
            );
            if i % 5 == 1 {
                s = s.replace("max_travel_minutes = 45.0", "max_travel_minutes = 30.0");
            }
            if i % 5 == 2 {
                s = s.replace(
                    "hubs_per_district = { primary = 1, secondary = 1 }",
                    "hubs_per_district = { primary = 2, secondary = 1 }",
                );
            }
            if i % 7 == 3 {
                // New candidate rules: travel times prepared anew, concurrently.
                s = s.replace("min_students = 120", "min_students = 200");
            }
            s
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let expected: Vec<[Value; 3]> = scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let file = format!("s{i}.toml");
            std::fs::write(dir.path().join(&file), s).unwrap();
            let out = format!("r{i}");
            let o = Command::new(env!("CARGO_BIN_EXE_hubsel"))
                .args([
                    "run",
                    "-q",
                    "--threads",
                    "1",
                    "--scenario",
                    &file,
                    "--out",
                    &out,
                ])
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            cli_layers(&dir.path().join(out))
        })
        .collect();
    let addr = server.addr;
    let handles: Vec<_> = scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let body = serde_json::json!({"toml": s, "file": format!("s{i}.toml")}).to_string();
            std::thread::spawn(move || request(addr, "POST", "/api/run", "", body.as_bytes()))
        })
        .collect();
    let mut distinct = std::collections::BTreeSet::new();
    for (i, h) in handles.into_iter().enumerate() {
        let (status, body) = h.join().unwrap();
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let reply = json(&body);
        let layers = &reply["layers"];
        for (name, cli) in ["hubs", "schools", "districts"].iter().zip(&expected[i]) {
            assert!(
                layers[name] == *cli,
                "scenario {i}: the {name} layer differs from hubsel run's"
            );
        }
        assert_eq!(reply["toml"].as_str().unwrap(), scenarios[i]);
        distinct.insert(layers["hubs"].to_string());
    }
    assert!(
        distinct.len() > 5,
        "the scenarios give different hubs: {}",
        distinct.len()
    );
    still_serving(&server);
}

#[test]
fn a_non_loopback_server_needs_its_token() {
    let server = start(&["--host", "0.0.0.0"]);
    let token = server
        .token
        .clone()
        .expect("a token is printed for a non-loopback address");
    assert!(token.len() >= 32);
    for (path, method) in [
        ("/", "GET"),
        ("/api/base", "GET"),
        ("/api/run", "POST"),
        ("/leaflet.js", "GET"),
    ] {
        let (status, _) = request(server.addr, method, path, "", b"{}");
        assert_eq!(status, 401, "{method} {path} without the token");
        let (status, _) = request(
            server.addr,
            method,
            path,
            "x-hubsel-token: wrong\r\n",
            b"{}",
        );
        assert_eq!(status, 401, "{method} {path} with a wrong token");
    }
    let (status, _) = request(
        server.addr,
        "GET",
        &format!("/?hubsel_token={token}"),
        "",
        b"",
    );
    assert_eq!(status, 200);
    let (status, _) = request(
        server.addr,
        "GET",
        "/api/base",
        &format!("x-hubsel-token: {token}\r\n"),
        b"",
    );
    assert_eq!(status, 200);
    let (status, _) = request(
        server.addr,
        "GET",
        "/leaflet.js",
        &format!("Cookie: hubsel_token={token}\r\n"),
        b"",
    );
    assert_eq!(status, 200);
}

#[test]
fn a_loopback_server_serves_the_page() {
    let server = start(&[]);
    assert!(server.token.is_none());
    let (status, body) = request(server.addr, "GET", "/", "", b"");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("leaflet.js"));
    let (status, body) = request(server.addr, "GET", "/leaflet.js", "", b"");
    assert_eq!(status, 200);
    assert!(body.len() > 100_000);
}

#[test]
fn a_districts_routes_are_hubsel_runs() {
    let server = start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_hubsel"))
        .args(["run", "-q", "--out", "r"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    let cli: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("r/routes.geojson")).unwrap(),
    )
    .unwrap();
    let of = |code: &String| -> Vec<Value> {
        cli["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["properties"]["district"] == code.as_str())
            .cloned()
            .collect()
    };
    let mut codes: Vec<String> = cli["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["district"].as_str().unwrap().to_string())
        .collect();
    codes.dedup();
    assert!(codes.len() > 3);
    for code in [&codes[0], &codes[codes.len() / 2], &codes[codes.len() - 1]] {
        let body = serde_json::json!({ "district": code }).to_string();
        let (status, reply) = request(server.addr, "POST", "/api/routes", "", body.as_bytes());
        assert_eq!(status, 200);
        let reply = json(&reply);
        let want = of(code);
        assert!(!want.is_empty());
        assert_eq!(
            reply["features"].as_array().unwrap(),
            &want,
            "district {code}"
        );
    }
    let (status, _) = request(server.addr, "POST", "/api/routes", "", b"{}");
    assert_eq!(status, 400);
}
