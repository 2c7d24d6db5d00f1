"""Checks and custom metrics: what a scenario measures besides its requests.

A :func:`check` records whether a condition about the system under test held; checks are
counted per name (passes, fails, rate) and form k6's ``checks`` metric, which thresholds can use
(``checks{check:token is rejected}: rate==1``). A failed check does not fail the request or the
task. Custom metrics are declared once, at module level, and recorded anywhere::

    from horde import HttpUser, metrics, task

    ORDERS_CREATED = metrics.Counter("orders_created")
    CART_SIZE = metrics.Trend("cart_size")

    class Shopper(HttpUser):
        @task
        def checkout(self):
            r = self.client.post("/api/orders", json={"items": [1, 2, 3]})
            if metrics.check("order accepted", r.status_code == 201):
                ORDERS_CREATED.add(1)
            CART_SIZE.add(3, tags={"shop": "eu"})

Names are ASCII letters, digits and ``_`` (at most 128, not starting with a digit) and not one
of k6's built-in names; tags (a dict, or ``(key, value)`` pairs) are at most 8 per call. A misuse
records nothing and shows in the run's error report under ``METRIC``.
"""

from wit_world.imports import metrics as _metrics

__all__ = ["check", "Counter", "Gauge", "Rate", "Trend"]


def _tags(tags):
    if not tags:
        return []
    items = tags.items() if hasattr(tags, "items") else tags
    return [(str(k), str(v)) for k, v in items]


def check(name, ok, tags=None):
    """Records a check named ``name`` that passed when ``ok`` is true, with optional tags such
    as ``{"token": "expired"}``; returns ``ok`` (as a bool), so the scenario can act on it::

        r = self.client.get("/api/users/me", bearer="expired", expect=[200, 401])
        metrics.check("expired token is rejected", r.status_code == 401)
    """
    return _metrics.check(str(name), bool(ok), _tags(tags))


class _Metric:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


class Counter(_Metric):
    """A sum, reported with its rate per second (k6's ``Counter``):
    ``LOGINS = Counter("logins")``, then ``LOGINS.add(1)``."""

    __slots__ = ()

    def add(self, value=1.0, tags=None):
        """Adds ``value`` (1 by default) to the counter, or to its series with these tags."""
        _metrics.counter_add(self.name, float(value), _tags(tags))


class Gauge(_Metric):
    """The last value set, with the smallest and largest (k6's ``Gauge``):
    ``QUEUE = Gauge("queue_depth")``, then ``QUEUE.set(12)``."""

    __slots__ = ()

    def set(self, value, tags=None):
        """Sets the gauge, or its series with these tags, to ``value``."""
        _metrics.gauge_set(self.name, float(value), _tags(tags))


class Rate(_Metric):
    """The share of samples that were true (k6's ``Rate``):
    ``CACHE_HIT = Rate("cache_hit")``, then ``CACHE_HIT.add(True)``."""

    __slots__ = ()

    def add(self, value, tags=None):
        """Adds one sample (true or false) to the rate, or to its series with these tags."""
        _metrics.rate_add(self.name, bool(value), _tags(tags))


class Trend(_Metric):
    """A distribution (min, average, median, percentiles, max), like response times (k6's
    ``Trend``); values from 0 to 1e9, kept to 3 significant digits:
    ``TTFB = Trend("ttfb_ms")``, then ``TTFB.add(12.5)``."""

    __slots__ = ()

    def add(self, value, tags=None):
        """Adds one sample to the trend, or to its series with these tags."""
        _metrics.trend_add(self.name, float(value), _tags(tags))
