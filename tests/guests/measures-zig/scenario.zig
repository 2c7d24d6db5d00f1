//! Checks, custom metrics of every kind, and a threshold in its metadata, with values the tests
//! can predict from the iteration count. A port of tests/guests/measures to the Zig SDK.
const std = @import("std");
const horde = @import("horde");

const profiles_read = horde.metrics.Counter.init("profiles_read");
const last_iteration = horde.metrics.Gauge.init("last_iteration");
const even = horde.metrics.Rate.init("even_iteration");
const iteration_value = horde.metrics.Trend.init("iteration_value");

var token: ?[:0]u8 = null;

fn onStart() !void {
    var login = try horde.post("/api/auth/login")
        .json("{\"username\": \"testuser\", \"password\": \"password123\"}")
        .wantBody()
        .send();
    defer login.deinit();
    token = horde.jsonString(login.body(), "access_token") orelse return horde.fail("no access_token", .{});
}

fn profile() !void {
    var r = try horde.get("/api/users/me").bearer(token.?).send();
    defer r.deinit();
    _ = horde.metrics.check("profile status is 200", r.status == 200);
    const i = horde.iteration();
    var buffer: [16]u8 = undefined;
    const vu = try std.mem.printSentinel(&buffer, "{d}", .{horde.vuId()}, 0);
    _ = horde.metrics.checkTagged("iteration is even", i % 2 == 0, &.{.{ "vu", vu.ptr }});
    profiles_read.add(1);
    profiles_read.addTagged(2, &.{.{ "kind", "double" }});
    last_iteration.set(@floatFromInt(i));
    even.add(i % 2 == 0);
    iteration_value.add(@floatFromInt(i));
    horde.metrics.Counter.init("not a valid name").add(1);
}

comptime {
    horde.scenario(.{
        .name = "measures",
        .description = "Checks and custom metrics of every kind, predictable from the iteration.",
        .on_start = onStart,
        .tasks = &.{.{ "profile", 1, profile }},
        .thresholds = &.{ "checks{check:profile status is 200}: rate==1", "profiles_read: count>0" },
    });
}
