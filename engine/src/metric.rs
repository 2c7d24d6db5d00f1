//! What a metric is, for every module that names one: the four kinds, the built-in metrics
//! and their kinds, and the one rule for a valid metric (or tag) name, shared by the host
//! that records a scenario's metrics and the threshold parser that refers to them. A leaf: it
//! uses nothing of the crate.

/// The four kinds of metric, as in k6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricKind {
    /// A sum (and its rate per second).
    Counter,
    /// The last value set, with its min and max.
    Gauge,
    /// The share of true samples.
    Rate,
    /// A distribution: avg, min, med, max, percentiles.
    Trend,
}

impl MetricKind {
    pub fn name(self) -> &'static str {
        match self {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Rate => "rate",
            MetricKind::Trend => "trend",
        }
    }
}

/// k6's request phases, in the order a request goes through them. `http_req_duration` is
/// sending + waiting + receiving.
pub const HTTP_PHASES: [&str; 6] = [
    "http_req_blocked",
    "http_req_connecting",
    "http_req_tls_handshaking",
    "http_req_sending",
    "http_req_waiting",
    "http_req_receiving",
];

/// The kind of a built-in metric, or None for a name the scenario may define.
pub fn builtin_kind(metric: &str) -> Option<MetricKind> {
    Some(match metric {
        "http_req_duration" => MetricKind::Trend,
        phase if HTTP_PHASES.contains(&phase) => MetricKind::Trend,
        "http_req_failed" | "checks" => MetricKind::Rate,
        "http_reqs" | "iterations" | "dropped_iterations" | "data_sent" | "data_received" => {
            MetricKind::Counter
        }
        "vus" => MetricKind::Gauge,
        _ => return None,
    })
}

/// A metric or tag name: letters, digits and `_`, not starting with a digit, at most 128.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["orders", "_x", "ttfb_ms2", &"a".repeat(128)] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "2fast", "with-dash", "spa ce", "é", &"a".repeat(129)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn builtins() {
        assert_eq!(builtin_kind("http_req_duration"), Some(MetricKind::Trend));
        assert_eq!(builtin_kind("checks"), Some(MetricKind::Rate));
        assert_eq!(builtin_kind("vus").map(MetricKind::name), Some("gauge"));
        assert_eq!(builtin_kind("orders"), None);
        for phase in HTTP_PHASES {
            assert_eq!(builtin_kind(phase), Some(MetricKind::Trend), "{phase}");
        }
    }
}
