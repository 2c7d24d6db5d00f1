//! The `data` host functions on a [`DataView`]: rows of the run's `--data` sets. A read copies one row into the
//! guest; the set itself stays shared.

use super::DataView;
use crate::data::{Mode, ReadError, WhenExhausted};
use crate::host::bindings::data::{DataError, Host, Mode as WitMode, Row, SetInfo};
use rand::RngCore;

fn mode_of(mode: WitMode) -> Mode {
    match mode {
        WitMode::Unique => Mode::Unique,
        WitMode::Sequential => Mode::Sequential,
        WitMode::Random => Mode::Random,
        WitMode::PerVu => Mode::PerVu,
    }
}

impl DataView<'_> {
    fn unknown_set(&self, name: &str) -> DataError {
        DataError::UnknownSet(format!(
            "no data set {name:?} ({}); pass it with --data {name}=FILE",
            self.run.data.names()
        ))
    }
}

impl Host for DataView<'_> {
    async fn describe(&mut self, name: String) -> Result<SetInfo, DataError> {
        let set = self
            .run
            .data
            .get(&name)
            .ok_or_else(|| self.unknown_set(&name))?;
        Ok(SetInfo {
            rows: set.rows(),
            columns: set.columns().to_vec(),
        })
    }

    async fn read(&mut self, name: String, mode: WitMode) -> Result<Row, DataError> {
        let run = self.run;
        let set = run.data.get(&name).ok_or_else(|| self.unknown_set(&name))?;
        let random = self.rng.next_u64();
        match set.pick(mode_of(mode), self.vu_id, random) {
            Ok(index) => Ok(Row {
                index,
                fields: set.row(index).map(str::to_string).collect(),
            }),
            Err(ReadError::Exhausted { rows }) => {
                let stop = run.data.when_exhausted == WhenExhausted::StopVu;
                if stop {
                    // The VU ends after this hook or task returns; its error is not counted.
                    *self.retire_self = true;
                }
                Err(DataError::Exhausted(format!(
                    "data set {name:?} ({}) has handed out all its {rows} rows to unique reads{}",
                    set.path,
                    if stop {
                        "; this VU stops (--data-exhausted stop)"
                    } else {
                        "; give more rows, fewer VUs, or --data-exhausted stop"
                    }
                )))
            }
        }
    }
}
