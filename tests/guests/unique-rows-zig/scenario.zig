//! Takes one row of the data set `users` in on_start, in the mode named by `--env MODE=...`
//! (unique by default), and logs its index, so a test can see which VU got which row. The Zig
//! port of tests/guests/unique-rows.
const std = @import("std");
const horde = @import("horde");

/// This VU's row.
var row_index: u64 = 0;

fn modeNamed(name: ?[:0]const u8) !horde.data.Mode {
    const n = name orelse return .unique;
    if (std.mem.eql(u8, n, "unique")) return .unique;
    if (std.mem.eql(u8, n, "sequential")) return .sequential;
    if (std.mem.eql(u8, n, "random")) return .random;
    if (std.mem.eql(u8, n, "per-vu")) return .per_vu;
    return horde.fail("unknown MODE {s}", .{n});
}

fn onStart() !void {
    const name = horde.env("MODE");
    defer if (name) |n| horde.freeString(n);
    var row = try horde.data.read("users", try modeNamed(name));
    defer row.deinit();
    const user = row.get("username") orelse return horde.fail("no username column", .{});
    horde.info("row {d} user {s}", .{ row.index(), user });
    row_index = row.index();
}

fn health() !void {
    var r = try horde.get("/api/health").send();
    r.deinit();
}

comptime {
    horde.scenario(.{
        .name = "unique-rows-zig",
        .description = "Takes one row of `users` per VU and logs it; then checks health.",
        .on_start = onStart,
        .wait = horde.constant(0.5),
        .tasks = &.{.{ "health", 1, health }},
    });
}
