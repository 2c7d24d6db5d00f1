//! Parsers for flag values: durations, sizes, KEY=VALUE pairs. Each error says what was
//! expected, for clap to print next to the flag's name.

use std::time::Duration;

use crate::load::{RateStage, Stage};
use crate::scenario::ThinkTime;
use crate::units::SizeError;

pub use crate::units::parse_duration as duration;

/// A positive duration.
pub fn positive_duration(text: &str) -> Result<Duration, String> {
    let d = duration(text)?;
    if d.is_zero() {
        Err(format!("{text:?} must be longer than zero"))
    } else {
        Ok(d)
    }
}

/// `64MiB`, `512KiB`, `1GiB`, `64M`, or a number of bytes; at least 64 KiB.
pub fn size(text: &str) -> Result<usize, String> {
    match crate::units::parse_size(text) {
        Ok(bytes) if bytes >= 64 * 1024 => Ok(bytes),
        Err(e @ SizeError::NotASize(_)) => Err(e.to_string()),
        Ok(_) | Err(SizeError::TooLarge(_)) => {
            Err(format!("{text:?} is out of range; give at least 64KiB"))
        }
    }
}

/// `KEY=VALUE` for `--env`.
pub fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("{text:?} is not KEY=VALUE")),
    }
}

/// `NAME=FILE` for `--data`: a name a scenario can spell (letters, digits, `-`, `_`).
pub fn data_set(text: &str) -> Result<(String, std::path::PathBuf), String> {
    let expected = || format!("{text:?} is not NAME=FILE; expected e.g. users=users.csv");
    let (name, file) = text.split_once('=').ok_or_else(expected)?;
    if file.is_empty() {
        return Err(expected());
    }
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "{name:?} is not a data set name; use letters, digits, '-' and '_' (users=users.csv)"
        ));
    }
    Ok((name.to_string(), file.into()))
}

/// Users per second for `--spawn-rate`: a positive number.
pub fn rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(format!(
            "{text:?} is not a positive number of users per second"
        )),
    }
}

/// An arrival rate: `1000/s`, `600/m`, `36000/h`, or a bare number per second. `zero_ok`
/// allows 0 (a ramp may go down to nothing).
fn arrival_rate_of(text: &str, zero_ok: bool) -> Result<f64, String> {
    let t = text.trim();
    let (number, per) = match t.split_once('/') {
        Some((n, unit)) => {
            let per = match unit.trim() {
                "s" | "1s" | "sec" => 1.0,
                "m" | "1m" | "min" => 60.0,
                "h" | "1h" => 3600.0,
                _ => {
                    return Err(format!(
                        "{text:?}: unknown time unit {unit:?}; expected a rate like 1000/s, 600/m or 36000/h"
                    ));
                }
            };
            (n.trim(), per)
        }
        None => (t, 1.0),
    };
    match number.parse::<f64>() {
        Ok(n) if n.is_finite() && (n > 0.0 || (zero_ok && n == 0.0)) => Ok(n / per),
        _ => Err(format!(
            "{text:?} is not a {}rate; expected e.g. 1000/s, 600/m or 36000/h",
            if zero_ok { "" } else { "positive " }
        )),
    }
}

/// `--rate 1000/s`: iterations started per second.
pub fn arrival_rate(text: &str) -> Result<f64, String> {
    arrival_rate_of(text, false)
}

/// The value of `--rate-stages`.
#[derive(Debug, Clone, PartialEq)]
pub struct RateStageList(pub Vec<RateStage>);

/// `--rate-stages 30s:100/s,1m:1000/s,10s:0/s`: durations and the rates to reach over them.
pub fn rate_stages(text: &str) -> Result<RateStageList, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim) {
        let expected = || {
            format!(
                "rate stage {part:?} is not DURATION:RATE; expected e.g. --rate-stages 30s:100/s,1m:1000/s"
            )
        };
        let (d, r) = part.split_once(':').ok_or_else(expected)?;
        let duration = positive_duration(d).map_err(|_| expected())?;
        let target = arrival_rate_of(r, true).map_err(|e| format!("rate stage {part:?}: {e}"))?;
        out.push(RateStage { duration, target });
    }
    if out.iter().all(|s| s.target == 0.0) {
        return Err(format!(
            "--rate-stages {text:?} never asks for an iteration; give at least one stage a rate above 0"
        ));
    }
    Ok(RateStageList(out))
}

/// `--wait`: `between(1, 5)`, `constant(2)`, `constant_pacing(1s)`,
/// `constant_throughput(10)` or `none`. Durations are seconds or carry a unit (`500ms`).
pub fn think_time(text: &str) -> Result<ThinkTime, String> {
    let expected = || {
        format!(
            "{text:?} is not a think time; expected between(1, 5), constant(2), constant_pacing(1), constant_throughput(10) or none"
        )
    };
    let t = text.trim();
    if t == "none" {
        return Ok(ThinkTime::None);
    }
    let (kind, rest) = t.split_once('(').ok_or_else(expected)?;
    let args: Vec<&str> = rest
        .strip_suffix(')')
        .ok_or_else(expected)?
        .split(',')
        .map(str::trim)
        .collect();
    let ms = |arg: &str| {
        duration(arg)
            .map(|d| d.as_millis() as u64)
            .map_err(|_| expected())
    };
    match (kind.trim().replace('-', "_").as_str(), args.as_slice()) {
        ("between", [a, b]) => {
            let (min_ms, max_ms) = (ms(a)?, ms(b)?);
            if min_ms > max_ms {
                return Err(format!("{text:?}: the minimum is above the maximum"));
            }
            Ok(ThinkTime::Between { min_ms, max_ms })
        }
        ("constant", [a]) => Ok(ThinkTime::Constant { ms: ms(a)? }),
        ("constant_pacing", [a]) => Ok(ThinkTime::ConstantPacing { ms: ms(a)? }),
        ("constant_throughput", [n]) => match n.parse::<f64>() {
            Ok(per_second) if per_second.is_finite() && per_second > 0.0 => {
                Ok(ThinkTime::ConstantThroughput { per_second })
            }
            _ => Err(expected()),
        },
        _ => Err(expected()),
    }
}

/// The value of `--stages` (a newtype, so clap takes it as one value, not a list of values).
#[derive(Debug, Clone, PartialEq)]
pub struct StageList(pub Vec<Stage>);

/// `--stages 30s:100,1m:100,10s:0`: durations and the VU counts to reach over them.
pub fn stages(text: &str) -> Result<StageList, String> {
    let expected = |part: &str| {
        format!("stage {part:?} is not DURATION:USERS; expected e.g. --stages 30s:100,1m:100,10s:0")
    };
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim) {
        let (d, n) = part.split_once(':').ok_or_else(|| expected(part))?;
        let duration = positive_duration(d).map_err(|_| expected(part))?;
        let target = n.trim().parse::<u32>().map_err(|_| expected(part))?;
        out.push(Stage { duration, target });
    }
    if out.iter().all(|s| s.target == 0) {
        return Err(format!(
            "--stages {text:?} never asks for a user; give at least one stage a count above 0"
        ));
    }
    Ok(StageList(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrival_rates() {
        assert_eq!(arrival_rate("1000/s"), Ok(1000.0));
        assert_eq!(arrival_rate("600/m"), Ok(10.0));
        assert_eq!(arrival_rate("7200/h"), Ok(2.0));
        assert_eq!(arrival_rate("250"), Ok(250.0));
        assert!(arrival_rate("0/s").is_err());
        assert!(
            arrival_rate("10/d")
                .unwrap_err()
                .contains("unknown time unit")
        );
        assert!(arrival_rate("fast").unwrap_err().contains("1000/s"));
        let parsed = rate_stages("30s:100/s, 1m:1000/s,10s:0").unwrap().0;
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[1].target, 1000.0);
        assert_eq!(parsed[2].target, 0.0);
        assert!(rate_stages("30s").unwrap_err().contains("DURATION:RATE"));
        assert!(rate_stages("10s:0/s").unwrap_err().contains("never asks"));
    }

    #[test]
    fn stage_lists() {
        let parsed = stages("30s:100, 1m:100,10s:0").unwrap().0;
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[1].duration, Duration::from_secs(60));
        assert_eq!(parsed[2].target, 0);
        assert!(stages("30s").unwrap_err().contains("DURATION:USERS"));
        assert!(stages("0s:10").is_err());
        assert!(stages("10s:0").unwrap_err().contains("never asks"));
    }

    #[test]
    fn think_times() {
        assert_eq!(think_time("none"), Ok(ThinkTime::None));
        assert_eq!(
            think_time("between(1, 5)"),
            Ok(ThinkTime::Between {
                min_ms: 1000,
                max_ms: 5000
            })
        );
        assert_eq!(
            think_time("constant(500ms)"),
            Ok(ThinkTime::Constant { ms: 500 })
        );
        assert_eq!(
            think_time("constant-pacing(2)"),
            Ok(ThinkTime::ConstantPacing { ms: 2000 })
        );
        assert_eq!(
            think_time("constant_throughput(10)"),
            Ok(ThinkTime::ConstantThroughput { per_second: 10.0 })
        );
        assert!(think_time("between(5, 1)").unwrap_err().contains("above"));
        assert!(think_time("sometimes").is_err());
        assert!(think_time("constant(1, 2)").is_err());
        assert!(think_time("constant_throughput(0)").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(duration("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(duration("2.5"), Ok(Duration::from_millis(2500)));
        assert!(duration("ten").is_err());
        assert!(duration("10x").is_err());
        assert!(duration("").is_err());
        assert!(positive_duration("0s").is_err());
    }

    #[test]
    fn sizes_and_pairs() {
        assert_eq!(size("64MiB"), Ok(64 << 20));
        assert_eq!(size("1G"), Ok(1 << 30));
        assert!(size("12").is_err(), "too small");
        assert!(size("lots").is_err());
        assert_eq!(key_value("A=b=c"), Ok(("A".into(), "b=c".into())));
        assert!(key_value("=x").is_err());
        assert!(rate("0").is_err());
        assert_eq!(rate("2.5"), Ok(2.5));
    }
}
