//! Setup logs in once and hands the token to every VU; each VU reads its profile with it and
//! counts an order in a shared counter; teardown logs the token out and logs the counters.
//! With `--env FAIL_SETUP=1`, setup fails after its login. The Zig port of
//! tests/guests/lifecycle.
const std = @import("std");
const horde = @import("horde");

fn setup() ![]const u8 {
    var login = try horde.post("/api/auth/login")
        .json("{\"username\": \"testuser\", \"password\": \"password123\"}")
        .wantBody()
        .send();
    defer login.deinit();
    const token = horde.jsonString(login.body(), "access_token") orelse
        return horde.fail("no access_token", .{});
    if (horde.env("FAIL_SETUP")) |flag| {
        horde.freeString(flag);
        horde.freeString(token);
        return horde.fail("asked to fail (FAIL_SETUP)", .{});
    }
    // The SDK copies the token; setup's instance ends right after, so it is not freed.
    return token;
}

fn teardown(token: [:0]const u8) !void {
    var logout = try horde.post("/api/auth/logout").bearer(token).expect(&.{204}).send();
    logout.deinit();
    const leader = horde.shared.get("leader");
    defer if (leader) |l| horde.freeString(l);
    horde.info("teardown: orders={d} leaders={d} leader={s}", .{
        horde.shared.counterGet("orders"),
        horde.shared.counterGet("leaders"),
        leader orelse "",
    });
}

/// This VU's copy of setup's token.
var token_of_vu: ?[:0]u8 = null;

fn onStart() !void {
    const token = horde.shared.setupValue();
    if (token.len == 0) {
        horde.freeString(token);
        return horde.fail("setup's value did not reach this VU", .{});
    }
    token_of_vu = token;
    // Only one VU of the run may win this.
    var buffer: [32]u8 = undefined;
    const mine = try std.mem.print(&buffer, "vu-{d}", .{horde.vuId()});
    if (try horde.shared.compareAndSwap("leader", null, mine, null)) {
        _ = try horde.shared.counterAdd("leaders", 1);
    }
}

fn order() !void {
    var profile = try horde.get("/api/users/me").bearer(token_of_vu.?).send();
    profile.deinit();
    _ = try horde.shared.counterAdd("orders", 1);
}

comptime {
    horde.scenario(.{
        .name = "lifecycle-zig",
        .description = "Setup logs in once; VUs use its token and count orders; teardown logs out.",
        .setup = setup,
        .teardown = teardown,
        .on_start = onStart,
        .tasks = &.{.{ "order", 1, order }},
    });
}
