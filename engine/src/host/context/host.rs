//! The `context` host functions on a [`ContextView`]: what a VU knows about its run, and
//! time, randomness, logging and sleep, all through the engine.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::RngCore;

use super::ContextView;
use crate::host::bindings::context::Host;
use crate::host::bindings::types::{Host as TypesHost, LogLevel};
use crate::host::phase::Phase;

impl TypesHost for ContextView<'_> {}

impl Host for ContextView<'_> {
    async fn vu_id(&mut self) -> u32 {
        self.vu_id
    }

    async fn iteration(&mut self) -> u64 {
        self.iteration
    }

    async fn env(&mut self, key: String) -> Option<String> {
        self.run.env.get(&key).cloned()
    }

    async fn elapsed_us(&mut self) -> u64 {
        self.run.started().elapsed().as_micros() as u64
    }

    async fn unix_time_ms(&mut self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }

    async fn random_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    async fn log(&mut self, level: LogLevel, message: String) {
        self.run.log.write(self.vu_id, level, &message);
    }

    async fn sleep(&mut self, ms: u64) {
        let wanted = Duration::from_millis(ms);
        let time_left = self
            .deadline
            .map(|d| d.saturating_duration_since(Instant::now()));
        let nap = tokio::time::sleep(time_left.map_or(wanted, |left| wanted.min(left)));
        match self.phase {
            // `on-stop` has its own deadline; elsewhere a stopping run cuts the nap short.
            Phase::Stop | Phase::Metadata => nap.await,
            Phase::Setup | Phase::Start | Phase::Task | Phase::Teardown => {
                tokio::select! {
                    _ = nap => {}
                    _ = self.stop.cancelled() => {}
                }
            }
        }
    }
}
