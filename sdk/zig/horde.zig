//! Write horde load-testing scenarios (virtual users) in Zig.
//!
//! A scenario is a WebAssembly component; each instance is one virtual user (VU), so the
//! container-level `var`s of your file are that user's state. Hooks and tasks are plain
//! `fn () !void`; declare the scenario once with `horde.scenario`:
//!
//!     const horde = @import("horde");
//!
//!     var token: ?[:0]u8 = null;
//!
//!     fn onStart() !void {
//!         var login = try horde.post("/api/auth/login")
//!             .json("{\"username\": \"testuser\", \"password\": \"password123\"}")
//!             .wantBody()
//!             .send();
//!         defer login.deinit();
//!         token = horde.jsonString(login.body(), "access_token");
//!     }
//!
//!     fn profile() !void {
//!         var r = try horde.get("/api/users/me").bearer(token orelse return).send();
//!         r.deinit();
//!     }
//!
//!     comptime {
//!         horde.scenario(.{
//!             .name = "reader",
//!             .on_start = onStart,
//!             .wait = horde.between(1, 5),
//!             .tasks = &.{.{ "profile", 1, profile }},
//!         });
//!     }
//!
//! Data sets (`horde.data`), state shared by all VUs (`horde.shared`) and the scenario's
//! `setup`/`teardown` are described in docs/state.md; checks and custom metrics
//! (`horde.metrics`) in docs/results.md.
//!
//! The SDK sits on the C SDK (sdk/c/horde.h), which sits on the bindings wit-bindgen
//! generates from sdk/wit; docs/languages/zig.md shows how to build a scenario.

const std = @import("std");

/// The SDK's version, reported in the scenario's metadata.
pub const version = "0.1.0";

/// The C SDK's types and functions (sdk/c/horde.h), as Zig sees them.
const c = struct {
    const Hook = *const fn () callconv(.c) ?[*:0]u8;

    const CRequest = extern struct {
        method: c_int = 0,
        url: [*:0]const u8,
        name: ?[*:0]const u8 = null,
        bearer: ?[*:0]const u8 = null,
        json: ?[*:0]const u8 = null,
        body: ?[*]const u8 = null,
        body_len: usize = 0,
        headers: ?[*]const ?[*:0]const u8 = null,
        expect: ?[*]const u16 = null,
        expect_len: usize = 0,
        timeout_ms: u32 = 0,
        want_body: bool = false,
        want_headers: bool = false,
    };

    const CResponse = extern struct {
        id: u64 = 0,
        status: u16 = 0,
        ok: bool = false,
        elapsed_us: u64 = 0,
        body: ?[*:0]u8 = null,
        body_len: usize = 0,
        header_count: usize = 0,
        header_names: ?[*][*:0]u8 = null,
        header_values: ?[*][*:0]u8 = null,
    };

    const SetupHook = *const fn (value: *?[*]u8, len: *usize) callconv(.c) ?[*:0]u8;
    const TeardownHook = *const fn (value: [*:0]const u8, len: usize) callconv(.c) ?[*:0]u8;

    const CTask = extern struct { name: [*:0]const u8, weight: u32, run: Hook };
    const CWait = extern struct { kind: c_int, a: f64, b: f64 };
    const CScenario = extern struct {
        name: [*:0]const u8,
        description: [*:0]const u8,
        on_start: ?Hook,
        on_stop: ?Hook,
        wait: CWait,
        tasks: [*]const CTask,
        task_count: usize,
        sdk: ?[*:0]const u8,
        thresholds: ?[*]const [*:0]const u8 = null,
        threshold_count: usize = 0,
        setup: ?SetupHook = null,
        teardown: ?TeardownHook = null,
    };

    const CRow = extern struct {
        index: u64 = 0,
        field_count: usize = 0,
        fields: ?[*][*:0]u8 = null,
        column_count: usize = 0,
        columns: ?[*]const [*:0]const u8 = null,
    };

    const CDataInfo = extern struct {
        rows: u64 = 0,
        column_count: usize = 0,
        columns: ?[*][*:0]u8 = null,
    };

    extern fn horde_send(request: *const CRequest, response: ?*CResponse) ?[*:0]u8;
    extern fn horde_response_free(response: *CResponse) void;
    extern fn horde_response_header(response: *const CResponse, name: [*:0]const u8) ?[*:0]const u8;
    extern fn horde_response_fail(response: *const CResponse, reason: [*:0]const u8) void;
    extern fn horde_response_pass(response: *const CResponse) void;
    extern fn horde_json_string(json: ?[*:0]const u8, key: [*:0]const u8) ?[*:0]u8;
    extern fn horde_error_text(message: [*]const u8, len: usize) ?[*:0]u8;
    extern fn horde_log_text(level: c_int, message: [*]const u8, len: usize) void;
    extern fn horde_env(key: [*:0]const u8) ?[*:0]u8;
    extern fn horde_vu_id() u32;
    extern fn horde_iteration() u64;
    extern fn horde_elapsed_us() u64;
    extern fn horde_unix_time_ms() u64;
    extern fn horde_random_u64() u64;
    extern fn horde_sleep_ms(ms: u64) void;
    extern fn horde_json_quote(text: ?[*:0]const u8) ?[*:0]u8;
    extern fn horde_data_read(set: [*:0]const u8, mode: c_int, row: *CRow, status: ?*c_int) ?[*:0]u8;
    extern fn horde_data_describe(set: [*:0]const u8, info: *CDataInfo, status: ?*c_int) ?[*:0]u8;
    extern fn horde_data_info_free(info: *CDataInfo) void;
    extern fn horde_row_get(row: *const CRow, column: [*:0]const u8) ?[*:0]const u8;
    extern fn horde_row_free(row: *CRow) void;
    extern fn horde_shared_setup_value(len: ?*usize) ?[*:0]u8;
    extern fn horde_shared_counter_add(name: [*:0]const u8, delta: i64, value: ?*i64) ?[*:0]u8;
    extern fn horde_shared_counter_get(name: [*:0]const u8) i64;
    extern fn horde_shared_get(key: [*:0]const u8, len: ?*usize) ?[*:0]u8;
    extern fn horde_shared_set(key: [*:0]const u8, value: ?*const anyopaque, len: usize, ttl_ms: u64) ?[*:0]u8;
    extern fn horde_shared_compare_and_swap(
        key: [*:0]const u8,
        expected: ?*const anyopaque,
        expected_len: usize,
        value: ?*const anyopaque,
        len: usize,
        ttl_ms: u64,
        stored: ?*bool,
    ) ?[*:0]u8;
    extern fn horde_shared_delete(key: [*:0]const u8) bool;
    extern fn horde_check(name: [*:0]const u8, ok: bool, tags: ?[*]const ?[*:0]const u8) bool;
    extern fn horde_metric_counter_add(name: [*:0]const u8, value: f64, tags: ?[*]const ?[*:0]const u8) void;
    extern fn horde_metric_gauge_set(name: [*:0]const u8, value: f64, tags: ?[*]const ?[*:0]const u8) void;
    extern fn horde_metric_rate_add(name: [*:0]const u8, value: bool, tags: ?[*]const ?[*:0]const u8) void;
    extern fn horde_metric_trend_add(name: [*:0]const u8, value: f64, tags: ?[*]const ?[*:0]const u8) void;
    extern fn malloc(size: usize) ?*anyopaque;
    extern fn free(ptr: ?*anyopaque) void;
};

/// An HTTP method.
pub const Method = enum(c_int) { get, head, post, put, patch, delete, options };

/// Why a request got no response; `lastError()` has the engine's message.
pub const HttpError = error{RequestFailed};

/// The message of the last failed request, or of the last `fail`.
var last_error: [512]u8 = undefined;
var last_error_len: usize = 0;

fn remember(message: []const u8) void {
    last_error_len = @min(message.len, last_error.len);
    @memcpy(last_error[0..last_error_len], message[0..last_error_len]);
}

/// Keeps a message the C SDK returned (as `lastError()`) and frees it.
fn takeMessage(message: [*:0]u8) void {
    remember(std.mem.span(message));
    c.free(message);
}

/// The message of the last failed call (a request, a data read, a shared-state call) or
/// `fail`, for your own logging.
pub fn lastError() []const u8 {
    return last_error[0..last_error_len];
}

/// Ends a hook or task with a formatted message (the engine records it as the task's error):
/// `return horde.fail("unexpected status {d}", .{status});`
pub fn fail(comptime format: []const u8, args: anytype) error{TaskFailed} {
    const message = std.fmt.bufPrint(&last_error, format, args) catch last_error[0..];
    last_error_len = message.len;
    return error.TaskFailed;
}

/// A request being built; `send` sends it. Header slices must outlive `send`.
pub const Request = struct {
    raw: c.CRequest,
    extra_headers: ?[*]const ?[*:0]const u8 = null,

    /// Groups the request in the statistics under `name` (e.g. "/api/orders/[id]").
    pub fn name(self: Request, value: [*:0]const u8) Request {
        var r = self;
        r.raw.name = value;
        return r;
    }

    /// Adds `authorization: Bearer <token>`.
    pub fn bearer(self: Request, token: [*:0]const u8) Request {
        var r = self;
        r.raw.bearer = token;
        return r;
    }

    /// Sends `body` as JSON, with `content-type: application/json`.
    pub fn json(self: Request, text: [*:0]const u8) Request {
        var r = self;
        r.raw.json = text;
        return r;
    }

    /// Sends raw bytes as the body.
    pub fn body(self: Request, bytes: []const u8) Request {
        var r = self;
        r.raw.body = bytes.ptr;
        r.raw.body_len = bytes.len;
        return r;
    }

    /// Extra headers: `&.{ "accept", "application/json", null }` (name, value, ..., null).
    pub fn headers(self: Request, list: []const ?[*:0]const u8) Request {
        var r = self;
        r.raw.headers = list.ptr;
        return r;
    }

    /// The statuses that count as a success, e.g. `&.{401}` for a negative test.
    pub fn expect(self: Request, statuses: []const u16) Request {
        var r = self;
        r.raw.expect = statuses.ptr;
        r.raw.expect_len = statuses.len;
        return r;
    }

    /// Gives up after `ms` milliseconds.
    pub fn timeoutMs(self: Request, ms: u32) Request {
        var r = self;
        r.raw.timeout_ms = ms;
        return r;
    }

    /// Copies the response body into the VU (leave it out when the body is not read).
    pub fn wantBody(self: Request) Request {
        var r = self;
        r.raw.want_body = true;
        return r;
    }

    /// Copies the response headers into the VU.
    pub fn wantHeaders(self: Request) Request {
        var r = self;
        r.raw.want_headers = true;
        return r;
    }

    /// Sends the request and waits for the response. An unexpected status is still a
    /// response (check `status` or `ok`); only no response at all is an error.
    pub fn send(self: Request) HttpError!Response {
        var response = Response{ .raw = .{} };
        if (c.horde_send(&self.raw, &response.raw)) |message| {
            takeMessage(message);
            return error.RequestFailed;
        }
        response.status = response.raw.status;
        response.ok = response.raw.ok;
        return response;
    }
};

/// A response; `deinit` frees its body and headers.
pub const Response = struct {
    raw: c.CResponse,
    status: u16 = 0,
    ok: bool = false,

    /// The body (empty unless the request asked for it with `wantBody`).
    pub fn body(self: *const Response) [:0]const u8 {
        const b = self.raw.body orelse return "";
        return b[0..self.raw.body_len :0];
    }

    /// A header's value (with `wantHeaders`), or null.
    pub fn header(self: *const Response, header_name: [*:0]const u8) ?[:0]const u8 {
        const v = c.horde_response_header(&self.raw, header_name) orelse return null;
        return std.mem.span(v);
    }

    /// Time from sending to receiving the whole body, in microseconds.
    pub fn elapsedUs(self: *const Response) u64 {
        return self.raw.elapsed_us;
    }

    /// Marks the response failed after inspecting it (Locust's catch_response).
    pub fn markFailed(self: *const Response, reason: [*:0]const u8) void {
        c.horde_response_fail(&self.raw, reason);
    }

    /// Marks the response passed although its status was not expected.
    pub fn markPassed(self: *const Response) void {
        c.horde_response_pass(&self.raw);
    }

    pub fn deinit(self: *Response) void {
        c.horde_response_free(&self.raw);
    }
};

/// A request with any method.
pub fn request(method: Method, url: [*:0]const u8) Request {
    return .{ .raw = .{ .method = @backingInt(method), .url = url } };
}
pub fn get(url: [*:0]const u8) Request {
    return request(.get, url);
}
pub fn post(url: [*:0]const u8) Request {
    return request(.post, url);
}
pub fn put(url: [*:0]const u8) Request {
    return request(.put, url);
}
pub fn patch(url: [*:0]const u8) Request {
    return request(.patch, url);
}
pub fn delete(url: [*:0]const u8) Request {
    return request(.delete, url);
}

/// The string value of `key` in a JSON object, as a new string (free it with `freeString`),
/// or null. Enough for a token; use std.json for more.
pub fn jsonString(json_text: [:0]const u8, key: [*:0]const u8) ?[:0]u8 {
    const v = c.horde_json_string(json_text.ptr, key) orelse return null;
    return std.mem.span(v);
}

/// `text` as a JSON string, quoted and escaped (free it with `freeString`); `null` when text is
/// null (the VU traps if out of memory). For putting data into a JSON body:
/// `const name = horde.jsonQuote(row.get("username")); defer horde.freeString(name);`
pub fn jsonQuote(text: ?[:0]const u8) [:0]u8 {
    const q = c.horde_json_quote(if (text) |t| t.ptr else null) orelse @trap();
    return std.mem.span(q);
}

/// Frees a string or buffer the SDK returned: from `jsonString`, `jsonQuote`, `env`,
/// `shared.setupValue` or `shared.get`.
pub fn freeString(s: [:0]u8) void {
    c.free(s.ptr);
}

/// The value given with `--env KEY=VALUE` (free it with `freeString`), or null.
pub fn env(key: [*:0]const u8) ?[:0]u8 {
    const v = c.horde_env(key) orelse return null;
    return std.mem.span(v);
}

/// This VU's number, from 1.
pub fn vuId() u32 {
    return c.horde_vu_id();
}
/// Tasks this VU started before the current one.
pub fn iteration() u64 {
    return c.horde_iteration();
}
/// Microseconds since the run started.
pub fn elapsedUs() u64 {
    return c.horde_elapsed_us();
}
/// Wall-clock milliseconds since the Unix epoch.
pub fn unixTimeMs() u64 {
    return c.horde_unix_time_ms();
}
/// A number from this VU's generator (seeded from --seed).
pub fn randomU64() u64 {
    return c.horde_random_u64();
}
/// Pauses this VU (not the engine).
pub fn sleepMs(ms: u64) void {
    c.horde_sleep_ms(ms);
}

pub const Level = enum(c_int) { trace, debug, info, warn, err };

/// A line in the run's log, tagged with the VU id (formatted lines up to 1 KiB).
pub fn log(level: Level, comptime format: []const u8, args: anytype) void {
    var buffer: [1024]u8 = undefined;
    const line = std.fmt.bufPrint(&buffer, format, args) catch buffer[0..];
    c.horde_log_text(@backingInt(level), line.ptr, line.len);
}
pub fn info(comptime format: []const u8, args: anytype) void {
    log(.info, format, args);
}
pub fn warn(comptime format: []const u8, args: anytype) void {
    log(.warn, format, args);
}
pub fn debug(comptime format: []const u8, args: anytype) void {
    log(.debug, format, args);
}

/// Rows of the data sets given with `--data NAME=FILE` (CSV with a header row, or JSON lines),
/// loaded once by the engine and shared by all VUs; a read copies one row into the VU.
///
///     var account = try horde.data.unique("users");
///     defer account.deinit();
///     horde.info("logging in as {s}", .{account.get("username") orelse ""});
pub const data = struct {
    /// Which row a read gets; each mode keeps its own position per set.
    pub const Mode = enum(c_int) {
        /// The next row no read in this run has had: each row to at most one read.
        unique,
        /// The next row round-robin across all reads of all VUs, wrapping at the end.
        sequential,
        /// A uniformly random row, from this VU's seeded generator.
        random,
        /// Row (VU id - 1) modulo the set's length: the same row every time for a VU.
        per_vu,
    };

    /// Why a read got no row; `horde.lastError()` has the engine's message (a hook that
    /// returns the error reports that message).
    pub const Error = error{
        /// No data set of this name was given with `--data`.
        UnknownSet,
        /// A `unique` read found every row handed out already.
        Exhausted,
    };

    /// One row of a data set; `deinit` frees it.
    pub const Row = struct {
        raw: c.CRow,

        /// The row's position in its set, from 0 (a CSV header is not a row).
        pub fn index(self: *const Row) u64 {
            return self.raw.index;
        }

        /// The value in the CSV column `column`, or null for a column the header does not
        /// name (and for JSON lines, which have no columns). Valid until `deinit`.
        pub fn get(self: *const Row, column: [*:0]const u8) ?[:0]const u8 {
            const v = c.horde_row_get(&self.raw, column) orelse return null;
            return std.mem.span(v);
        }

        /// How many fields the row has (for JSON lines, 1).
        pub fn fieldCount(self: *const Row) usize {
            return self.raw.field_count;
        }

        /// The field at position `i` in column order (for JSON lines, field 0 is the line's
        /// JSON text). Valid until `deinit`.
        pub fn field(self: *const Row, i: usize) [:0]const u8 {
            return std.mem.span(self.raw.fields.?[i]);
        }

        /// All fields in column order, as C strings (`std.mem.span` each, or use `field`).
        pub fn fields(self: *const Row) []const [*:0]u8 {
            const all = self.raw.fields orelse return &.{};
            return all[0..self.raw.field_count];
        }

        /// Frees the row's fields.
        pub fn deinit(self: *Row) void {
            c.horde_row_free(&self.raw);
        }
    };

    /// What a data set holds; `deinit` frees it.
    pub const Info = struct {
        raw: c.CDataInfo,

        /// How many rows the set has (at least 1).
        pub fn rows(self: *const Info) u64 {
            return self.raw.rows;
        }

        /// The CSV header's column names, as C strings (none for JSON lines).
        pub fn columns(self: *const Info) []const [*:0]u8 {
            const all = self.raw.columns orelse return &.{};
            return all[0..self.raw.column_count];
        }

        /// Frees the column names.
        pub fn deinit(self: *Info) void {
            c.horde_data_info_free(&self.raw);
        }
    };

    fn failed(message: [*:0]u8, status: c_int) Error {
        takeMessage(message);
        return if (status == 1) error.UnknownSet else error.Exhausted;
    }

    /// Reads one row of the data set `set`, chosen by `mode`. The functions below name the
    /// mode for you.
    pub fn read(set: [*:0]const u8, mode: Mode) Error!Row {
        var row = Row{ .raw = .{} };
        var status: c_int = 0;
        if (c.horde_data_read(set, @backingInt(mode), &row.raw, &status)) |message|
            return failed(message, status);
        return row;
    }

    /// The next row no read in this run has had: read once in `on_start`, the row (an account)
    /// is this VU's own. Fails with `error.Exhausted` when every row is taken (with
    /// `--data-exhausted stop`, the VU then stops instead of restarting).
    pub fn unique(set: [*:0]const u8) Error!Row {
        return read(set, .unique);
    }

    /// The next row round-robin across all reads of all VUs, wrapping at the end.
    pub fn sequential(set: [*:0]const u8) Error!Row {
        return read(set, .sequential);
    }

    /// A uniformly random row, from the VU's seeded generator (`--seed` repeats it).
    pub fn random(set: [*:0]const u8) Error!Row {
        return read(set, .random);
    }

    /// Row (VU id - 1) modulo the set's length: the same row every time for a VU, also after
    /// it restarts.
    pub fn perVu(set: [*:0]const u8) Error!Row {
        return read(set, .per_vu);
    }

    /// Describes the data set `set`: its row count and CSV columns.
    pub fn describe(set: [*:0]const u8) Error!Info {
        var described = Info{ .raw = .{} };
        var status: c_int = 0;
        if (c.horde_data_describe(set, &described.raw, &status)) |message|
            return failed(message, status);
        return described;
    }

    /// How many rows the data set `set` has.
    pub fn len(set: [*:0]const u8) Error!u64 {
        var described = try describe(set);
        defer described.deinit();
        return described.rows();
    }
};

/// State all VUs of a run share, kept by the engine for the length of the run: setup's value,
/// atomic counters, and a key/value store with expiry. Limits: names and keys up to 256
/// bytes, values up to 64 KiB, 10,000 counters, 100,000 live keys; a call past one fails
/// with `error.Limit` (the message naming it in `horde.lastError()`) and changes nothing.
///
///     const placed = try horde.shared.counterAdd("orders", 1);
pub const shared = struct {
    /// A shared-state call went past a limit; `horde.lastError()` names it.
    pub const Error = error{Limit};

    fn checked(message: ?[*:0]u8) Error!void {
        if (message) |m| {
            takeMessage(m);
            return error.Limit;
        }
    }

    /// The bytes setup returned (empty without a setup), NUL-terminated; free them with
    /// `horde.freeString`. Every VU gets the same value. (The VU traps if out of memory.)
    pub fn setupValue() [:0]u8 {
        var size: usize = 0;
        const v = c.horde_shared_setup_value(&size) orelse @trap();
        return v[0..size :0];
    }

    /// Adds `delta` to the counter `name` (0 before its first use) and returns the new value.
    /// Exact under contention: N VUs adding 1 M times make N x M.
    pub fn counterAdd(name: [*:0]const u8, delta: i64) Error!i64 {
        var value: i64 = 0;
        try checked(c.horde_shared_counter_add(name, delta, &value));
        return value;
    }

    /// The current value of the counter `name` (0 if never added to).
    pub fn counterGet(name: [*:0]const u8) i64 {
        return c.horde_shared_counter_get(name);
    }

    /// The value under `key`, NUL-terminated (free it with `horde.freeString`), or null when
    /// the key is absent or expired.
    pub fn get(key: [*:0]const u8) ?[:0]u8 {
        var size: usize = 0;
        const v = c.horde_shared_get(key, &size) orelse return null;
        return v[0..size :0];
    }

    /// Stores `value` under `key`, replacing any value; it expires after `ttl_ms`
    /// milliseconds, or never with null.
    pub fn set(key: [*:0]const u8, value: []const u8, ttl_ms: ?u64) Error!void {
        try checked(c.horde_shared_set(key, value.ptr, value.len, ttl_ms orelse 0));
    }

    /// Stores `value` under `key` only if the current value equals `expected` (null: only if
    /// the key is absent or expired); returns whether it stored. `ttl_ms` as for `set`. Lets
    /// VUs agree on one value, such as a token minted once.
    pub fn compareAndSwap(key: [*:0]const u8, expected: ?[]const u8, value: []const u8, ttl_ms: ?u64) Error!bool {
        var stored = false;
        const e: ?*const anyopaque = if (expected) |x| x.ptr else null;
        const e_len = if (expected) |x| x.len else 0;
        try checked(c.horde_shared_compare_and_swap(key, e, e_len, value.ptr, value.len, ttl_ms orelse 0, &stored));
        return stored;
    }

    /// Removes `key`; returns whether it held a live value.
    pub fn delete(key: [*:0]const u8) bool {
        return c.horde_shared_delete(key);
    }
};

/// Checks and custom metrics: what a scenario measures besides its requests, aggregated per
/// run per name and tags. Metric names are ASCII letters, digits and `_` (at most 128, not
/// starting with a digit) and not one of the built-in names (`http_req_duration`, `checks`,
/// ...); tags are at most 8 `.{ "key", "value" }` pairs per call. A call with an invalid name
/// or tags records nothing and shows in the run's error report.
///
///     const cart_size = horde.metrics.Trend.init("cart_size");
///     _ = horde.metrics.check("token is rejected", r.status == 401);
///     cart_size.addTagged(3, &.{.{ "shop", "eu" }});
pub const metrics = struct {
    /// Tags: `&.{ .{ "token", "expired" } }`.
    pub const Tags = []const [2][*:0]const u8;

    /// A tag list as the C SDK takes it ("key", "value", ..., null), in `buffer`. Past 16
    /// pairs the rest are left out: more than 8 is refused by the engine either way.
    fn cTags(tags: Tags, buffer: *[33]?[*:0]const u8) [*]const ?[*:0]const u8 {
        const n = @min(tags.len, 16);
        for (tags[0..n], 0..) |tag, i| {
            buffer[i * 2] = tag[0];
            buffer[i * 2 + 1] = tag[1];
        }
        buffer[n * 2] = null;
        return buffer;
    }

    /// Records a check named `name` (free text up to 256 characters) that passed when `ok`,
    /// and returns `ok`. Checks are counted per name (passes, fails, rate) and form the
    /// `checks` metric thresholds can use; a failed check fails neither request nor task.
    pub fn check(name: [*:0]const u8, ok: bool) bool {
        return c.horde_check(name, ok, null);
    }

    /// `check` with tags, such as `&.{.{ "token", "expired" }}`.
    pub fn checkTagged(name: [*:0]const u8, ok: bool, tags: Tags) bool {
        var buffer: [33]?[*:0]const u8 = undefined;
        return c.horde_check(name, ok, cTags(tags, &buffer));
    }

    /// A sum, reported with its rate per second (k6's `Counter`).
    pub const Counter = struct {
        name: [*:0]const u8,

        /// Names a counter; nothing is recorded until `add`.
        pub fn init(name: [*:0]const u8) Counter {
            return .{ .name = name };
        }

        /// Adds `value` to the counter.
        pub fn add(self: Counter, value: f64) void {
            c.horde_metric_counter_add(self.name, value, null);
        }

        /// Adds `value` to the counter's series with these tags.
        pub fn addTagged(self: Counter, value: f64, tags: Tags) void {
            var buffer: [33]?[*:0]const u8 = undefined;
            c.horde_metric_counter_add(self.name, value, cTags(tags, &buffer));
        }
    };

    /// The last value set, with the smallest and the largest (k6's `Gauge`).
    pub const Gauge = struct {
        name: [*:0]const u8,

        /// Names a gauge.
        pub fn init(name: [*:0]const u8) Gauge {
            return .{ .name = name };
        }

        /// Sets the gauge to `value`.
        pub fn set(self: Gauge, value: f64) void {
            c.horde_metric_gauge_set(self.name, value, null);
        }

        /// Sets the gauge's series with these tags.
        pub fn setTagged(self: Gauge, value: f64, tags: Tags) void {
            var buffer: [33]?[*:0]const u8 = undefined;
            c.horde_metric_gauge_set(self.name, value, cTags(tags, &buffer));
        }
    };

    /// The share of samples that were true (k6's `Rate`).
    pub const Rate = struct {
        name: [*:0]const u8,

        /// Names a rate.
        pub fn init(name: [*:0]const u8) Rate {
            return .{ .name = name };
        }

        /// Adds one sample.
        pub fn add(self: Rate, value: bool) void {
            c.horde_metric_rate_add(self.name, value, null);
        }

        /// Adds one sample to the series with these tags.
        pub fn addTagged(self: Rate, value: bool, tags: Tags) void {
            var buffer: [33]?[*:0]const u8 = undefined;
            c.horde_metric_rate_add(self.name, value, cTags(tags, &buffer));
        }
    };

    /// A distribution (min, average, median, percentiles, max), like response times (k6's
    /// `Trend`). Values from 0 to 1e9, kept to 3 significant digits.
    pub const Trend = struct {
        name: [*:0]const u8,

        /// Names a trend.
        pub fn init(name: [*:0]const u8) Trend {
            return .{ .name = name };
        }

        /// Adds one sample.
        pub fn add(self: Trend, value: f64) void {
            c.horde_metric_trend_add(self.name, value, null);
        }

        /// Adds one sample to the series with these tags.
        pub fn addTagged(self: Trend, value: f64, tags: Tags) void {
            var buffer: [33]?[*:0]const u8 = undefined;
            c.horde_metric_trend_add(self.name, value, cTags(tags, &buffer));
        }
    };
};

/// Think time after each task (seconds).
pub const Wait = c.CWait;
pub fn noWait() Wait {
    return .{ .kind = 0, .a = 0, .b = 0 };
}
pub fn between(min_s: f64, max_s: f64) Wait {
    return .{ .kind = 1, .a = min_s, .b = max_s };
}
pub fn constant(s: f64) Wait {
    return .{ .kind = 2, .a = s, .b = 0 };
}
pub fn constantPacing(s: f64) Wait {
    return .{ .kind = 3, .a = s, .b = 0 };
}
pub fn constantThroughput(per_s: f64) Wait {
    return .{ .kind = 4, .a = per_s, .b = 0 };
}

/// What `scenario` takes. Tasks are `.{ "name", weight, function }`.
///
/// `setup` runs once per run before any VU starts, on an instance of its own (not a VU); the
/// bytes it returns are copied (what they point at stays the scenario's: a literal, or memory
/// it need not free, as setup's instance ends after it) and handed to every VU
/// (`horde.shared.setupValue()`) and to `teardown`. An error from setup ends the run before
/// any VU starts. `teardown` runs once after the last VU (also after the first Ctrl-C, never
/// when setup failed) with setup's value (NUL-terminated, valid for the call). Left out, setup hands the VUs an empty value and
/// teardown does nothing.
pub const Definition = struct {
    name: [*:0]const u8,
    description: [*:0]const u8 = "",
    setup: ?*const fn () anyerror![]const u8 = null,
    teardown: ?*const fn ([:0]const u8) anyerror!void = null,
    on_start: ?*const fn () anyerror!void = null,
    on_stop: ?*const fn () anyerror!void = null,
    wait: Wait = .{ .kind = 0, .a = 0, .b = 0 },
    tasks: []const struct { [*:0]const u8, u32, *const fn () anyerror!void },
    /// Pass/fail criteria of the run in k6's syntax, e.g. `"http_req_failed: rate<0.01"`
    /// (docs/results.md); `--threshold` on the command line adds more.
    thresholds: []const [*:0]const u8 = &.{},
};

/// The message a failed hook reports: the last `fail` or failed call's, else the error's name.
fn failure(e: anyerror) ?[*:0]u8 {
    const message = if (last_error_len > 0) lastError() else @errorName(e);
    return c.horde_error_text(message.ptr, message.len);
}

/// A C hook around a Zig `fn () !void`.
fn hook(comptime f: *const fn () anyerror!void) c.Hook {
    return &struct {
        fn call() callconv(.c) ?[*:0]u8 {
            last_error_len = 0;
            f() catch |e| return failure(e);
            return null;
        }
    }.call;
}

/// The C setup hook around a Zig setup: its bytes are copied into a buffer the C SDK frees.
fn setupHook(comptime f: *const fn () anyerror![]const u8) c.SetupHook {
    return &struct {
        fn call(value: *?[*]u8, size: *usize) callconv(.c) ?[*:0]u8 {
            last_error_len = 0;
            const bytes = f() catch |e| return failure(e);
            const raw = c.malloc(bytes.len + 1) orelse return failure(error.OutOfMemory);
            const copy: [*]u8 = @ptrCast(raw);
            @memcpy(copy[0..bytes.len], bytes);
            copy[bytes.len] = 0;
            value.* = copy;
            size.* = bytes.len;
            return null;
        }
    }.call;
}

/// The C teardown hook around a Zig teardown.
fn teardownHook(comptime f: *const fn ([:0]const u8) anyerror!void) c.TeardownHook {
    return &struct {
        fn call(value: [*:0]const u8, size: usize) callconv(.c) ?[*:0]u8 {
            last_error_len = 0;
            f(value[0..size :0]) catch |e| return failure(e);
            return null;
        }
    }.call;
}

/// Declares the scenario; call it once, in a `comptime` block.
pub fn scenario(comptime def: Definition) void {
    const S = struct {
        const tasks = blk: {
            var list: [def.tasks.len]c.CTask = undefined;
            for (def.tasks, 0..) |t, i| list[i] = .{ .name = t[0], .weight = t[1], .run = hook(t[2]) };
            break :blk list;
        };
        const definition = c.CScenario{
            .name = def.name,
            .description = def.description,
            .on_start = if (def.on_start) |f| hook(f) else null,
            .on_stop = if (def.on_stop) |f| hook(f) else null,
            .wait = def.wait,
            .tasks = &tasks,
            .task_count = tasks.len,
            .sdk = "horde-sdk-zig " ++ version,
            .thresholds = def.thresholds.ptr,
            .threshold_count = def.thresholds.len,
            .setup = if (def.setup) |f| setupHook(f) else null,
            .teardown = if (def.teardown) |f| teardownHook(f) else null,
        };
    };
    @export(&S.definition, .{ .name = "horde_scenario_definition" });
}
