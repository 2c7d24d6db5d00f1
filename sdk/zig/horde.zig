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

/// The message of the last failed request (or `fail`), for your own logging.
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
            remember(std.mem.span(message));
            c.free(message);
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
    return .{ .raw = .{ .method = @intFromEnum(method), .url = url } };
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

/// Frees a string returned by `jsonString` or `env`.
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
    c.horde_log_text(@intFromEnum(level), line.ptr, line.len);
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
pub const Definition = struct {
    name: [*:0]const u8,
    description: [*:0]const u8 = "",
    on_start: ?*const fn () anyerror!void = null,
    on_stop: ?*const fn () anyerror!void = null,
    wait: Wait = .{ .kind = 0, .a = 0, .b = 0 },
    tasks: []const struct { [*:0]const u8, u32, *const fn () anyerror!void },
};

/// A C hook around a Zig `fn () !void`: an error becomes the message of the last `fail` or
/// failed request, else the error's name.
fn hook(comptime f: *const fn () anyerror!void) c.Hook {
    return &struct {
        fn call() callconv(.c) ?[*:0]u8 {
            last_error_len = 0;
            f() catch |e| {
                const message = if (last_error_len > 0) lastError() else @errorName(e);
                return c.horde_error_text(message.ptr, message.len);
            };
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
        };
    };
    @export(&S.definition, .{ .name = "horde_scenario_definition" });
}
