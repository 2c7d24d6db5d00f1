//! Durations and sizes as people write them (`1m30s`, `500ms`, `64MiB`): one reading for the
//! flags and for the thresholds' `delayAbortEval`. A leaf: it uses nothing of the crate.

use std::time::Duration;

/// `15s`, `1m30s`, `2h`, `500ms`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let expected = || format!("{text:?} is not a duration; expected e.g. 30s, 1m30s, 2h or 500ms");
    if t.is_empty() {
        return Err(expected());
    }
    if let Ok(secs) = t.parse::<f64>() {
        return if secs.is_finite() && secs >= 0.0 {
            Ok(Duration::from_secs_f64(secs))
        } else {
            Err(expected())
        };
    }
    let mut total = Duration::ZERO;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(expected)?;
        if digits == 0 {
            return Err(expected());
        }
        let value: f64 = rest[..digits].parse().map_err(|_| expected())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(expected()),
        };
        rest = &rest[unit_len..];
        total += Duration::from_secs_f64(value * unit);
    }
    Ok(total)
}

/// Why a size could not be read. The caller that has a lower bound says so in its own words
/// for `TooLarge` too, so it matches the variants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    #[error("{0:?} is not a size; expected e.g. 64MiB, 512KiB or 1GiB")]
    NotASize(String),
    #[error("{0:?} is out of range")]
    TooLarge(String),
}

/// `64MiB`, `512KiB`, `1GiB`, `64M`, or a number of bytes (K, M and G are powers of 1024).
pub fn parse_size(text: &str) -> Result<usize, SizeError> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let not_a_size = || SizeError::NotASize(text.to_string());
    let n: usize = t[..split].parse().map_err(|_| not_a_size())?;
    let unit = match t[split..].trim() {
        "" | "B" => 1,
        "K" | "KiB" | "KB" | "k" => 1 << 10,
        "M" | "MiB" | "MB" => 1 << 20,
        "G" | "GiB" | "GB" => 1 << 30,
        _ => return Err(not_a_size()),
    };
    n.checked_mul(unit)
        .ok_or_else(|| SizeError::TooLarge(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration(" 250ms "), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(
            parse_duration("-1s"),
            Err("\"-1s\" is not a duration; expected e.g. 30s, 1m30s, 2h or 500ms".to_string())
        );
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("inf").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("12"), Ok(12));
        assert_eq!(
            parse_size("64 parsecs").unwrap_err().to_string(),
            "\"64 parsecs\" is not a size; expected e.g. 64MiB, 512KiB or 1GiB"
        );
        assert_eq!(
            parse_size("99999999999999999G"),
            Err(SizeError::TooLarge("99999999999999999G".to_string()))
        );
    }
}
