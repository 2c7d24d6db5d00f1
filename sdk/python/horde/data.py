"""Rows of the data sets given on the command line with ``--data NAME=FILE`` (CSV with a header
row, or JSON lines). The engine loads each set once and shares it; a read copies one row.

The function says which row you get: :func:`unique` (each row to at most one read in the whole
run: one account per VU), :func:`sequential` (round-robin over all reads), :func:`random`, and
:func:`per_vu` (the same row every time for a VU)::

    from horde import HttpUser, data, task

    class Shopper(HttpUser):
        def on_start(self):
            # Run with: --data users=users.csv (columns username,password)
            account = data.unique("users")
            login = self.client.post("/api/auth/login", want_body=True, json={
                "username": account["username"], "password": account["password"]})
            self.token = login.json()["access_token"]

A read that gets no row raises :class:`UnknownSetError` (no set of that name was given) or
:class:`ExhaustedError` (a unique read found every row handed out), both :class:`DataError`.
"""

import json as _json
from collections.abc import Mapping as _Mapping

from componentize_py_types import Err as _Err
from wit_world.imports import data as _data

__all__ = [
    "Mode", "Row", "SetInfo", "DataError", "UnknownSetError", "ExhaustedError",
    "read", "unique", "sequential", "random", "per_vu", "describe",
]

Mode = _data.Mode
"""Which row a read gets: ``Mode.UNIQUE``, ``Mode.SEQUENTIAL``, ``Mode.RANDOM``,
``Mode.PER_VU`` (:func:`read` also takes their names: ``"unique"``, ``"per-vu"``, ...)."""

_MODES = {
    "unique": Mode.UNIQUE,
    "sequential": Mode.SEQUENTIAL,
    "random": Mode.RANDOM,
    "per-vu": Mode.PER_VU,
    "per_vu": Mode.PER_VU,
}


class DataError(Exception):
    """A read or describe that got nothing; ``message`` is the engine's explanation (which
    sets were given, or how many rows were handed out). Catch a subclass to tell why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class UnknownSetError(DataError):
    """No data set of this name was given with ``--data``; the message lists those that were."""


class ExhaustedError(DataError):
    """A unique read found every row of the set handed out already; the message says how many.
    Raised from ``on_start`` it is a VU error, or with ``--data-exhausted stop`` the VU stops."""


def _raise(error):
    if isinstance(error, _data.DataError_UnknownSet):
        raise UnknownSetError(error.value) from None
    if isinstance(error, _data.DataError_Exhausted):
        raise ExhaustedError(error.value) from None
    raise DataError(str(getattr(error, "value", error))) from None


class SetInfo:
    """What a data set holds: ``rows`` (its row count, at least 1) and ``columns`` (a CSV
    header's column names; empty for JSON lines)."""

    __slots__ = ("rows", "columns")

    def __init__(self, rows, columns):
        self.rows = rows
        self.columns = columns

    def __repr__(self):
        return f"SetInfo(rows={self.rows}, columns={list(self.columns)})"


class Row(_Mapping):
    """One row of a data set, a read-only mapping of CSV column to value: ``row["username"]``,
    ``row.get("password")``, ``"email" in row``, ``dict(row)``. Also ``index`` (the row's
    position in the set, from 0; a CSV header is not a row), ``fields`` (the values in column
    order; for JSON lines, one field: the line's text) and :meth:`json`."""

    __slots__ = ("index", "fields", "_columns")

    def __init__(self, index, fields, columns):
        self.index = index
        self.fields = fields
        self._columns = columns

    @property
    def columns(self):
        """The set's column names (a tuple; empty for JSON lines)."""
        return self._columns

    def __getitem__(self, column):
        try:
            return self.fields[self._columns.index(column)]
        except ValueError:
            raise KeyError(column) from None

    def __iter__(self):
        return iter(self._columns)

    def __len__(self):
        return len(self._columns)

    def json(self):
        """The row as a Python value: a JSON-lines row parsed from its text; a CSV row as a
        dict of its columns, every value a str."""
        if not self._columns:
            return _json.loads(self.fields[0] if self.fields else "null")
        return dict(zip(self._columns, self.fields))

    def __repr__(self):
        return f"Row(index={self.index}, fields={self.fields!r})"


# Column names per set, asked of the engine once per VU so that a read copies only its row.
_columns = {}


def describe(name):
    """What the data set ``name`` holds: a :class:`SetInfo` with its row count and columns.
    Raises :class:`UnknownSetError` when no set of that name was given."""
    try:
        info = _data.describe(name)
    except _Err as e:
        _raise(e.value)
    return SetInfo(info.rows, tuple(info.columns))


def _set_columns(name):
    columns = _columns.get(name)
    if columns is None:
        columns = _columns[name] = describe(name).columns
    return columns


def read(name, mode):
    """Reads one row of the data set ``name``, chosen by ``mode`` (a :data:`Mode` or its name:
    ``"unique"``, ``"sequential"``, ``"random"``, ``"per-vu"``). The functions below name the
    mode for you. Raises :class:`UnknownSetError` or :class:`ExhaustedError`."""
    if isinstance(mode, str):
        try:
            mode = _MODES[mode]
        except KeyError:
            raise ValueError(f"unknown data mode {mode!r}: use one of "
                             "unique, sequential, random, per-vu") from None
    columns = _set_columns(name)
    try:
        row = _data.read(name, mode)
    except _Err as e:
        _raise(e.value)
    return Row(row.index, row.fields, columns)


def unique(name):
    """The next row no read in this run has had: each row goes to at most one read. Read it
    once in ``on_start`` and the VU holds a row (an account) no other VU holds; a restarted VU
    takes a new one. Raises :class:`ExhaustedError` when every row is taken."""
    return read(name, Mode.UNIQUE)


def sequential(name):
    """The next row round-robin across all reads of all VUs, wrapping at the end."""
    return read(name, Mode.SEQUENTIAL)


def random(name):
    """A uniformly random row, from the VU's seeded generator (``--seed`` repeats it)."""
    return read(name, Mode.RANDOM)


def per_vu(name):
    """Row (VU id - 1) modulo the set's length: the same row every time for a VU, also after it
    restarts."""
    return read(name, Mode.PER_VU)
