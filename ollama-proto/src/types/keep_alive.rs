//! `keep_alive`: how long the server keeps a model loaded after a request.
//!
//! Wire forms the server accepts (reference §3.3): a JSON number of seconds (fractions allowed),
//! or a Go duration string (`"300ms"`, `"5m"`, `"1h30m"`, `"0"`); any negative value means
//! "forever", zero means "unload right after this request"; absent means the server default
//! (`OLLAMA_KEEP_ALIVE`, else 5 minutes).
//!
//! This crate **serialises** [`KeepAlive::For`] as a Go duration string in Go's own canonical
//! `time.Duration.String()` form, exactly what the official Go client sends (`"5m0s"`,
//! `"1h30m0s"`, `"1.5s"`, `"300ms"`, `"1µs"`): it is exact to the nanosecond, so a value
//! survives serialise → deserialise unchanged. [`KeepAlive::Forever`] is `-1` and
//! [`KeepAlive::UnloadNow`] is `0`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::time::Duration;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest duration the server can represent (Go's `time.Duration` is `i64` nanoseconds,
/// about 292 years). Longer durations mean [`KeepAlive::Forever`].
const GO_MAX_NANOS: u128 = i64::MAX as u128;

/// How long to keep the model loaded after the request.
///
/// Equality is by meaning: `For(Duration::ZERO)` equals `UnloadNow`, and a duration longer than
/// the server can represent (≈ 292 years) equals `Forever`.
#[derive(Debug, Clone, Copy)]
pub enum KeepAlive {
    /// Keep the model loaded until the server stops (`-1` on the wire).
    Forever,
    /// Unload the model as soon as this request finishes (`0` on the wire).
    UnloadNow,
    /// Keep it loaded this long after the request (a Go duration string on the wire).
    For(Duration),
}

impl KeepAlive {
    /// Keep the model loaded for `secs` seconds.
    pub fn from_secs(secs: u64) -> Self {
        Self::For(Duration::from_secs(secs))
    }

    /// Keep the model loaded for `mins` minutes.
    pub fn from_mins(mins: u64) -> Self {
        Self::For(Duration::from_secs(mins.saturating_mul(60)))
    }

    /// `true` for [`KeepAlive::Forever`] (and durations longer than the server can represent).
    pub fn is_forever(&self) -> bool {
        matches!(self.canonical(), Canonical::Forever)
    }

    /// The duration: `Some(Duration::ZERO)` for [`KeepAlive::UnloadNow`], `None` for forever.
    pub fn duration(&self) -> Option<Duration> {
        match self.canonical() {
            Canonical::Forever => None,
            Canonical::Nanos(n) => Some(Duration::from_nanos(n)),
        }
    }

    fn canonical(&self) -> Canonical {
        match self {
            Self::Forever => Canonical::Forever,
            Self::UnloadNow => Canonical::Nanos(0),
            Self::For(d) => match u64::try_from(d.as_nanos()) {
                Ok(n) if u128::from(n) <= GO_MAX_NANOS => Canonical::Nanos(n),
                _ => Canonical::Forever,
            },
        }
    }

    fn from_nanos(n: u64) -> Self {
        if n == 0 {
            Self::UnloadNow
        } else {
            Self::For(Duration::from_nanos(n))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Canonical {
    Forever,
    Nanos(u64),
}

impl PartialEq for KeepAlive {
    fn eq(&self, other: &Self) -> bool {
        self.canonical() == other.canonical()
    }
}

impl Eq for KeepAlive {}

impl Hash for KeepAlive {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.canonical().hash(state);
    }
}

impl From<Duration> for KeepAlive {
    fn from(d: Duration) -> Self {
        Self::For(d)
    }
}

impl Serialize for KeepAlive {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.canonical() {
            Canonical::Forever => s.serialize_i64(-1),
            Canonical::Nanos(0) => s.serialize_i64(0),
            Canonical::Nanos(n) => s.serialize_str(&go_duration_string(n)),
        }
    }
}

impl<'de> Deserialize<'de> for KeepAlive {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KeepAliveVisitor)
    }
}

struct KeepAliveVisitor;

impl Visitor<'_> for KeepAliveVisitor {
    type Value = KeepAlive;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number of seconds or a Go duration string such as \"5m\"")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeepAlive, E> {
        match u64::try_from(v) {
            Ok(secs) => self.visit_u64(secs),
            Err(_) => Ok(KeepAlive::Forever),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeepAlive, E> {
        let nanos = u128::from(v) * 1_000_000_000;
        Ok(match u64::try_from(nanos) {
            Ok(n) if nanos <= GO_MAX_NANOS => KeepAlive::from_nanos(n),
            _ => KeepAlive::Forever,
        })
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeepAlive, E> {
        // Go: time.Duration(seconds * 1e9), truncating toward zero.
        if v.is_nan() {
            return Err(E::invalid_value(de::Unexpected::Float(v), &self));
        }
        if v < 0.0 {
            return Ok(KeepAlive::Forever);
        }
        let nanos = v * 1e9;
        if nanos >= GO_MAX_NANOS as f64 {
            return Ok(KeepAlive::Forever);
        }
        Ok(KeepAlive::from_nanos(nanos as u64))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<KeepAlive, E> {
        parse_go_duration(v).map_err(|why| E::custom(format_args!("invalid duration {v:?}: {why}")))
    }
}

/// Parses a Go duration string (`time.ParseDuration`): an optional sign, then one or more
/// decimal numbers with a unit (`ns`, `us`/`µs`/`μs`, `ms`, `s`, `m`, `h`); `"0"` needs no unit.
fn parse_go_duration(s: &str) -> Result<KeepAlive, &'static str> {
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(KeepAlive::UnloadNow);
    }
    if rest.is_empty() {
        return Err("empty");
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, after) = rest.split_at(int_len);
        let (frac_part, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                a.split_at(n)
            }
            None => ("", after),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err("expected a number");
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let unit_nanos: u128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err("missing unit"),
            _ => return Err("unknown unit"),
        };
        let mut int_value: u128 = 0;
        for b in int_part.bytes() {
            int_value = int_value * 10 + u128::from(b - b'0');
            if int_value > GO_MAX_NANOS {
                return Err("overflow");
            }
        }
        // Digits past the 18th cannot change the result by a nanosecond.
        let frac_digits = &frac_part[..frac_part.len().min(18)];
        let mut frac_value: u128 = 0;
        for b in frac_digits.bytes() {
            frac_value = frac_value * 10 + u128::from(b - b'0');
        }
        let scale = 10u128.pow(frac_digits.len() as u32);
        total += int_value * unit_nanos + frac_value * unit_nanos / scale;
        if total > GO_MAX_NANOS {
            return Err("overflow");
        }
        rest = after;
    }
    let total = u64::try_from(total).map_err(|_| "overflow")?;
    Ok(if negative && total > 0 {
        KeepAlive::Forever
    } else {
        KeepAlive::from_nanos(total)
    })
}

/// Formats nanoseconds like Go's `time.Duration.String()`.
fn go_duration_string(nanos: u64) -> String {
    const SECOND: u64 = 1_000_000_000;
    if nanos == 0 {
        return "0s".to_owned();
    }
    if nanos < SECOND {
        let (unit, prec) = match nanos {
            n if n < 1_000 => ("ns", 0),
            n if n < 1_000_000 => ("\u{b5}s", 3),
            _ => ("ms", 6),
        };
        return format!("{}{unit}", with_fraction(nanos, prec));
    }
    let secs = nanos / SECOND;
    let mut out = String::new();
    let mins = secs / 60;
    if mins > 0 {
        let hours = mins / 60;
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        out.push_str(&format!("{}m", mins % 60));
    }
    let sub_minute = (secs % 60) * SECOND + nanos % SECOND;
    out.push_str(&with_fraction(sub_minute, 9));
    out.push('s');
    out
}

/// `value / 10^prec` with its fraction, trailing zeros (and a bare `.`) removed.
fn with_fraction(value: u64, prec: u32) -> String {
    let scale = 10u64.pow(prec);
    let (int, frac) = (value / scale, value % scale);
    if frac == 0 {
        return int.to_string();
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    format!("{int}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_like_go() {
        let table = [
            (KeepAlive::from_mins(5), r#""5m0s""#),
            (KeepAlive::from_secs(5400), r#""1h30m0s""#),
            (KeepAlive::from_secs(3600), r#""1h0m0s""#),
            (KeepAlive::from_secs(90), r#""1m30s""#),
            (KeepAlive::For(Duration::from_millis(1500)), r#""1.5s""#),
            (KeepAlive::For(Duration::from_millis(300)), r#""300ms""#),
            (KeepAlive::For(Duration::from_micros(1)), "\"1\u{b5}s\""),
            (
                KeepAlive::For(Duration::from_nanos(1_500)),
                "\"1.5\u{b5}s\"",
            ),
            (KeepAlive::For(Duration::from_nanos(7)), r#""7ns""#),
            (KeepAlive::For(Duration::new(61, 1)), r#""1m1.000000001s""#),
            (KeepAlive::Forever, "-1"),
            (KeepAlive::UnloadNow, "0"),
            (KeepAlive::For(Duration::ZERO), "0"),
            (KeepAlive::For(Duration::from_secs(u64::MAX)), "-1"),
        ];
        for (value, json) in table {
            assert_eq!(serde_json::to_string(&value).unwrap(), json, "{value:?}");
            assert_eq!(
                serde_json::from_str::<KeepAlive>(json).unwrap(),
                value,
                "{json}"
            );
        }
    }

    #[test]
    fn deserialises_server_forms() {
        let table = [
            ("300", KeepAlive::from_secs(300)),
            ("1.5", KeepAlive::For(Duration::from_millis(1500))),
            ("0", KeepAlive::UnloadNow),
            ("0.0", KeepAlive::UnloadNow),
            ("-1", KeepAlive::Forever),
            ("-0.5", KeepAlive::Forever),
            ("1e300", KeepAlive::Forever),
            (r#""5m""#, KeepAlive::from_mins(5)),
            (r#""1h30m""#, KeepAlive::from_secs(5400)),
            (r#""300ms""#, KeepAlive::For(Duration::from_millis(300))),
            (r#""2us""#, KeepAlive::For(Duration::from_micros(2))),
            ("\"2\u{3bc}s\"", KeepAlive::For(Duration::from_micros(2))),
            (r#""0""#, KeepAlive::UnloadNow),
            (r#""0s""#, KeepAlive::UnloadNow),
            (r#""-1s""#, KeepAlive::Forever),
            (r#""-0s""#, KeepAlive::UnloadNow),
            (r#""+1m""#, KeepAlive::from_secs(60)),
            (r#"".5s""#, KeepAlive::For(Duration::from_millis(500))),
            (r#""1.5h""#, KeepAlive::from_secs(5400)),
        ];
        for (json, value) in table {
            assert_eq!(
                serde_json::from_str::<KeepAlive>(json).unwrap(),
                value,
                "{json}"
            );
        }
        for bad in [
            r#""300""#,
            r#""""#,
            r#""5x""#,
            r#""m""#,
            r#"".s""#,
            r#""1s2""#,
            "true",
            r#""9999999999h""#,
        ] {
            assert!(serde_json::from_str::<KeepAlive>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn accessors() {
        assert!(KeepAlive::Forever.is_forever());
        assert_eq!(KeepAlive::UnloadNow.duration(), Some(Duration::ZERO));
        assert_eq!(
            KeepAlive::from_mins(1).duration(),
            Some(Duration::from_secs(60))
        );
        assert_eq!(KeepAlive::Forever.duration(), None);
    }
}
