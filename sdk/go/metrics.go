package horde

// Checks and custom metrics: what a scenario measures besides its requests.
//
// A check records whether a condition about the system under test held; checks are counted
// per name (passes, fails, rate) and form k6's `checks` metric, which thresholds can use
// ("checks{check:token is rejected}: rate==1"). A failed check does not fail the request or
// the task. Custom metrics are declared once, as package variables, and recorded anywhere:
//
//	var (
//		ordersCreated = horde.NewCounter("orders_created")
//		cartSize      = horde.NewTrend("cart_size")
//	)
//
//	func checkout(items int) {
//		ordersCreated.Add(1)
//		cartSize.Add(float64(items), horde.Tag{"shop", "eu"})
//	}
//
// Names are ASCII letters, digits and _ (at most 128, not starting with a digit) and not one
// of k6's built-in names; tags are at most 8 per call. A misuse records nothing and shows in
// the run's error report under METRIC.

// Tag is one (key, value) pair telling series of a metric apart, such as
// horde.Tag{"token", "expired"}.
type Tag [2]string

// Check records a check named name that passed when ok, with any tags, and returns ok.
//
//	horde.Check("expired token is rejected", r.Status == 401)
func Check(name string, ok bool, tags ...Tag) bool { return metricCheck(name, ok, tags) }

// Counter is a sum, reported with its rate per second (k6's Counter).
type Counter struct{ name string }

// NewCounter names a counter; nothing is recorded until Add. (Not a shared counter: see
// SharedCounterAdd for a value VUs read back.)
func NewCounter(name string) Counter { return Counter{name} }

// Name is the counter's name.
func (c Counter) Name() string { return c.name }

// Add adds value to the counter (to its series with these tags, if any).
func (c Counter) Add(value float64, tags ...Tag) { metricCounterAdd(c.name, value, tags) }

// Gauge is the last value set, with the smallest and largest (k6's Gauge).
type Gauge struct{ name string }

// NewGauge names a gauge.
func NewGauge(name string) Gauge { return Gauge{name} }

// Name is the gauge's name.
func (g Gauge) Name() string { return g.name }

// Set sets the gauge (its series with these tags, if any) to value.
func (g Gauge) Set(value float64, tags ...Tag) { metricGaugeSet(g.name, value, tags) }

// Rate is the share of samples that were true (k6's Rate).
type Rate struct{ name string }

// NewRate names a rate.
func NewRate(name string) Rate { return Rate{name} }

// Name is the rate's name.
func (r Rate) Name() string { return r.name }

// Add adds one sample (to the series with these tags, if any).
func (r Rate) Add(value bool, tags ...Tag) { metricRateAdd(r.name, value, tags) }

// Trend is a distribution (min, average, median, percentiles, max), like response times
// (k6's Trend). Values from 0 to 1e9, kept to 3 significant digits.
type Trend struct{ name string }

// NewTrend names a trend.
func NewTrend(name string) Trend { return Trend{name} }

// Name is the trend's name.
func (t Trend) Name() string { return t.name }

// Add adds one sample (to the series with these tags, if any).
func (t Trend) Add(value float64, tags ...Tag) { metricTrendAdd(t.name, value, tags) }
