//! The decoder of `/api/embed` and legacy `/api/embeddings` response bodies: what
//! [`Client::embed`](crate::Client::embed) and
//! [`Client::embeddings`](crate::Client::embeddings) use.
//!
//! An embed body is one JSON object whose bulk is `embeddings`: hundreds to thousands of
//! floats per input. A general-purpose deserializer spends nearly all its time there, parsing
//! each number through `f64` and growing each vector from empty. [`decode_embed`] scans those
//! arrays itself, parses each number with a correctly rounded fast path (falling back to
//! `str::parse` for the rare hard cases), and sizes each vector like the previous one.
//! Everything else — `model`, the metrics, unknown keys of any shape, escaped strings, and the
//! wording of errors about them — goes through serde_json, so key order does not matter and
//! new server fields are skipped.
//!
//! Exactness: every float is the correctly rounded `f32` (`f64` for the legacy `embedding`) of
//! its decimal text, i.e. what `str::parse` gives for the number's text. For the shortest
//! round-trip decimals the server writes, that is also what `serde_json` gives (it rounds
//! through `f64` first). A number out of the float's range (`1e39` as an `f32`) is
//! [`Error::EmbeddingOutOfRange`] naming the vector, the element and the byte: never a silent
//! infinity.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer};

use crate::error::{Error, Position};
use crate::types::{EmbedResponse, EmbeddingsResponse};

/// Decodes an `/api/embed` body: `{"model":…,"embeddings":[[…],…],…}`.
///
/// ```
/// let body = br#"{"model":"all-minilm","embeddings":[[0.1,-2.5e-3],[1,0]],"total_duration":14143917}"#;
/// let v = ollama_proto::embed_decode::decode_embed(body).unwrap();
/// assert_eq!(v.embeddings, vec![vec![0.1_f32, -0.0025], vec![1.0, 0.0]]);
/// assert_eq!(v.total_duration.unwrap().as_nanos(), 14_143_917);
/// ```
///
/// # Errors
/// [`Error::EmbeddingOutOfRange`] for a number outside the `f32` range; [`Error::Json`] (with
/// position and excerpt) for invalid JSON, a missing or mistyped `embeddings` (`null` reads as
/// no vectors), a duplicated known key, or trailing data; [`Error::Utf8`] for invalid UTF-8 in
/// `model` or a key. Never panics.
pub fn decode_embed(body: &[u8]) -> Result<EmbedResponse, Error> {
    Parser { b: body, i: 0 }.body()
}

/// Decodes a legacy `/api/embeddings` body: `{"embedding":[…]}`, each number the correctly
/// rounded `f64` of its text.
///
/// ```
/// let v = ollama_proto::embed_decode::decode_embeddings(br#"{"embedding":[0.5,-1e-3]}"#).unwrap();
/// assert_eq!(v.embedding, vec![0.5, -0.001]);
/// ```
///
/// # Errors
/// As [`decode_embed`], for the one vector `embedding` (its position is vector 0) and the
/// `f64` range.
pub fn decode_embeddings(body: &[u8]) -> Result<EmbeddingsResponse, Error> {
    Parser { b: body, i: 0 }.body()
}

/// A response type this decoder fills.
trait Fields: Default {
    /// The vectors' key, which must be present.
    const REQUIRED: Key;

    /// `true` for the keys this type reads (a second occurrence is an error); the rest are
    /// skipped.
    fn reads(key: Key) -> bool;

    /// Reads the value of `key` (one [`Fields::reads`] accepts) at the parser's cursor.
    fn read(&mut self, key: Key, p: &mut Parser<'_>) -> Result<(), Error>;
}

impl Fields for EmbedResponse {
    const REQUIRED: Key = Key::Embeddings;

    fn reads(key: Key) -> bool {
        !matches!(key, Key::Embedding | Key::Other)
    }

    fn read(&mut self, key: Key, p: &mut Parser<'_>) -> Result<(), Error> {
        match key {
            Key::Embeddings => p.embeddings(&mut self.embeddings)?,
            Key::Model => self.model = p.model()?,
            Key::TotalDuration => self.total_duration = p.serde::<Nanos>()?.0,
            Key::LoadDuration => self.load_duration = p.serde::<Nanos>()?.0,
            Key::PromptEvalCount => {
                self.prompt_eval_count = p
                    .serde::<Option<i64>>()?
                    .and_then(|n| u64::try_from(n).ok());
            }
            Key::Embedding | Key::Other => {
                p.serde::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl Fields for EmbeddingsResponse {
    const REQUIRED: Key = Key::Embedding;

    fn reads(key: Key) -> bool {
        matches!(key, Key::Embedding)
    }

    fn read(&mut self, key: Key, p: &mut Parser<'_>) -> Result<(), Error> {
        match key {
            Key::Embedding => p.nullable_vector(&mut self.embedding, 0),
            _ => p.serde::<IgnoredAny>().map(drop),
        }
    }
}

/// The keys this decoder reads; anything else is skipped.
#[derive(Clone, Copy)]
enum Key {
    Embeddings,
    Embedding,
    Model,
    TotalDuration,
    LoadDuration,
    PromptEvalCount,
    Other,
}

impl Key {
    fn of(name: &[u8]) -> Self {
        match name {
            b"embeddings" => Self::Embeddings,
            b"embedding" => Self::Embedding,
            b"model" => Self::Model,
            b"total_duration" => Self::TotalDuration,
            b"load_duration" => Self::LoadDuration,
            b"prompt_eval_count" => Self::PromptEvalCount,
            _ => Self::Other,
        }
    }

    /// Bit for duplicate detection, and the name for messages.
    fn bit_and_name(self) -> (u8, &'static str) {
        match self {
            Self::Embeddings => (1, "embeddings"),
            Self::Model => (2, "model"),
            Self::TotalDuration => (4, "total_duration"),
            Self::LoadDuration => (8, "load_duration"),
            Self::PromptEvalCount => (16, "prompt_eval_count"),
            Self::Embedding => (32, "embedding"),
            Self::Other => (0, ""),
        }
    }
}

/// A cursor over the body. `i` only moves forward; every read is bounds-checked.
struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn body<T: Fields>(mut self) -> Result<T, Error> {
        let mut out = T::default();
        let mut seen = 0_u8;
        self.ws();
        if self.peek() != Some(b'{') {
            return Err(match self.peek() {
                None => self.error("EOF while parsing a value"),
                Some(_) => {
                    self.serde_error_or::<BTreeMap<String, IgnoredAny>>("expected an object")
                }
            });
        }
        self.i += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
        } else {
            loop {
                let key = self.key()?;
                self.ws();
                self.expect(b':', "expected `:`", "EOF while parsing an object")?;
                self.ws();
                if T::reads(key) {
                    let (bit, name) = key.bit_and_name();
                    if seen & bit != 0 {
                        return Err(self.error(&format!("duplicate field `{name}`")));
                    }
                    seen |= bit;
                    out.read(key, &mut self)?;
                } else {
                    self.serde::<IgnoredAny>()?;
                }
                self.ws();
                match self.peek() {
                    Some(b',') => {
                        self.i += 1;
                        self.ws();
                    }
                    Some(b'}') => {
                        self.i += 1;
                        break;
                    }
                    Some(_) => return Err(self.error("expected `,` or `}`")),
                    None => return Err(self.error("EOF while parsing an object")),
                }
            }
        }
        let (required, name) = T::REQUIRED.bit_and_name();
        if seen & required == 0 {
            return Err(self.error(&format!("missing field `{name}`")));
        }
        self.ws();
        if self.i < self.b.len() {
            return Err(self.error("trailing characters"));
        }
        Ok(out)
    }

    /// `"key"` at the cursor; plain keys are compared in place, escaped ones go to serde_json.
    fn key(&mut self) -> Result<Key, Error> {
        match self.peek() {
            Some(b'"') => {}
            Some(_) => return Err(self.error("key must be a string")),
            None => return Err(self.error("EOF while parsing an object")),
        }
        if let Some(raw) = self.plain_string() {
            let key = Key::of(raw);
            if matches!(key, Key::Other) {
                self.check_utf8(raw)?;
            }
            return Ok(key);
        }
        let name: String = self.serde()?;
        Ok(Key::of(name.as_bytes()))
    }

    /// The string at the cursor (which is at `"`) when it has no escape and no control
    /// character: its raw bytes, with the cursor moved past it. Otherwise `None`, cursor kept.
    fn plain_string(&mut self) -> Option<&'a [u8]> {
        let start = self.i + 1;
        let len = self
            .b
            .get(start..)?
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        let end = start + len;
        if self.b.get(end) != Some(&b'"') {
            return None;
        }
        self.i = end + 1;
        self.b.get(start..end)
    }

    fn check_utf8(&self, raw: &[u8]) -> Result<(), Error> {
        match std::str::from_utf8(raw) {
            Ok(_) => Ok(()),
            Err(e) => {
                // `raw` ends just before the closing quote at `self.i - 1`.
                let at = self.i - 1 - raw.len() + e.valid_up_to();
                Err(Error::Utf8 {
                    at: self.position(at),
                })
            }
        }
    }

    /// `model`: a string or `null` (empty).
    fn model(&mut self) -> Result<String, Error> {
        if self.peek() == Some(b'"') {
            if let Some(raw) = self.plain_string() {
                let raw_len = raw.len();
                return match String::from_utf8(raw.to_vec()) {
                    Ok(s) => Ok(s),
                    Err(e) => Err(Error::Utf8 {
                        at: self.position(self.i - 1 - raw_len + e.utf8_error().valid_up_to()),
                    }),
                };
            }
        }
        Ok(self.serde::<Option<String>>()?.unwrap_or_default())
    }

    /// `embeddings`: an array of arrays of numbers, or `null` (none).
    fn embeddings(&mut self, out: &mut Vec<Vec<f32>>) -> Result<(), Error> {
        if self.null() {
            return Ok(());
        }
        if self.peek() != Some(b'[') {
            return Err(self.serde_error_or::<Vec<Vec<f32>>>("expected an array of arrays"));
        }
        self.i += 1;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        // Vectors of one response have one dimension: size each like the one before.
        let mut dims = 0;
        loop {
            if self.peek() != Some(b'[') {
                return Err(self.serde_error_or::<Vec<f32>>("expected an array of numbers"));
            }
            self.i += 1;
            let mut v = Vec::with_capacity(dims);
            self.vector(&mut v, out.len())?;
            dims = v.len();
            out.push(v);
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                }
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(_) => return Err(self.error("expected `,` or `]`")),
                None => return Err(self.error("EOF while parsing a list")),
            }
        }
    }

    /// `null` at the cursor: moves past it.
    fn null(&mut self) -> bool {
        let found = self.b.get(self.i..).is_some_and(|r| r.starts_with(b"null"));
        if found {
            self.i += 4;
        }
        found
    }

    /// One vector (`[…]`, or `null` for none) at the cursor: the legacy `embedding`.
    fn nullable_vector<F: Float>(&mut self, v: &mut Vec<F>, vector: usize) -> Result<(), Error> {
        if self.null() {
            return Ok(());
        }
        if self.peek() != Some(b'[') {
            return Err(self.serde_error_or::<Vec<f64>>("expected an array of numbers"));
        }
        self.i += 1;
        self.vector(v, vector)
    }

    /// The numbers of vector number `vector`, the cursor just past its `[`.
    fn vector<F: Float>(&mut self, v: &mut Vec<F>, vector: usize) -> Result<(), Error> {
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            let index = v.len();
            v.push(self.number(vector, index)?);
            // The server writes no spaces: try the common case before skipping whitespace.
            let next = match self.peek() {
                Some(c @ (b',' | b']')) => c,
                _ => {
                    self.ws();
                    match self.peek() {
                        Some(c) => c,
                        None => return Err(self.error("EOF while parsing a list")),
                    }
                }
            };
            match next {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b']' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// A JSON number at the cursor (element `index` of vector `vector`), correctly rounded.
    fn number<F: Float>(&mut self, vector: usize, index: usize) -> Result<F, Error> {
        let b = self.b;
        let start = self.i;
        let mut i = start;
        // Signs are random in embeddings: no branch on them.
        let negative = b.get(i) == Some(&b'-');
        i += usize::from(negative);
        // All digits of integer and fraction part, as one integer (exact while ≤ 19 digits).
        let mut mantissa = 0_u64;
        let mut digits = 0_usize;
        match b.get(i) {
            Some(b'0') => {
                i += 1;
                digits += 1;
                if b.get(i).is_some_and(u8::is_ascii_digit) {
                    return Err(self.error_at(i, "invalid number"));
                }
            }
            Some(b'1'..=b'9') => {
                while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                    mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                    digits += 1;
                    i += 1;
                }
            }
            _ => return Err(self.serde_error_or::<f64>("invalid number")),
        }
        let mut exp10 = 0_i64;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac_start = i;
            // Eight digits at a time first: a float32 has 9 significant digits, usually
            // after a `0.` and some zeros, so this takes most of them in one step.
            while let Some(eight) = b.get(i..i + 8).and_then(|s| <[u8; 8]>::try_from(s).ok()) {
                let v = u64::from_le_bytes(eight);
                if !is_eight_digits(v) {
                    break;
                }
                mantissa = mantissa
                    .wrapping_mul(100_000_000)
                    .wrapping_add(eight_digits_value(v));
                i += 8;
            }
            while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                i += 1;
            }
            if i == frac_start {
                return Err(self.error_at(i, "invalid number"));
            }
            digits += i - frac_start;
            exp10 = -((i - frac_start) as i64);
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            let exp_negative = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let exp_start = i;
            let mut e = 0_i64;
            while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                // Saturate: anything this large is out of range or zero anyway.
                e = (e * 10 + i64::from(c - b'0')).min(1 << 20);
                i += 1;
            }
            if i == exp_start {
                return Err(self.error_at(i, "invalid number"));
            }
            exp10 += if exp_negative { -e } else { e };
        }
        self.i = i;
        let magnitude = if mantissa == 0 && digits <= 19 {
            F::ZERO
        } else {
            match F::fast(mantissa, digits, exp10) {
                Some(v) => v,
                None => self.slow(start, i, vector, index)?,
            }
        };
        Ok(magnitude.with_sign(negative))
    }

    /// `str::parse` of the magnitude of the number in `start..end` (already checked to be JSON
    /// number syntax, which `parse` accepts).
    fn slow<F: Float>(
        &self,
        start: usize,
        end: usize,
        vector: usize,
        index: usize,
    ) -> Result<F, Error> {
        let number = self.b.get(start..end).unwrap_or_default();
        let magnitude = number.strip_prefix(b"-").unwrap_or(number);
        let parsed = std::str::from_utf8(magnitude).ok().and_then(F::parse);
        match parsed {
            Some(v) if v.is_finite() => Ok(v),
            Some(_) => Err(Error::EmbeddingOutOfRange {
                at: self.position(start),
                vector,
                index,
                number: String::from_utf8_lossy(number.get(..40).unwrap_or(number)).into_owned(),
                float: F::NAME,
            }),
            None => Err(self.error_at(start, "invalid number")),
        }
    }

    /// Runs serde_json on the value at the cursor and moves past it.
    fn serde<T: DeserializeOwned>(&mut self) -> Result<T, Error> {
        let rest = self.b.get(self.i..).unwrap_or_default();
        let mut values = serde_json::Deserializer::from_slice(rest).into_iter::<T>();
        match values.next() {
            Some(Ok(v)) => {
                self.i += values.byte_offset();
                Ok(v)
            }
            Some(Err(e)) => Err(Error::from_json_line(rest, self.position(self.i), &e)),
            None => Err(self.error_at(self.b.len(), "EOF while parsing a value")),
        }
    }

    /// serde_json's description of what is wrong with the value at the cursor when read as a
    /// `T` (it names what it found and what it expected), or `message` if it has no complaint.
    fn serde_error_or<T: DeserializeOwned>(&mut self, message: &str) -> Error {
        let at = self.i;
        match self.serde::<T>() {
            Err(e) => e,
            Ok(_) => self.error_at(at, message),
        }
    }

    fn expect(&mut self, byte: u8, message: &str, eof: &str) -> Result<(), Error> {
        match self.peek() {
            Some(c) if c == byte => {
                self.i += 1;
                Ok(())
            }
            Some(_) => Err(self.error(message)),
            None => Err(self.error(eof)),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    fn position(&self, index: usize) -> Position {
        let before = self.b.get(..index).unwrap_or(self.b);
        Position {
            line: 1 + memchr::memchr_iter(b'\n', before).count() as u64,
            offset: index as u64,
        }
    }

    fn error(&self, message: &str) -> Error {
        self.error_at(self.i, message)
    }

    fn error_at(&self, index: usize, message: &str) -> Error {
        Error::json_message(self.b, Position { line: 1, offset: 0 }, index, message)
    }
}

/// The float type of a vector's elements: `f32` (`/api/embed`) or `f64` (`/api/embeddings`).
trait Float: Copy {
    /// The type's name, for errors.
    const NAME: &'static str;
    /// Positive zero.
    const ZERO: Self;
    /// `mantissa × 10^exp10` correctly rounded, when that is cheap to get exactly.
    fn fast(mantissa: u64, digits: usize, exp10: i64) -> Option<Self>;
    /// The correctly rounded value of a decimal text (infinite when out of range).
    fn parse(text: &str) -> Option<Self>;
    /// Not infinite (a JSON number is never NaN).
    fn is_finite(self) -> bool;
    /// The value with its sign bit set when `negative` (no branch: signs are random).
    fn with_sign(self, negative: bool) -> Self;
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    const ZERO: Self = 0.0;

    fn fast(mantissa: u64, digits: usize, exp10: i64) -> Option<Self> {
        fast_f32(mantissa, digits, exp10)
    }

    fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }

    fn is_finite(self) -> bool {
        Self::is_finite(self)
    }

    fn with_sign(self, negative: bool) -> Self {
        Self::from_bits(self.to_bits() | u32::from(negative) << 31)
    }
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    const ZERO: Self = 0.0;

    /// Clinger's fast path: the mantissa and the power of ten are exact `f64`s, and one IEEE
    /// operation rounds once.
    fn fast(mantissa: u64, digits: usize, exp10: i64) -> Option<Self> {
        if digits > 19 || mantissa > 1 << 53 || !(-22..=22).contains(&exp10) {
            return None;
        }
        let m = mantissa as Self;
        let p = *POW10.get(usize::try_from(exp10.unsigned_abs()).ok()?)?;
        Some(if exp10 >= 0 { m * p } else { m / p })
    }

    fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }

    fn is_finite(self) -> bool {
        Self::is_finite(self)
    }

    fn with_sign(self, negative: bool) -> Self {
        Self::from_bits(self.to_bits() | u64::from(negative) << 63)
    }
}

/// Exact powers of ten representable in `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `mantissa × 10^exp10` correctly rounded to `f32`, when that is cheap to get exactly.
///
/// Clinger's fast path gives the correctly rounded `f64` `y` (the mantissa and the power of ten
/// are exact `f64`s, and one IEEE operation rounds once). Rounding `y` to `f32` can differ from
/// rounding the exact value only if `y` is exactly halfway between two `f32`s (any such
/// midpoint is an `f64`, so it cannot lie strictly between the exact value and its nearest
/// `f64`); that case is left to the slow path. The range here is always normal `f32`.
fn fast_f32(mantissa: u64, digits: usize, exp10: i64) -> Option<f32> {
    if digits > 19 || mantissa > 1 << 53 || !(-22..=22).contains(&exp10) {
        return None;
    }
    let m = mantissa as f64;
    let y = if exp10 >= 0 {
        m * POW10[exp10 as usize]
    } else {
        m / POW10[exp10.unsigned_abs() as usize]
    };
    // 52 - 23 = 29 low bits of the f64 fraction lie below the f32 precision; halfway is the
    // top one of them set and the rest clear.
    const BELOW_F32: u64 = (1 << 29) - 1;
    if y.to_bits() & BELOW_F32 == 1 << 28 {
        return None;
    }
    Some(y as f32)
}

/// `true` if all eight bytes of `v` (little-endian) are ASCII digits.
fn is_eight_digits(v: u64) -> bool {
    let a = v.wrapping_add(0x4646_4646_4646_4646);
    let b = v.wrapping_sub(0x3030_3030_3030_3030);
    (a | b) & 0x8080_8080_8080_8080 == 0
}

/// The value of eight ASCII digits read little-endian (first digit most significant), with
/// three multiplications instead of a chain of eight.
fn eight_digits_value(v: u64) -> u64 {
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 100 + (1_000_000 << 32);
    const MUL2: u64 = 1 + (10_000 << 32);
    let v = v - 0x3030_3030_3030_3030;
    let v = v * 10 + (v >> 8);
    ((v & MASK).wrapping_mul(MUL1) + ((v >> 16) & MASK).wrapping_mul(MUL2)) >> 32
}

/// A duration as the server writes it: integer nanoseconds, absent, `null` or 0 → `None`
/// (the crate's one rule for metrics, shared with the stream decoder's types).
struct Nanos(Option<Duration>);

impl<'de> Deserialize<'de> for Nanos {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::types::completion::nanos::deserialize(d).map(Self)
    }
}

#[cfg(test)]
mod tests;
