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
// The bindings componentize-js generates from sdk/wit are the `horde:scenario/*` imports
// below; docs/languages/javascript.md shows how to build a scenario.

import * as wit from "horde:scenario/http@0.2.0";
import * as context from "horde:scenario/context@0.2.0";

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

/** Declares the scenario: name, description, wait, onStart, onStop, and tasks as
 * `{ name: task(weight, fn) }` (or `{ name: fn }` for weight 1), in the order run-task
 * numbers them. */
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

// This SDK has no setup or teardown hooks yet: setup hands every VU an empty value and
// teardown does nothing, which is what the engine expects of a scenario without them.
export function setup() {
  return new Uint8Array(0);
}

export function teardown(_setupValue) {}

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
