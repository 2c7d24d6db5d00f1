//! Think time: how long a VU waits after each task, as in Locust's `wait_time` functions.
//!
//! The scenario declares it in [`scenario!`](crate::scenario)'s `wait:` field; the command line
//! can override it.

use crate::wit::horde::scenario::types::{BetweenRange, ThinkTime as WitThinkTime};
use std::time::Duration;

/// A think time, built by [`between`], [`constant`], [`constant_pacing`],
/// [`constant_throughput`] or [`no_wait`].
///
/// ```
/// use horde_sdk::{ThinkTime, between};
/// assert_eq!(between(1, 5), ThinkTime::Between { min_ms: 1000, max_ms: 5000 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ThinkTime {
    /// No wait: the next task starts as soon as the previous one ends.
    None,
    /// A uniformly random wait between `min_ms` and `max_ms` milliseconds.
    Between {
        /// The shortest wait, in milliseconds.
        min_ms: u64,
        /// The longest wait, in milliseconds.
        max_ms: u64,
    },
    /// The same wait, in milliseconds, after every task.
    Constant(u64),
    /// Each task starts this many milliseconds after the previous one started.
    ConstantPacing(u64),
    /// At most this many tasks per second per VU.
    ConstantThroughput(f64),
}

impl From<ThinkTime> for WitThinkTime {
    fn from(t: ThinkTime) -> Self {
        match t {
            ThinkTime::None => WitThinkTime::None,
            ThinkTime::Between { min_ms, max_ms } => {
                WitThinkTime::Between(BetweenRange { min_ms, max_ms })
            }
            ThinkTime::Constant(ms) => WitThinkTime::Constant(ms),
            ThinkTime::ConstantPacing(ms) => WitThinkTime::ConstantPacing(ms),
            ThinkTime::ConstantThroughput(n) => WitThinkTime::ConstantThroughput(n),
        }
    }
}

/// A length of time given in seconds: an integer (`5`), a float (`0.25`) or a [`Duration`].
/// Negative and NaN values count as zero.
///
/// ```
/// use horde_sdk::think::Seconds;
/// use std::time::Duration;
/// assert_eq!(2.to_ms(), 2000);
/// assert_eq!(0.25.to_ms(), 250);
/// assert_eq!(Duration::from_millis(40).to_ms(), 40);
/// ```
pub trait Seconds: Copy {
    /// The same length in whole milliseconds (rounded to the nearest).
    fn to_ms(self) -> u64;
}

macro_rules! seconds_int {
    ($($t:ty),*) => {$(
        impl Seconds for $t {
            #[allow(unused_comparisons)]
            fn to_ms(self) -> u64 {
                if self < 0 as $t { 0 } else { (self as u64).saturating_mul(1000) }
            }
        }
    )*};
}
seconds_int!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl Seconds for f64 {
    fn to_ms(self) -> u64 {
        // `as` saturates: NaN and negatives become 0, huge values u64::MAX.
        (self * 1000.0).round() as u64
    }
}

impl Seconds for f32 {
    fn to_ms(self) -> u64 {
        f64::from(self).to_ms()
    }
}

impl Seconds for Duration {
    fn to_ms(self) -> u64 {
        u64::try_from(self.as_millis()).unwrap_or(u64::MAX)
    }
}

/// A random wait between `min` and `max` seconds after each task (Locust's `between`).
/// The bounds are swapped if given in the wrong order.
///
/// ```
/// use horde_sdk::{ThinkTime, between};
/// assert_eq!(between(0.5, 2), ThinkTime::Between { min_ms: 500, max_ms: 2000 });
/// ```
pub fn between(min: impl Seconds, max: impl Seconds) -> ThinkTime {
    let (a, b) = (min.to_ms(), max.to_ms());
    ThinkTime::Between {
        min_ms: a.min(b),
        max_ms: a.max(b),
    }
}

/// The same wait of `seconds` after every task (Locust's `constant`).
///
/// ```
/// use horde_sdk::{ThinkTime, constant};
/// assert_eq!(constant(0.25), ThinkTime::Constant(250));
/// ```
pub fn constant(seconds: impl Seconds) -> ThinkTime {
    ThinkTime::Constant(seconds.to_ms())
}

/// Start a task every `seconds`, however long the previous one took (Locust's
/// `constant_pacing`).
///
/// ```
/// use horde_sdk::{ThinkTime, constant_pacing};
/// assert_eq!(constant_pacing(10), ThinkTime::ConstantPacing(10_000));
/// ```
pub fn constant_pacing(seconds: impl Seconds) -> ThinkTime {
    ThinkTime::ConstantPacing(seconds.to_ms())
}

/// At most `tasks_per_second` tasks per second for each VU (Locust's `constant_throughput`).
///
/// ```
/// use horde_sdk::{ThinkTime, constant_throughput};
/// assert_eq!(constant_throughput(2.0), ThinkTime::ConstantThroughput(2.0));
/// ```
pub fn constant_throughput(tasks_per_second: f64) -> ThinkTime {
    ThinkTime::ConstantThroughput(tasks_per_second)
}

/// No wait: each task starts as soon as the previous one ends.
///
/// ```
/// use horde_sdk::{ThinkTime, no_wait};
/// assert_eq!(no_wait(), ThinkTime::None);
/// ```
pub fn no_wait() -> ThinkTime {
    ThinkTime::None
}
