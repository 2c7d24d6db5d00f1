//! The `shared` host functions on a [`SharedView`]: setup's value, counters and the key/value store shared by all
//! VUs of the run.

use std::time::Duration;

use super::SharedView;
use crate::host::bindings::shared::{Host, SharedError};
use crate::shared::LimitError;

fn limit(e: LimitError) -> SharedError {
    SharedError::Limit(e.0)
}

impl Host for SharedView<'_> {
    async fn setup_value(&mut self) -> Vec<u8> {
        self.shared.setup_value().to_vec()
    }

    async fn counter_add(&mut self, name: String, delta: i64) -> Result<i64, SharedError> {
        self.shared.counters.add(&name, delta).map_err(limit)
    }

    async fn counter_get(&mut self, name: String) -> i64 {
        self.shared.counters.get(&name)
    }

    async fn get(&mut self, key: String) -> Option<Vec<u8>> {
        self.shared.store.get(&key)
    }

    async fn set(
        &mut self,
        key: String,
        value: Vec<u8>,
        ttl_ms: Option<u64>,
    ) -> Result<(), SharedError> {
        self.shared
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
        self.shared
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
        self.shared.store.delete(&key)
    }
}
