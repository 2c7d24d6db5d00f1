// Write horde load-testing scenarios (virtual users) in JavaScript.
//
// A scenario is a WebAssembly component built with componentize-js (SpiderMonkey); each
// instance is one virtual user (VU), so the module's variables are that user's state.
// Declare the scenario once with `scenario({...})`:
//
//     import { scenario, task, http, log, between } from "./horde.js";
//
//     let token = null;
//
//     scenario({
//       name: "reader",
//       description: "Logs in once, then reads its profile three times as often as its orders.",
//       wait: between(1, 5),
//       onStart() {
//         const login = http.post("/api/auth/login", {
//           json: { username: "testuser", password: "password123" },
//           wantBody: true,
//         });
//         token = login.json().access_token;
//       },
//       tasks: {
//         profile: task(3, () => http.get("/api/users/me", { bearer: token })),
//         orders: task(1, () => http.get("/api/orders", { bearer: token })),
//       },
//     });
//
// State beyond the module's variables: `data` reads rows of the run's data sets (`--data`),
// `shared` holds counters and a key/value store all VUs share, and `scenario({ setup,
// teardown })` declares the run's setup (once before any VU; what it returns reaches every VU
// as `shared.setupValue()`) and teardown (once after the last VU). See docs/state.md.
// `check` and the metrics `Counter`, `Gauge`, `Rate`, `Trend` (k6's) record what the scenario
// measures besides its requests.
//
// The bindings componentize-js generates from sdk/wit are the `horde:scenario/*` imports
// below; docs/languages/javascript.md shows how to build a scenario.

import * as wit from "horde:scenario/http@0.2.0";
import * as context from "horde:scenario/context@0.2.0";
import * as dataWit from "horde:scenario/data@0.2.0";
import * as sharedWit from "horde:scenario/shared@0.2.0";
import * as metricsWit from "horde:scenario/metrics@0.2.0";

export const SDK = "horde-sdk-js 0.1.0";

// ---- think time ---------------------------------------------------------------------------

const ms = (seconds) => BigInt(Math.round(seconds * 1000));

/** A random wait between min and max seconds after each task (Locust's between). */
export const between = (min, max) => ({ tag: "between", val: { minMs: ms(min), maxMs: ms(max) } });
/** The same wait after every task, in seconds. */
export const constant = (s) => ({ tag: "constant", val: ms(s) });
/** Each task starts s seconds after the previous one started. */
export const constantPacing = (s) => ({ tag: "constant-pacing", val: ms(s) });
/** At most n tasks per second per VU. */
export const constantThroughput = (n) => ({ tag: "constant-throughput", val: n });
/** No wait between tasks. */
export const noWait = () => ({ tag: "none" });

// ---- HTTP ---------------------------------------------------------------------------------

/** A request that got no response; `kind` is timeout, connect, tls, invalid-request,
 * protocol or cancelled. */
export class HttpError extends Error {
  constructor(kind, detail) {
    super(detail ? `${kind}: ${detail}` : kind);
    this.name = "HttpError";
    this.kind = kind;
    this.detail = detail;
  }
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A response: status, ok, elapsedUs, and body / headers when asked for. */
export class Response {
  constructor(raw) {
    this.id = raw.id;
    this.status = raw.status;
    this.ok = raw.ok;
    this.elapsedUs = Number(raw.elapsedUs);
    this.body = raw.body ?? null;
    this.headers = raw.headers ? Object.fromEntries(raw.headers) : null;
  }
  /** The body as text; the request must have asked for it with `wantBody: true`. */
  text() {
    if (this.body === null) throw new Error("the body was not asked for: pass wantBody: true");
    return decoder.decode(this.body);
  }
  json() {
    return JSON.parse(this.text());
  }
  /** Marks this response failed after inspecting it (Locust's catch_response). */
  fail(reason) {
    wit.markFailed(this.id, String(reason));
  }
  /** Marks this response passed although its status was not expected. */
  pass() {
    wit.markPassed(this.id);
  }
}

/** Sends one request through the engine. Options: json, body (string or Uint8Array),
 * headers ({name: value}), bearer, name, expect ([401]), timeout (seconds), wantBody,
 * wantHeaders. Throws HttpError when no response came. */
function request(method, url, options = {}) {
  const headers = Object.entries(options.headers ?? {});
  if (options.bearer != null) headers.push(["authorization", `Bearer ${options.bearer}`]);
  let body;
  if (options.json !== undefined) {
    body = encoder.encode(JSON.stringify(options.json));
    if (!headers.some(([k]) => k.toLowerCase() === "content-type")) {
      headers.push(["content-type", "application/json"]);
    }
  } else if (options.body !== undefined) {
    body = typeof options.body === "string" ? encoder.encode(options.body) : options.body;
  }
  try {
    return new Response(
      wit.send({
        method,
        url,
        headers,
        body,
        name: options.name,
        expectStatus: options.expect ?? [],
        timeoutMs: options.timeout === undefined ? undefined : Math.round(options.timeout * 1000),
        wantBody: options.wantBody ?? false,
        wantHeaders: options.wantHeaders ?? false,
      }),
    );
  } catch (e) {
    const error = e.payload ?? e;
    if (error && typeof error.tag === "string") throw new HttpError(error.tag, error.val);
    throw e;
  }
}

export const http = {
  request,
  get: (url, options) => request("get", url, options),
  head: (url, options) => request("head", url, options),
  post: (url, options) => request("post", url, options),
  put: (url, options) => request("put", url, options),
  patch: (url, options) => request("patch", url, options),
  delete: (url, options) => request("delete", url, options),
  options: (url, options) => request("options", url, options),
};

// ---- data sets ----------------------------------------------------------------------------

/** A read of a data set that got no row. `kind` is `"unknown-set"` (no set of that name was
 * given with `--data`; the message lists those that were) or `"exhausted"` (a unique read
 * found every row handed out; the message says how many). Catch `UnknownSetError` or
 * `ExhaustedError`, or test `kind`. */
export class DataError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = "DataError";
    this.kind = kind;
  }
}

/** No data set of this name was given with `--data` (`kind` `"unknown-set"`). */
export class UnknownSetError extends DataError {
  constructor(message) {
    super("unknown-set", message);
    this.name = "UnknownSetError";
  }
}

/** A unique read found every row of the set handed out (`kind` `"exhausted"`). Thrown from
 * `onStart` it is a VU error, or with `--data-exhausted stop` the VU stops. */
export class ExhaustedError extends DataError {
  constructor(message) {
    super("exhausted", message);
    this.name = "ExhaustedError";
  }
}

/** The payload of an error a `result` import threw (componentize-js wraps it). */
const payload = (e) => (e && typeof e === "object" && "payload" in e ? e.payload : e);

function dataError(e) {
  const error = payload(e);
  if (error?.tag === "unknown-set") return new UnknownSetError(error.val);
  if (error?.tag === "exhausted") return new ExhaustedError(error.val);
  return e;
}

/** One row of a data set: `index` (its position in the set, from 0; a CSV header is not a
 * row), `fields` (the values in column order; for JSON lines one field, the line's text),
 * `columns` (the set's CSV columns; empty for JSON lines), `get(column)` and `json()`. */
export class Row {
  constructor(index, fields, columns) {
    this.index = index;
    this.fields = fields;
    this.columns = columns;
  }
  /** The value in the CSV column `column`, or undefined when the header does not name it. */
  get(column) {
    const i = this.columns.indexOf(column);
    return i < 0 ? undefined : this.fields[i];
  }
  /** The row as a value: a JSON-lines row parsed from its text; a CSV row as an object of its
   * columns (`{ username: "...", password: "..." }`), every value a string. */
  json() {
    if (this.columns.length === 0) return JSON.parse(this.fields[0] ?? "null");
    return Object.fromEntries(this.columns.map((c, i) => [c, this.fields[i]]));
  }
}

const MODES = ["unique", "sequential", "random", "per-vu"];
// Column names per set, asked of the engine once per VU so that a read copies only its row.
const setColumns = new Map();

/** What the data set `name` holds: `{ rows, columns }` (its row count, and its CSV header's
 * column names; empty for JSON lines). Throws `UnknownSetError`. */
function describe(name) {
  let info;
  try {
    info = dataWit.describe(name);
  } catch (e) {
    throw dataError(e);
  }
  return { rows: Number(info.rows), columns: info.columns };
}

/** Reads one row of the data set `name`, chosen by `mode`: `"unique"`, `"sequential"`,
 * `"random"` or `"per-vu"` (the functions beside it name the mode for you). Throws
 * `UnknownSetError` or `ExhaustedError`. */
function read(name, mode) {
  if (!MODES.includes(mode)) {
    throw new TypeError(`unknown data mode ${JSON.stringify(mode)}: use one of ${MODES.join(", ")}`);
  }
  let columns = setColumns.get(name);
  if (columns === undefined) {
    columns = describe(name).columns;
    setColumns.set(name, columns);
  }
  let row;
  try {
    row = dataWit.read(name, mode);
  } catch (e) {
    throw dataError(e);
  }
  return new Row(Number(row.index), row.fields, columns);
}

/** The run's data sets, given with `--data NAME=FILE` (CSV with a header row, or JSON lines):
 *
 *     const account = data.unique("users"); // --data users=users.csv
 *     http.post("/api/auth/login", { json: account.json() });
 */
export const data = {
  describe,
  read,
  /** The next row no read in this run has had: each row goes to at most one read. Read it
   * once in `onStart` and the VU holds a row (an account) no other VU holds; a restarted VU
   * takes a new one. Throws `ExhaustedError` when every row is taken. */
  unique: (name) => read(name, "unique"),
  /** The next row round-robin across all reads of all VUs, wrapping at the end. */
  sequential: (name) => read(name, "sequential"),
  /** A uniformly random row, from the VU's seeded generator (`--seed` repeats it). */
  random: (name) => read(name, "random"),
  /** Row (VU id - 1) modulo the set's length: the same row every time for a VU, also after
   * it restarts. */
  perVu: (name) => read(name, "per-vu"),
};

// ---- shared state -------------------------------------------------------------------------

/** A shared-state call went past a limit (a name, key or value too long, or the store full);
 * the message names it. `kind` is `"limit"`. Nothing was changed. */
export class LimitError extends Error {
  constructor(message) {
    super(message);
    this.name = "LimitError";
    this.kind = "limit";
  }
}

function limited(call) {
  try {
    return call();
  } catch (e) {
    const error = payload(e);
    if (error?.tag === "limit") throw new LimitError(error.val);
    throw e;
  }
}

/** A value to store: a string as UTF-8, a Uint8Array as it is. */
function bytes(value) {
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`a shared value is a string or a Uint8Array, not ${value === null ? "null" : typeof value}`);
}
/** Seconds (or undefined) as the WIT's milliseconds. */
const ttlMs = (ttl) => (ttl == null ? undefined : BigInt(Math.max(0, Math.round(ttl * 1000))));

/** State shared by all VUs of a run, kept by the engine for the length of the run: setup's
 * value, atomic counters and a key/value store with expiry. Values are bytes (`Uint8Array`);
 * a string given as a value is stored as UTF-8. Limits: names and keys up to 256 bytes,
 * values up to 64 KiB, 10,000 counters, 100,000 live keys; a call past one throws
 * `LimitError` and changes nothing.
 *
 *     const placed = shared.counterAdd("orders");
 *     if (placed % 1000 === 0) log.info(`${placed} orders placed so far`);
 */
export const shared = {
  /** The bytes setup returned (empty without a setup); every VU gets the same value. */
  setupValue: () => sharedWit.setupValue(),
  /** Setup's value as text (setup returned a string, say a token). */
  setupText: () => decoder.decode(sharedWit.setupValue()),
  /** Setup's value parsed as JSON (setup returned an object or array), or undefined when it
   * is empty. */
  setupJson: () => {
    const value = sharedWit.setupValue();
    return value.length === 0 ? undefined : JSON.parse(decoder.decode(value));
  },
  /** Adds `delta` (an integer, 1 by default) to the counter `name` (0 before its first use)
   * and returns the new value. Exact under contention: N VUs adding 1 M times make N x M.
   * Throws `LimitError`. */
  counterAdd: (name, delta = 1) => Number(limited(() => sharedWit.counterAdd(name, BigInt(delta)))),
  /** The current value of the counter `name` (0 if never added to). */
  counterGet: (name) => Number(sharedWit.counterGet(name)),
  /** The bytes stored under `key`, or undefined when it is absent or expired. */
  get: (key) => sharedWit.get(key) ?? undefined,
  /** The value under `key` as text, or undefined when it is absent or expired. */
  getText: (key) => {
    const value = sharedWit.get(key);
    return value == null ? undefined : decoder.decode(value);
  },
  /** Stores `value` (a string or Uint8Array) under `key`, replacing any value; it expires
   * after `ttl` seconds if given: `shared.set("last-order", "17", { ttl: 60 })`. Throws
   * `LimitError`. */
  set: (key, value, { ttl } = {}) => {
    limited(() => sharedWit.set(key, bytes(value), ttlMs(ttl)));
  },
  /** Stores `value` under `key` only if the current value equals `expected` (null or
   * undefined: only if the key is absent or expired), expiring after `ttl` seconds if given;
   * returns whether it stored. One VU wins a race to fill a key:
   *
   *     if (shared.compareAndSwap("leader", null, `vu-${vu.id()}`)) log.info("this VU leads");
   *
   * Throws `LimitError`. */
  compareAndSwap: (key, expected, value, { ttl } = {}) =>
    limited(() =>
      sharedWit.compareAndSwap(key, expected == null ? undefined : bytes(expected), bytes(value), ttlMs(ttl)),
    ),
  /** Removes `key`; returns whether it held a live value. */
  delete: (key) => sharedWit["delete"](key),
};

// ---- checks and custom metrics ------------------------------------------------------------

/** Tags as the WIT's pairs: an object `{ key: value }` or `[[key, value], ...]`. */
const tagPairs = (tags) =>
  tags == null
    ? []
    : (Array.isArray(tags) ? tags : Object.entries(tags)).map(([k, v]) => [String(k), String(v)]);

/** Records checks: conditions about the system under test that held or did not. Counted per
 * name and tags (passes, fails, rate), they form the `checks` metric thresholds can use
 * (`checks{check:token is rejected}: rate==1`); a failed check fails neither the request nor
 * the task. Two forms:
 *
 *     check("expired token is rejected", r.status === 401);            // -> the boolean
 *     check(r, { "status is 200": (r) => r.status === 200 }, { page: "home" }); // k6's form
 *
 * The first records one check and returns `ok`; k6's form records one check per entry (a
 * function is called with the value, and one that throws fails; any other entry counts by its
 * truthiness) and returns whether all passed. Tags are an object such as
 * `{ token: "expired" }`. */
export function check(nameOrValue, okOrSets, tags) {
  if (typeof nameOrValue === "string" && (typeof okOrSets !== "object" || okOrSets === null)) {
    return metricsWit.check(nameOrValue, Boolean(okOrSets), tagPairs(tags));
  }
  const pairs = tagPairs(tags);
  let all = true;
  for (const [name, condition] of Object.entries(okOrSets ?? {})) {
    let ok;
    try {
      ok = Boolean(typeof condition === "function" ? condition(nameOrValue) : condition);
    } catch {
      ok = false;
    }
    all = metricsWit.check(name, ok, pairs) && all;
  }
  return all;
}

/** A sum, reported with its rate per second (k6's `Counter`). Declare once, add anywhere:
 *
 *     const ordersCreated = new Counter("orders_created");
 *     ordersCreated.add(1, { shop: "eu" });
 *
 * Metric names are ASCII letters, digits and `_` (at most 128, not starting with a digit) and
 * not one of the built-in names; at most 8 tags per call. A misuse records nothing and shows
 * in the run's error report under `METRIC`. */
export class Counter {
  constructor(name) {
    this.name = name;
  }
  /** Adds `value` (1 by default) to the counter, or to its series with these tags. */
  add(value = 1, tags) {
    metricsWit.counterAdd(this.name, Number(value), tagPairs(tags));
  }
}

/** The last value set, with the smallest and largest (k6's `Gauge`). */
export class Gauge {
  constructor(name) {
    this.name = name;
  }
  /** Sets the gauge, or its series with these tags, to `value` (k6's `add`). */
  set(value, tags) {
    metricsWit.gaugeSet(this.name, Number(value), tagPairs(tags));
  }
  /** The same as `set`, under k6's name. */
  add(value, tags) {
    this.set(value, tags);
  }
}

/** The share of samples that were true (k6's `Rate`). */
export class Rate {
  constructor(name) {
    this.name = name;
  }
  /** Adds one sample (true or false, by truthiness) to the rate, or its series with these
   * tags. */
  add(value, tags) {
    metricsWit.rateAdd(this.name, Boolean(value), tagPairs(tags));
  }
}

/** A distribution (min, average, median, percentiles, max), like response times (k6's
 * `Trend`); values from 0 to 1e9, kept to 3 significant digits. */
export class Trend {
  constructor(name) {
    this.name = name;
  }
  /** Adds one sample to the trend, or to its series with these tags. */
  add(value, tags) {
    metricsWit.trendAdd(this.name, Number(value), tagPairs(tags));
  }
}

// ---- context and log ----------------------------------------------------------------------

export const vu = {
  /** This VU's number, from 1. */
  id: () => context.vuId(),
  /** Tasks this VU started before the current one. */
  iteration: () => Number(context.iteration()),
  /** The value given with --env KEY=VALUE, or undefined. */
  env: (key) => context.env(key) ?? undefined,
  /** Microseconds since the run started. */
  elapsedUs: () => Number(context.elapsedUs()),
  /** Wall-clock milliseconds since the Unix epoch. */
  unixTimeMs: () => Number(context.unixTimeMs()),
  /** A number from this VU's generator (seeded from --seed), as a BigInt. */
  randomU64: () => context.randomU64(),
  /** Pauses this VU (not the engine), in seconds. */
  sleep: (seconds) => context.sleep(ms(seconds)),
};

/** Lines in the run's log, tagged with the VU id (console.log goes there too, at info). */
export const log = {
  debug: (message) => context.log("debug", String(message)),
  info: (message) => context.log("info", String(message)),
  warn: (message) => context.log("warn", String(message)),
  error: (message) => context.log("error", String(message)),
};

// ---- the scenario -------------------------------------------------------------------------

/** A task with a weight: `task(3, () => ...)`. */
export const task = (weight, run) => ({ weight, run });

let definition = null;

/** Declares the scenario: name, description, wait, thresholds, setup, teardown, onStart,
 * onStop, and tasks as `{ name: task(weight, fn) }` (or `{ name: fn }` for weight 1), in the
 * order run-task numbers them.
 *
 * `setup()` runs once per run, before any VU starts, on an instance of its own (not a VU:
 * module variables it sets reach no VU). What it returns is handed to every VU as
 * `shared.setupValue()` / `setupText()` / `setupJson()` and to `teardown`: a string (stored as
 * UTF-8), a Uint8Array, or anything else JSON can encode; undefined is empty. A throw ends
 * the run before any VU starts (`throw new Error("why")` makes "why" its one error line).
 * `teardown(value)` runs once after the last VU has ended (also when the run is interrupted;
 * never when setup failed), on an instance of its own, with setup's value as a Uint8Array.
 * Their requests are reported under names starting with `[setup]` and `[teardown]`. Without
 * them setup's value is empty and teardown does nothing. */
export function scenario(def) {
  const tasks = Object.entries(def.tasks ?? {}).map(([name, t]) =>
    typeof t === "function" ? { name, weight: 1, run: t } : { name, weight: t.weight, run: t.run },
  );
  definition = { ...def, tasks };
}

function defined() {
  if (definition === null) throw "scenario.js did not call scenario({...})";
  return definition;
}

/** Runs a hook; an exception becomes the task's error message (WIT `result<_, string>`). */
function guard(hook) {
  try {
    hook?.();
  } catch (e) {
    throw e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

// The world's exports.
export function metadata() {
  const d = defined();
  return {
    name: d.name ?? "",
    description: d.description ?? "",
    tasks: d.tasks.map(({ name, weight }) => ({ name, weight })),
    thinkTime: d.wait ?? noWait(),
    sdk: SDK,
    thresholds: d.thresholds ?? [],
  };
}

/** Setup's and teardown's error: the message alone for a plain Error or a thrown string
 * (the run's one line reads as the scenario wrote it), else `Name: message`. */
function setupGuard(hook) {
  try {
    return hook();
  } catch (e) {
    if (!(e instanceof Error)) throw String(e);
    throw e.constructor === Error && e.message ? e.message : `${e.name}: ${e.message}`;
  }
}

/** What setup returned, as the bytes every VU gets. */
function setupBytes(value) {
  if (value === undefined || value === null) return new Uint8Array(0);
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  return encoder.encode(JSON.stringify(value));
}

export function setup() {
  const hook = defined().setup;
  if (!hook) return new Uint8Array(0);
  return setupGuard(() => setupBytes(hook()));
}

export function teardown(setupValue) {
  const hook = defined().teardown;
  if (hook) setupGuard(() => hook(setupValue));
}

export function onStart() {
  guard(defined().onStart);
}

export function runTask(index) {
  const t = defined().tasks[index];
  if (!t) throw `no task with index ${index}: this scenario has ${defined().tasks.length} task(s)`;
  guard(t.run);
}

export function onStop() {
  guard(defined().onStop);
}
