//! The `metrics` host functions on a [`MetricsView`]: checks and custom metrics, checked and
//! recorded in the run's statistics. These calls have no error to return, so a misuse (an invalid name, too many
//! tags) records nothing and is counted in the error report under `METRIC`.

use super::MetricsView;
use crate::host::bindings::metrics::{Host, Tags};
use crate::host::phase::Phase;
use crate::metric::{builtin_kind, valid_name};
use crate::stats::custom::{MetricSample, series_key};

/// At most this many tags per call.
const MAX_TAGS: usize = 8;
/// Longest tag value and check name, in bytes.
const MAX_TEXT: usize = 256;

fn check_tags(tags: &Tags) -> Result<(), String> {
    if tags.len() > MAX_TAGS {
        return Err(format!("{} tags; at most {MAX_TAGS} per call", tags.len()));
    }
    for (k, v) in tags {
        if !valid_name(k) {
            return Err(format!(
                "tag {k:?} is not a tag name (letters, digits and '_', at most 128)"
            ));
        }
        if v.len() > MAX_TEXT || v.contains('\0') {
            return Err(format!(
                "the value of tag {k:?} is longer than {MAX_TEXT} bytes or holds a NUL"
            ));
        }
    }
    Ok(())
}

impl MetricsView<'_> {
    /// Records a custom metric sample, or the reason it was refused.
    fn record_metric(&mut self, name: String, mut tags: Tags, sample: MetricSample) {
        let problem = if self.phase == Phase::Metadata {
            Some("metrics are not recorded while describing the scenario (metadata)".to_string())
        } else if !valid_name(&name) {
            Some("not a metric name: use letters, digits and '_', starting with a letter or '_', at most 128".to_string())
        } else if builtin_kind(&name).is_some() {
            Some(format!(
                "{name} is a built-in metric; give the custom metric another name"
            ))
        } else {
            check_tags(&tags).err()
        };
        if let Some(problem) = problem {
            self.run.stats.record_misuse(&name, &problem);
            return;
        }
        series_key(&mut self.state.key, &name, &mut tags);
        self.run.stats.record_metric(&self.state.key, sample);
    }
}

impl Host for MetricsView<'_> {
    async fn check(&mut self, name: String, ok: bool, mut tags: Tags) -> bool {
        let problem = if self.phase == Phase::Metadata {
            Some("checks are not counted while describing the scenario (metadata)".to_string())
        } else if name.trim().is_empty() || name.len() > MAX_TEXT || name.contains('\0') {
            Some(format!(
                "a check name must be 1 to {MAX_TEXT} bytes without NUL"
            ))
        } else {
            check_tags(&tags).err()
        };
        match problem {
            Some(problem) => self.run.stats.record_misuse(&name, &problem),
            None => {
                series_key(&mut self.state.key, &name, &mut tags);
                self.run.stats.record_check(&self.state.key, ok);
            }
        }
        ok
    }

    async fn counter_add(&mut self, name: String, value: f64, tags: Tags) {
        self.record_metric(name, tags, MetricSample::Counter(value));
    }

    async fn gauge_set(&mut self, name: String, value: f64, tags: Tags) {
        let at = self.run.started().elapsed().as_micros() as u64;
        self.record_metric(name, tags, MetricSample::Gauge(value, at));
    }

    async fn rate_add(&mut self, name: String, value: bool, tags: Tags) {
        self.record_metric(name, tags, MetricSample::Rate(value));
    }

    async fn trend_add(&mut self, name: String, value: f64, tags: Tags) {
        self.record_metric(name, tags, MetricSample::Trend(value));
    }
}
