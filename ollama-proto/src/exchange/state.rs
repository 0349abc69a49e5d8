//! Where an [`Exchange`](super::Exchange) is: each step of a call with the data that belongs
//! to it, and what the call ended with.

use std::time::{Duration, Instant};

use crate::accumulate::Accumulator;
use crate::client_error::ClientError;
use crate::decoder::{Decoder, StreamKind};
use crate::error::Error;
use crate::pool::AllBusy;

/// How a success body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Read {
    /// An NDJSON stream of this family, handed out event by event.
    Stream(StreamKind),
    /// One body, collected whole ([`SuccessBody::Whole`](crate::request::SuccessBody::Whole)).
    Whole,
    /// One body of NDJSON objects, decoded and merged as it arrives ([`SuccessBody::Merged`](crate::request::SuccessBody::Merged)).
    Merged(StreamKind),
}

/// Where the call is, with what belongs to that step (nothing is reset by hand: a new attempt
/// is a new state).
// The decoder (about 1 KiB) lives inline: one exchange per call, and the state moves only
// at a handful of transitions per call, while a `Box` would cost an allocation per attempt.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(super) enum State {
    Connect {
        fresh: bool,
        /// The client's connection limit was reached: the call waits for a place (what was
        /// busy when it started waiting).
        waiting: Option<AllBusy>,
    },
    SendRequest {
        /// The connection came from a pool.
        reused: bool,
    },
    /// Waiting before the next attempt.
    Backoff(Instant),
    /// A success body is being read.
    Body {
        reading: Reading,
        /// Body bytes received in this attempt.
        received: u64,
    },
    /// A status that is not a success: its body is collected, bounded in size
    /// (`max_error_body`) and in stall time ([`ERROR_BODY_STALL`](super::ERROR_BODY_STALL)).
    ErrorBody {
        status: u16,
        retry_after: Option<Duration>,
        body: Vec<u8>,
        /// When the last bytes arrived (the stall bound runs from here).
        progress: Instant,
        /// The call declared this status an answer ([`SingleCall::status_answer`](crate::request::SingleCall::status_answer)).
        declared: bool,
        /// A 429 that may be retried after this wait, once its body shows it is not a spent
        /// quota ([`usage_limit`](crate::usage_limit)).
        retry: Option<Duration>,
    },
    Finished {
        body_ended: bool,
        outcome: Outcome,
    },
}

/// A success body while it arrives.
// The decoder (about 1 KiB) lives inline: one exchange per call, and the state moves only
// at a handful of transitions per call, while a `Box` would cost an allocation per attempt.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(super) enum Reading {
    /// A stream; `over` once its final object or its error was handed out (then the call is
    /// finished, whatever the body does next).
    Stream { decoder: Decoder, over: bool },
    /// A single body, collected.
    Whole(Vec<u8>),
    /// A single body decoded as it arrives: the merge so far, or the first decoding error.
    Merged {
        decoder: Decoder,
        merged: Result<Accumulator, Error>,
    },
}

/// What the call ended with, until it is taken.
// The decoder (about 1 KiB) lives inline: one exchange per call, and the state moves only
// at a handful of transitions per call, while a `Box` would cost an allocation per attempt.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(super) enum Outcome {
    /// A stream whose body ended: its last events (or its error) are still to be handed out.
    Stream { decoder: Decoder, over: bool },
    /// A single call's whole success body.
    Whole(Vec<u8>),
    /// A single call's merged answer, or where its body failed to decode.
    Merged(Result<Accumulator, Error>),
    /// A status the call declared an answer.
    StatusAnswer(u16),
    /// The call's failure (IO, timeout, status…), `None` once reported.
    Failed(Option<ClientError>),
    /// The answer was taken.
    Taken,
}

/// A placeholder while a state's data moves into the next state.
pub(super) const TAKEN: State = State::Finished {
    body_ended: false,
    outcome: Outcome::Taken,
};

/// Merges every event the decoder has ready; the first error stops the merge.
pub(super) fn merge(decoder: &mut Decoder, merged: &mut Result<Accumulator, Error>) {
    while let Some(event) = decoder.poll_event() {
        match (event, &mut *merged) {
            (Ok(event), Ok(acc)) => acc.push(&event),
            (Err(e), Ok(_)) => *merged = Err(e),
            (_, Err(_)) => {}
        }
    }
}
