//! What only a blocking client has to get right: an async tool handler that really waits
//! parks the thread (no spinning) until its waker runs; a client shared by threads; streams
//! as fused iterators; deadlines kept by socket waits, not by a timer thread.
#![allow(clippy::unwrap_used)]

use std::future::poll_fn;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::Poll;
use std::time::{Duration, Instant};

use ollama_blocking::{ChatRequest, Client, JsonSchema, Message, OwnedEvent, Toolbox, schemars};
use ollama_proto::deadline::TimeoutKind;
use serde::Deserialize;
use testkit::conformance::{config_for, hello, recorded_chat};
use testkit::{JSON_UTF8, Reply, TestServer};

const GEMMA_HELLO: &str = "lcg-chat-stream-gemma3-hello.ndjson";

/// Waits the given milliseconds.
#[derive(Deserialize, JsonSchema)]
struct Wait {
    ms: u64,
}

/// The handler's future is `Pending` until a thread wakes it 100 ms later: the call parks,
/// polls the handler a handful of times (not thousands), and finishes the tool run.
#[test]
fn a_waiting_async_handler_parks_the_thread() {
    let server = TestServer::start();
    let call = serde_json::json!({"model": "m", "message": {"role": "assistant", "content": "",
        "tool_calls": [{"function": {"name": "wait", "arguments": {"ms": 100}}}]}, "done": true});
    let answer = serde_json::json!({"model": "m", "message": {"role": "assistant",
        "content": "waited"}, "done": true});
    server.push_reply(Reply::body(200, JSON_UTF8, call.to_string()));
    server.push_reply(Reply::body(200, JSON_UTF8, answer.to_string()));
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&polls);
    let toolbox = Toolbox::new().tool(move |w: Wait| {
        let counter = Arc::clone(&counter);
        let done = Arc::new(AtomicBool::new(false));
        let mut waker_thread = None;
        async move {
            poll_fn(|cx| {
                counter.fetch_add(1, Ordering::Relaxed);
                if done.load(Ordering::Acquire) {
                    return Poll::Ready(());
                }
                if waker_thread.is_none() {
                    let (waker, done) = (cx.waker().clone(), Arc::clone(&done));
                    waker_thread = Some(std::thread::spawn(move || {
                        std::thread::sleep(Duration::from_millis(w.ms));
                        done.store(true, Ordering::Release);
                        waker.wake();
                    }));
                }
                Poll::Pending
            })
            .await;
            Ok::<_, std::io::Error>(format!("waited {} ms", w.ms))
        }
    });
    let client = Client::new(config_for(&server)).unwrap();
    let started = Instant::now();
    let request = ChatRequest::new("m", [Message::user("wait")]);
    let run = client.run_tools(request, &toolbox).unwrap();
    assert_eq!(run.content(), "waited");
    assert_eq!(run.turns[0].results[0].content, "waited 100 ms");
    assert!(started.elapsed() >= Duration::from_millis(100));
    let polls = polls.load(Ordering::Relaxed);
    assert!(
        (2..=10).contains(&polls),
        "parked, not spinning: {polls} polls"
    );
}

/// One client, four threads, streams and single answers at once: every call is whole, and
/// the pool never holds more connections than calls ran at the same time.
#[test]
fn one_client_serves_several_threads() {
    let server = TestServer::start();
    let client = Client::new(config_for(&server)).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                for _ in 0..3 {
                    let events: Vec<_> = client
                        .chat_stream(recorded_chat(GEMMA_HELLO))
                        .unwrap()
                        .collect::<Result<_, _>>()
                        .unwrap();
                    assert!(matches!(events.last(), Some(OwnedEvent::Done(_))));
                    assert_eq!(client.version().unwrap().version, testkit::VERSION);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(server.requests().len(), 24);
    assert!(
        server.connections_accepted() <= 4,
        "{}",
        server.connections_accepted()
    );
}

/// After its final event a stream yields `None`, and keeps doing so.
#[test]
fn a_stream_is_a_fused_iterator() {
    let server = TestServer::start();
    let client = Client::new(config_for(&server)).unwrap();
    let mut stream = client.chat_stream(recorded_chat(GEMMA_HELLO)).unwrap();
    let n = stream.by_ref().count();
    assert!(n > 2, "{n} events");
    assert!(stream.next().is_none());
    assert!(stream.next().is_none());
}

/// A stalled body ends at the idle deadline, within the socket wait's precision: the wait is
/// on the socket, bounded by the deadline, not a poll loop.
#[test]
fn an_idle_timeout_ends_the_socket_wait_on_time() {
    let server = TestServer::start();
    let line = r#"{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"tok "},"done":false}"#;
    server.push_reply(Reply::endless_stream(line, Duration::from_secs(3)));
    let config = config_for(&server).idle_timeout(Duration::from_millis(200));
    let client = Client::new(config).unwrap();
    let mut stream = client.chat_stream(hello()).unwrap();
    let started = Instant::now();
    let mut events = 0;
    let failure = loop {
        match stream.next().unwrap() {
            Ok(_) => events += 1,
            Err(e) => break e,
        }
    };
    let waited = started.elapsed();
    assert!(
        matches!(&failure, ollama_blocking::Error::Timeout(t) if t.kind == TimeoutKind::Idle),
        "{failure:?}"
    );
    assert!(events <= 1, "{events}");
    assert!(
        waited >= Duration::from_millis(190) && waited < Duration::from_millis(1000),
        "{waited:?}"
    );
}
