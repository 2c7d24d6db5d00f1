"""Write horde load-testing scenarios (virtual users) in Python, the way Locust reads.

A scenario is a WebAssembly component built with componentize-py; each instance is one
virtual user (VU), so the attributes of your user object are that user's state::

    from horde import HttpUser, task, between, log

    class Reader(HttpUser):
        \"\"\"Logs in once, then reads its profile three times as often as its orders.\"\"\"
        name = "reader"
        wait_time = between(1, 5)

        def on_start(self):
            login = self.client.post("/api/auth/login", want_body=True,
                                     json={"username": "testuser", "password": "password123"})
            self.token = login.json()["access_token"]

        @task(3)
        def profile(self):
            self.client.get("/api/users/me", bearer=self.token)

        @task
        def orders(self):
            self.client.get("/api/orders", bearer=self.token)

The scenario's file is `scenario.py`; its one `HttpUser` subclass is the user.
docs/languages/python.md shows how to build it. Everything goes through the engine: the
client's requests (the engine keeps the VU's connection and cookies and records each
request), `context` for the VU id, time, randomness and `--env` values, `log` for the run's
log. An exception in a task is counted as a task error and the VU goes on.

State beyond the user's attributes: `data` reads rows of the run's data sets (`--data`),
`shared` holds counters and a key/value store all VUs share, and the user class may declare
`on_test_start` (runs once before any VU; its return value reaches every VU as
`shared.setup_value()`) and `on_test_stop(value)` (runs once after the last VU). See
docs/state.md. `check` and `metrics` (Counter, Gauge, Rate, Trend) record what the scenario
measures besides its requests.
"""

import json as _json

from wit_world.imports import context as _context
from wit_world.imports import http as _http
from wit_world.imports import types as _types
from componentize_py_types import Err as _Err

from . import data, metrics, shared
from .data import DataError, ExhaustedError, UnknownSetError
from .metrics import check
from .shared import LimitError

__all__ = [
    "HttpUser", "task", "between", "constant", "constant_pacing", "constant_throughput",
    "HttpError", "Response", "log", "context", "data", "shared", "metrics", "check",
    "DataError", "UnknownSetError", "ExhaustedError", "LimitError",
]

SDK = "horde-sdk-python 0.1.0"


# ---- think time ----------------------------------------------------------------------------

def between(min_s, max_s):
    """A random wait between min_s and max_s seconds after each task (Locust's between)."""
    return _types.ThinkTime_Between(_types.BetweenRange(round(min_s * 1000), round(max_s * 1000)))


def constant(s):
    """The same wait after every task, in seconds."""
    return _types.ThinkTime_Constant(round(s * 1000))


def constant_pacing(s):
    """Each task starts s seconds after the previous one started."""
    return _types.ThinkTime_ConstantPacing(round(s * 1000))


def constant_throughput(per_s):
    """At most per_s tasks per second per VU."""
    return _types.ThinkTime_ConstantThroughput(float(per_s))


# ---- tasks ---------------------------------------------------------------------------------

def task(weight=1):
    """Marks a method as a task, with a weight: ``@task`` or ``@task(3)``."""
    if callable(weight):
        weight.horde_task_weight = 1
        return weight

    def mark(method):
        method.horde_task_weight = weight
        return method
    return mark


# ---- HTTP ----------------------------------------------------------------------------------

class HttpError(Exception):
    """A request that got no response: kind is "timeout", "connect", "tls",
    "invalid-request", "protocol" or "cancelled"."""

    def __init__(self, kind, detail=""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


_ERROR_KINDS = {
    _http.Error_Timeout: "timeout",
    _http.Error_Connect: "connect",
    _http.Error_Tls: "tls",
    _http.Error_InvalidRequest: "invalid-request",
    _http.Error_Protocol: "protocol",
    _http.Error_Cancelled: "cancelled",
}


class Response:
    """A response: status_code, ok, elapsed_us, and the body (text, content, json()) and
    headers when the request asked for them with want_body / want_headers."""

    def __init__(self, raw):
        self._raw = raw
        self.status_code = raw.status
        self.ok = raw.ok
        self.elapsed_us = raw.elapsed_us
        self.headers = dict(raw.headers) if raw.headers is not None else None

    @property
    def content(self):
        if self._raw.body is None:
            raise ValueError("the body was not asked for: pass want_body=True to the request")
        return self._raw.body

    @property
    def text(self):
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        return _json.loads(self.content)

    def failure(self, reason):
        """Marks this response failed after inspecting it (Locust's catch_response)."""
        _http.mark_failed(self._raw.id, str(reason))

    def success(self):
        """Marks this response passed although its status was not expected."""
        _http.mark_passed(self._raw.id)


_METHODS = {
    "GET": _http.Method.GET, "HEAD": _http.Method.HEAD, "POST": _http.Method.POST,
    "PUT": _http.Method.PUT, "PATCH": _http.Method.PATCH, "DELETE": _http.Method.DELETE,
    "OPTIONS": _http.Method.OPTIONS,
}


class HttpClient:
    """The VU's HTTP client (``self.client``): ``get``, ``post``, ... each send one request
    through the engine and return a Response, or raise HttpError when no response came."""

    def request(self, method, url, *, json=None, data=None, headers=None, bearer=None,
                name=None, expect=None, timeout=None, want_body=False, want_headers=False):
        """Sends a request. url is absolute or a path joined to --host; json sends a JSON
        body with content-type application/json, data raw bytes or str; bearer adds
        ``authorization: Bearer ...``; name groups it in the statistics; expect lists the
        statuses that count as a success; timeout is in seconds."""
        header_list = list((headers or {}).items())
        if bearer is not None:
            header_list.append(("authorization", f"Bearer {bearer}"))
        body = None
        if json is not None:
            body = _json.dumps(json).encode()
            if not any(k.lower() == "content-type" for k, _ in header_list):
                header_list.append(("content-type", "application/json"))
        elif data is not None:
            body = data.encode() if isinstance(data, str) else bytes(data)
        request = _http.Request(
            method=_METHODS[method.upper()],
            url=url,
            headers=header_list,
            body=body,
            name=name,
            expect_status=list(expect or []),
            timeout_ms=None if timeout is None else round(timeout * 1000),
            want_body=want_body,
            want_headers=want_headers,
        )
        try:
            return Response(_http.send(request))
        except _Err as e:
            error = e.value
            raise HttpError(_ERROR_KINDS.get(type(error), "error"),
                            getattr(error, "value", "")) from None

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.request("POST", url, **kwargs)

    def put(self, url, **kwargs):
        return self.request("PUT", url, **kwargs)

    def patch(self, url, **kwargs):
        return self.request("PATCH", url, **kwargs)

    def delete(self, url, **kwargs):
        return self.request("DELETE", url, **kwargs)


# ---- context and log -----------------------------------------------------------------------

class context:
    """What a VU knows about its run."""

    vu_id = staticmethod(_context.vu_id)
    iteration = staticmethod(_context.iteration)
    env = staticmethod(_context.env)
    elapsed_us = staticmethod(_context.elapsed_us)
    unix_time_ms = staticmethod(_context.unix_time_ms)
    random_u64 = staticmethod(_context.random_u64)

    @staticmethod
    def sleep(seconds):
        """Pauses this VU (not the engine)."""
        _context.sleep(round(seconds * 1000))


class log:
    """Lines in the run's log, tagged with the VU id (print() goes there too, at info)."""

    @staticmethod
    def debug(message):
        _context.log(_types.LogLevel.DEBUG, str(message))

    @staticmethod
    def info(message):
        _context.log(_types.LogLevel.INFO, str(message))

    @staticmethod
    def warning(message):
        _context.log(_types.LogLevel.WARN, str(message))

    @staticmethod
    def error(message):
        _context.log(_types.LogLevel.ERROR, str(message))


# ---- the user ------------------------------------------------------------------------------

class HttpUser:
    """Subclass it once in scenario.py: class attributes ``name``, ``wait_time`` (default no
    wait) and the docstring (the description); methods ``on_start``, ``on_stop`` and the
    ``@task`` methods, in the order written; ``on_test_start`` and ``on_test_stop`` for the
    run's setup and teardown."""

    name = None
    wait_time = _types.ThinkTime_None_()
    client = HttpClient()

    def on_start(self):
        """Runs once when the VU starts (log in, keep the token in ``self``). An exception is a
        VU error: the VU stops and restarts as a fresh instance."""

    def on_stop(self):
        """Runs once when the VU stops at the end of the run (log out)."""

    def on_test_start(self):
        """The run's setup: runs once, before any VU starts, on an instance of its own (not a
        VU: what it sets on ``self`` reaches no VU). What it returns is handed to every VU as
        ``shared.setup_value()`` / ``setup_text()`` / ``setup_json()`` and to ``on_test_stop``:
        a str (stored as UTF-8), bytes, or anything else JSON can encode; None is empty. Its
        requests are reported under names starting with ``[setup]``. An exception ends the run
        before any VU starts; ``raise Exception("why")`` makes "why" the run's one error line.
        Does nothing unless overridden."""
        return None

    def on_test_stop(self, setup_value):
        """The run's teardown: runs once after the last VU has ended (also when the run is
        interrupted; never when setup failed), on an instance of its own, with setup's value as
        bytes. Its requests are reported under names starting with ``[teardown]``. Does nothing
        unless overridden."""

    @classmethod
    def _tasks(cls):
        seen, tasks = set(), []
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                if hasattr(value, "horde_task_weight") and attr not in seen:
                    seen.add(attr)
                    tasks.append((attr, value.horde_task_weight))
        return tasks
