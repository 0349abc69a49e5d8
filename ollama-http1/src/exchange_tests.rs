#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

//! The read buffer follows the traffic: small for paced lines, grown for a burst, small again
//! after it. Driven over a scripted in-memory socket, without a runtime.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bytes::Bytes;

use super::{Body, Connection, READ_CHUNK, READ_INITIAL, exchange};
use crate::Io;

/// Hands out its pieces one per read (as much of the piece as fits), then the end.
#[derive(Debug)]
struct Script(VecDeque<Vec<u8>>);

impl Io for Script {
    fn poll_read(
        &mut self,
        _: &mut Context<'_>,
        _: Option<Instant>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let Some(piece) = self.0.front_mut() else {
            return Poll::Ready(Ok(0));
        };
        let n = piece.len().min(buf.len());
        buf[..n].copy_from_slice(&piece[..n]);
        piece.drain(..n);
        if piece.is_empty() {
            self.0.pop_front();
        }
        Poll::Ready(Ok(n))
    }

    fn poll_write(
        &mut self,
        _: &mut Context<'_>,
        _: Option<Instant>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(&mut self, _: &mut Context<'_>, _: Option<Instant>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn chunk(line: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", line.len()).into_bytes();
    out.extend_from_slice(line);
    out.extend_from_slice(b"\r\n");
    out
}

/// Completes `future` on its first poll (the script never waits).
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a scripted socket never waits"),
    }
}

/// The next piece of `body` and the read buffer's size after it.
fn next(body: &mut Body<Script>) -> Option<(Vec<u8>, usize)> {
    let mut cx = Context::from_waker(Waker::noop());
    match body.poll_chunk(&mut cx, None) {
        Poll::Ready(Some(Ok(bytes))) => Some((bytes.to_vec(), 0)),
        Poll::Ready(None) => None,
        other => panic!("{other:?}"),
    }
    .map(|(bytes, _)| (bytes, body.conn.buf.len()))
}

#[test]
fn the_read_buffer_grows_for_a_burst_and_shrinks_back_for_paced_lines() {
    let line = |i: usize| format!("{{\"i\":{i},\"pad\":\"{}\"}}\n", "x".repeat(100)).into_bytes();
    let mut pieces = VecDeque::new();
    pieces.push_back(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec());
    // A burst: 400 lines (about 50 KiB) in one piece.
    pieces.push_back((0..400).flat_map(|i| chunk(&line(i))).collect());
    // Then paced: one line per read.
    for i in 400..440 {
        pieces.push_back(chunk(&line(i)));
    }
    pieces.push_back(b"0\r\n\r\n".to_vec());
    let conn = Connection::new(Script(pieces));
    assert_eq!(conn.buf.len(), READ_INITIAL);
    let request = http::Request::post("http://h/api/chat")
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    let mut body = now(exchange(conn, &request, false, None)).unwrap().body;

    let (mut got, mut sizes) = (Vec::new(), Vec::new());
    // Bounded by the script.
    while let Some((bytes, size)) = next(&mut body) {
        got.extend_from_slice(&bytes);
        sizes.push(size);
    }
    let want: Vec<u8> = (0..440).flat_map(line).collect();
    assert_eq!(got, want, "every byte, in order, whatever the buffer size");
    assert_eq!(
        sizes.iter().max(),
        Some(&READ_CHUNK),
        "the burst grew it to the most"
    );
    assert_eq!(
        sizes.last(),
        Some(&READ_INITIAL),
        "paced lines shrank it back"
    );
    assert!(body.out.len() <= READ_INITIAL, "{}", body.out.len());
}
