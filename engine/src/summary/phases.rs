//! The summary's view of the request phases: per (method, name) and for all requests, each of
//! k6's phases with the values k6 reports for a trend (avg, min, med, p90, p95, p99, max), in
//! ms, and the number of requests timed (those that got a response).

use serde::{Deserialize, Serialize};

use crate::stats::{Phase, PhaseStats, PhaseTimes};

/// One phase's distribution, in ms.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct PhaseSummary {
    /// Requests timed: those that got a response.
    pub count: u64,
    pub avg: f64,
    pub min: f64,
    pub med: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

impl PhaseSummary {
    fn of(p: &PhaseStats) -> Self {
        Self {
            count: p.count,
            avg: p.avg_us() / 1000.0,
            min: ms(p.min()),
            med: ms(p.quantile_us(0.5)),
            p90: ms(p.quantile_us(0.90)),
            p95: ms(p.quantile_us(0.95)),
            p99: ms(p.quantile_us(0.99)),
            max: ms(p.max_us),
        }
    }

    /// k6's names of the values, as tables title them.
    pub const COLUMNS: [&'static str; 7] = ["avg", "min", "med", "p(90)", "p(95)", "p(99)", "max"];

    /// The values in the order of [`Self::COLUMNS`].
    pub fn values(&self) -> [f64; 7] {
        [
            self.avg, self.min, self.med, self.p90, self.p95, self.p99, self.max,
        ]
    }
}

/// k6's six phases of a set of requests. The duration (`http_req_duration`) is sending +
/// waiting + receiving; connection set-up is in connecting and TLS handshaking.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct PhasesSummary {
    /// Waiting for a free connection or for the name to resolve.
    pub blocked: PhaseSummary,
    /// Opening the TCP connection (0 on a kept-alive one).
    pub connecting: PhaseSummary,
    /// The TLS handshake (0 on a kept-alive connection and on http://).
    pub tls_handshaking: PhaseSummary,
    /// Writing the request.
    pub sending: PhaseSummary,
    /// From the request written to the first byte of the response (time to first byte).
    pub waiting: PhaseSummary,
    /// From the first byte to the end of the body.
    pub receiving: PhaseSummary,
}

impl PhasesSummary {
    pub fn of(times: &PhaseTimes) -> Self {
        let of = |phase| PhaseSummary::of(times.get(phase));
        Self {
            blocked: of(Phase::Blocked),
            connecting: of(Phase::Connecting),
            tls_handshaking: of(Phase::TlsHandshaking),
            sending: of(Phase::Sending),
            waiting: of(Phase::Waiting),
            receiving: of(Phase::Receiving),
        }
    }

    /// Each phase with its k6 metric name, in the order a request goes through them.
    pub fn named(&self) -> [(&'static str, &PhaseSummary); 6] {
        let [b, c, t, s, w, r] = Phase::ALL.map(Phase::metric);
        [
            (b, &self.blocked),
            (c, &self.connecting),
            (t, &self.tls_handshaking),
            (s, &self.sending),
            (w, &self.waiting),
            (r, &self.receiving),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Phases;

    #[test]
    fn each_phase_reads_in_ms_under_k6s_name() {
        let mut times = PhaseTimes::default();
        for us in [1_000, 2_000, 3_000, 4_000] {
            times.record(&Phases {
                waiting_us: us,
                sending_us: 20,
                ..Phases::default()
            });
        }
        let s = PhasesSummary::of(&times);
        assert_eq!(s.waiting.count, 4);
        assert_eq!(
            (s.waiting.avg, s.waiting.min, s.waiting.max),
            (2.5, 1.0, 4.0)
        );
        assert!(
            (s.waiting.med - 2.0).abs() / 2.0 < 0.01,
            "med {} within 1 %",
            s.waiting.med
        );
        assert_eq!(s.sending.p99, 0.02);
        assert_eq!(s.connecting.max, 0.0);
        let named = s.named();
        assert_eq!(named[4].0, "http_req_waiting");
        assert_eq!(named[4].1.values()[6], 4.0, "max is last");
        let empty = PhasesSummary::of(&PhaseTimes::default());
        assert_eq!(
            empty.receiving,
            PhaseSummary::default(),
            "zeros without samples"
        );
    }
}
