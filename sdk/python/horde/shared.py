"""State shared by all VUs of a run: the value ``on_test_start`` returned, atomic counters, and
a small key/value store with expiry. It lives in the engine for the length of the run::

    from horde import HttpUser, log, shared, task

    class Buyer(HttpUser):
        @task
        def order(self):
            self.client.post("/api/orders", json={"item": 1})
            placed = shared.counter_add("orders")
            if placed % 1000 == 0:
                log.info(f"{placed} orders placed so far")

Values are bytes; a str given as a value is stored as UTF-8. Limits: names and keys up to 256
bytes, values up to 64 KiB, 10,000 counters, 100,000 live keys. A call past one raises
:class:`LimitError` naming it and changes nothing.
"""

import json as _json

from componentize_py_types import Err as _Err
from wit_world.imports import shared as _shared

__all__ = [
    "LimitError", "setup_value", "setup_text", "setup_json", "counter_add", "counter_get",
    "get", "get_text", "set", "compare_and_swap", "delete",
]


class LimitError(Exception):
    """A shared-state call went past a limit (a name, key or value too long, or the store
    full); ``message`` names the limit. Nothing was changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _limit(error):
    raise LimitError(str(getattr(error, "value", error))) from None


def _bytes(value):
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"a shared value is str or bytes, not {type(value).__name__}")


def _ttl_ms(ttl):
    return None if ttl is None else max(0, round(ttl * 1000))


def setup_value():
    """The bytes ``on_test_start`` returned (empty without one). Every VU gets the same value."""
    return _shared.setup_value()


def setup_text():
    """Setup's value as text (``on_test_start`` returned a str, say a token); invalid UTF-8 is
    replaced."""
    return _shared.setup_value().decode("utf-8", errors="replace")


def setup_json():
    """Setup's value parsed as JSON (``on_test_start`` returned a dict or a list), or None when
    it is empty."""
    value = _shared.setup_value()
    return _json.loads(value) if value else None


def counter_add(name, delta=1):
    """Adds ``delta`` (an int, 1 by default) to the counter ``name`` (0 before its first use) and
    returns the new value. Exact under contention: N VUs adding 1 M times make N x M. Raises
    :class:`LimitError`."""
    try:
        return _shared.counter_add(name, delta)
    except _Err as e:
        _limit(e.value)


def counter_get(name):
    """The current value of the counter ``name`` (0 if never added to)."""
    return _shared.counter_get(name)


def get(key):
    """The bytes stored under ``key``, or None when it is absent or expired."""
    return _shared.get(key)


def get_text(key):
    """The value under ``key`` as text (invalid UTF-8 replaced), or None when it is absent or
    expired."""
    value = _shared.get(key)
    return None if value is None else value.decode("utf-8", errors="replace")


def set(key, value, ttl=None):
    """Stores ``value`` (bytes, or a str stored as UTF-8) under ``key``, replacing any value; it
    expires after ``ttl`` seconds if given. Raises :class:`LimitError`."""
    try:
        _shared.set(key, _bytes(value), _ttl_ms(ttl))
    except _Err as e:
        _limit(e.value)


def compare_and_swap(key, expected, value, ttl=None):
    """Stores ``value`` under ``key`` only if the current value equals ``expected`` (None: only
    if the key is absent or expired), expiring after ``ttl`` seconds if given; returns whether it
    stored. One VU wins a race to fill a key::

        if shared.compare_and_swap("leader", None, f"vu-{context.vu_id()}"):
            log.info("this VU leads")

    Raises :class:`LimitError`."""
    try:
        return _shared.compare_and_swap(
            key, None if expected is None else _bytes(expected), _bytes(value), _ttl_ms(ttl))
    except _Err as e:
        _limit(e.value)


def delete(key):
    """Removes ``key``; returns whether it held a live value."""
    return _shared.delete(key)
