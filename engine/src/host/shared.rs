//! `horde:scenario/shared`: setup's value, counters and the key/value store shared by all
//! VUs of the run.

use std::time::Duration;

use super::bindings::shared::{Host, SharedError};
use super::state::VuState;
use crate::shared::LimitError;

fn limit(e: LimitError) -> SharedError {
    SharedError::Limit(e.0)
}

impl Host for VuState {
    async fn setup_value(&mut self) -> Vec<u8> {
        self.run.shared.setup_value().to_vec()
    }

    async fn counter_add(&mut self, name: String, delta: i64) -> Result<i64, SharedError> {
        self.run.shared.counters.add(&name, delta).map_err(limit)
    }

    async fn counter_get(&mut self, name: String) -> i64 {
        self.run.shared.counters.get(&name)
    }

    async fn get(&mut self, key: String) -> Option<Vec<u8>> {
        self.run.shared.store.get(&key)
    }

    async fn set(
        &mut self,
        key: String,
        value: Vec<u8>,
        ttl_ms: Option<u64>,
    ) -> Result<(), SharedError> {
        self.run
            .shared
            .store
            .set(&key, value, ttl_ms.map(Duration::from_millis))
            .map_err(limit)
    }

    async fn compare_and_swap(
        &mut self,
        key: String,
        expected: Option<Vec<u8>>,
        value: Vec<u8>,
        ttl_ms: Option<u64>,
    ) -> Result<bool, SharedError> {
        self.run
            .shared
            .store
            .compare_and_swap(
                &key,
                expected.as_deref(),
                value,
                ttl_ms.map(Duration::from_millis),
            )
            .map_err(limit)
    }

    async fn delete(&mut self, key: String) -> bool {
        self.run.shared.store.delete(&key)
    }
}
