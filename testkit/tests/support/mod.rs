//! A deliberately small HTTP/1.1 client over `std::net::TcpStream`, so the tests see the server's
//! bytes exactly (chunk boundaries included) without an HTTP client crate.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use testkit::TestServer;

/// How a response body ended.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// Properly delimited (terminal chunk, full Content-Length, or EOF for close-delimited).
    Complete,
    /// The connection closed before the body was complete.
    Eof,
    /// A read failed before the body was complete.
    Error(io::ErrorKind),
}

#[derive(Debug)]
pub struct Head {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn chunked(&self) -> bool {
        self.header("transfer-encoding") == Some("chunked")
    }
}

#[derive(Debug)]
pub struct Response {
    pub head: Head,
    /// The de-chunked body (whatever arrived).
    pub body: Vec<u8>,
    /// Each HTTP chunk's data, for chunked bodies.
    pub chunks: Vec<Vec<u8>>,
    pub end: End,
}

impl Response {
    pub fn status(&self) -> u16 {
        self.head.status
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.header(name)
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

/// One chunk read from a chunked body.
#[derive(Debug, PartialEq, Eq)]
pub enum Chunk {
    Data(Vec<u8>),
    /// The terminal chunk (and trailers) were read.
    Last,
    /// EOF or error; the partial data of the current chunk, if any.
    Broken(Vec<u8>, End),
}

pub struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(server: &TestServer) -> Self {
        let stream = TcpStream::connect(server.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Self {
            reader: BufReader::new(stream),
        }
    }

    pub fn stream(&self) -> &TcpStream {
        self.reader.get_ref()
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.reader.get_mut().write_all(bytes).unwrap();
    }

    /// Sends a request with `Host` and (for a body or POST) `Content-Length`.
    pub fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) {
        let mut out = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (name, value) in headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            out.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(body);
        self.send_raw(&bytes);
    }

    /// Sends, then reads the whole response.
    pub fn request(&mut self, method: &str, path: &str, body: &[u8]) -> Response {
        self.send(method, path, &[], body);
        self.read_response(method == "HEAD")
    }

    pub fn read_head(&mut self) -> Head {
        let status_line = self.read_line().expect("status line");
        let mut parts = status_line.splitn(3, ' ');
        assert_eq!(parts.next(), Some("HTTP/1.1"), "{status_line:?}");
        let status = parts.next().unwrap().parse().unwrap();
        let mut headers = Vec::new();
        loop {
            let line = self.read_line().expect("header line");
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        Head { status, headers }
    }

    /// Reads one chunk of a chunked body.
    pub fn read_chunk(&mut self) -> Chunk {
        let size_line = match self.read_line() {
            Ok(line) => line,
            Err(end) => return Chunk::Broken(Vec::new(), end),
        };
        let size = usize::from_str_radix(size_line.split(';').next().unwrap().trim(), 16)
            .unwrap_or_else(|_| panic!("bad chunk size line {size_line:?}"));
        if size == 0 {
            loop {
                match self.read_line() {
                    Ok(line) if line.is_empty() => return Chunk::Last,
                    Ok(_) => {}
                    Err(end) => return Chunk::Broken(Vec::new(), end),
                }
            }
        }
        let (data, end) = self.read_up_to(size);
        if end != End::Complete {
            return Chunk::Broken(data, end);
        }
        match self.read_line() {
            Ok(line) if line.is_empty() => Chunk::Data(data),
            Ok(line) => panic!("chunk data not followed by CRLF: {line:?}"),
            Err(end) => Chunk::Broken(data, end),
        }
    }

    pub fn read_response(&mut self, head_only: bool) -> Response {
        let head = self.read_head();
        let mut body = Vec::new();
        let mut chunks = Vec::new();
        let no_body = head_only || head.status == 204 || head.status == 304;
        let end = if no_body {
            End::Complete
        } else if head.chunked() {
            loop {
                match self.read_chunk() {
                    Chunk::Data(data) => {
                        body.extend_from_slice(&data);
                        chunks.push(data);
                    }
                    Chunk::Last => break End::Complete,
                    Chunk::Broken(data, end) => {
                        body.extend_from_slice(&data);
                        break end;
                    }
                }
            }
        } else if let Some(length) = head.header("content-length") {
            let (data, end) = self.read_up_to(length.parse().unwrap());
            body = data;
            end
        } else {
            let mut data = Vec::new();
            match self.reader.read_to_end(&mut data) {
                Ok(_) => {
                    body = data;
                    End::Complete
                }
                Err(err) => End::Error(err.kind()),
            }
        };
        Response {
            head,
            body,
            chunks,
            end,
        }
    }

    /// Whether the server closed the connection (EOF or reset) rather than leaving it open.
    pub fn at_eof(&mut self) -> bool {
        let mut byte = [0u8; 1];
        match self.reader.read(&mut byte) {
            Ok(0) => true,
            Ok(_) => false,
            Err(err) => err.kind() == io::ErrorKind::ConnectionReset,
        }
    }

    fn read_up_to(&mut self, n: usize) -> (Vec<u8>, End) {
        let mut data = Vec::with_capacity(n.min(1 << 20));
        let mut buf = [0u8; 8192];
        while data.len() < n {
            let want = (n - data.len()).min(buf.len());
            match self.reader.read(&mut buf[..want]) {
                Ok(0) => return (data, End::Eof),
                Ok(got) => data.extend_from_slice(&buf[..got]),
                Err(err) => return (data, End::Error(err.kind())),
            }
        }
        (data, End::Complete)
    }

    /// One CRLF-terminated line without the CRLF.
    fn read_line(&mut self) -> Result<String, End> {
        let mut line = Vec::new();
        match self.reader.read_until(b'\n', &mut line) {
            Ok(0) => Err(End::Eof),
            Ok(_) if line.ends_with(b"\r\n") => {
                line.truncate(line.len() - 2);
                Ok(String::from_utf8(line).unwrap())
            }
            Ok(_) => Err(End::Eof),
            Err(err) => Err(End::Error(err.kind())),
        }
    }
}
