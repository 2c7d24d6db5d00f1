//! Where a guest's log lines go (`context.log`, and WASI's stdout and stderr).

use std::io::Write;

use crate::host::bindings::types::LogLevel;

/// Where guest log lines go: stderr, tagged with the VU, filtered by level.
#[derive(Debug, Clone, Copy)]
pub struct LogSink {
    pub min_level: LogLevel,
}

fn level_rank(level: LogLevel) -> u8 {
    match level {
        LogLevel::Trace => 0,
        LogLevel::Debug => 1,
        LogLevel::Info => 2,
        LogLevel::Warn => 3,
        LogLevel::Error => 4,
    }
}

impl LogSink {
    pub fn write(&self, vu_id: u32, level: LogLevel, message: &str) {
        if level_rank(level) < level_rank(self.min_level) {
            return;
        }
        let tag = match level {
            LogLevel::Trace => "TRACE",
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO ",
            LogLevel::Warn => "WARN ",
            LogLevel::Error => "ERROR",
        };
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "[vu {vu_id}] {tag} {message}");
    }
}
