"""The world's exports for componentize-py (`componentize horde._component`): finds the
HttpUser subclass in the scenario's `scenario` module and runs it, one instance per VU.
Not an API."""

import json
import traceback

import scenario as _scenario
import wit_world
from wit_world.imports import types as _types
from componentize_py_types import Err

from horde import SDK, HttpUser


def _user_class():
    users = [v for v in vars(_scenario).values()
             if isinstance(v, type) and issubclass(v, HttpUser) and v is not HttpUser]
    if len(users) != 1:
        raise TypeError(f"scenario.py must define exactly one HttpUser subclass, found {len(users)}")
    return users[0]


_USER = _user_class()
_TASKS = _USER._tasks()


def _message(error):
    """One line for the engine: the exception and the scenario's line that raised it (the
    innermost frame outside the SDK)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/horde/" not in f.filename]
    where = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def _setup_message(error):
    """Setup's and teardown's error: the message alone for a plain Exception (the run's one
    line reads as the scenario wrote it), else the type and line as for the other hooks."""
    if type(error) is Exception and str(error):
        return str(error)
    return _message(error)


def _setup_bytes(value):
    """What on_test_start returned, as the bytes every VU gets."""
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return json.dumps(value).encode()


class WitWorld(wit_world.WitWorld):
    _user = None

    def _get_user(self):
        if WitWorld._user is None:
            WitWorld._user = _USER()
        return WitWorld._user

    def metadata(self):
        description = (_USER.__doc__ or "").strip()
        return _types.ScenarioInfo(
            name=_USER.name or _USER.__name__,
            description=" ".join(description.split()),
            tasks=[_types.TaskInfo(name, weight) for name, weight in _TASKS],
            think_time=_USER.wait_time,
            sdk=SDK,
            thresholds=list(getattr(_USER, "thresholds", [])),
        )

    # Setup and teardown run on instances of their own, each with a user object of its own;
    # without on_test_start / on_test_stop, setup hands every VU an empty value and teardown
    # does nothing.
    def setup(self):
        try:
            return _setup_bytes(self._get_user().on_test_start())
        except Exception as error:
            raise Err(_setup_message(error))

    def teardown(self, setup_value):
        try:
            self._get_user().on_test_stop(setup_value)
        except Exception as error:
            raise Err(_setup_message(error))

    def _call(self, method):
        try:
            method()
        except Exception as error:  # every failure is the task's error, never a trap
            raise Err(_message(error))

    def on_start(self):
        self._call(self._get_user().on_start)

    def run_task(self, index):
        if index >= len(_TASKS):
            raise Err(f"no task with index {index}: this scenario has {len(_TASKS)} task(s)")
        user = self._get_user()
        self._call(getattr(user, _TASKS[index][0]))

    def on_stop(self):
        self._call(self._get_user().on_stop)
