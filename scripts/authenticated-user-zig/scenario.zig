//! Logs in once, then reads its profile and its orders with the token (Locust's
//! AuthenticatedUser), in Zig. Given a data set `users` (columns username, password), each VU
//! logs in as its own account from it; without one, every VU logs in as the seed's testuser.
//! Built by scripts/build into target/scenarios/authenticated-user-zig.wasm.
const std = @import("std");
const horde = @import("horde");

/// One instance is one user: this is that user's token.
var auth_token: ?[:0]u8 = null;

fn onStart() !void {
    // Each row goes to one VU only: no two VUs share an account.
    var account: ?horde.data.Row = horde.data.unique("users") catch |err| switch (err) {
        error.UnknownSet => null, // no data set: log in as the seed's testuser
        error.Exhausted => return err, // every account is taken
    };
    defer if (account) |*row| row.deinit();
    var buffer: [1024]u8 = undefined;
    const credentials = if (account) |*row| try accountJson(&buffer, row) else "{\"username\": \"testuser\", \"password\": \"password123\"}";
    var login = try horde.post("/api/auth/login")
        .json(credentials.ptr)
        .wantBody()
        .send();
    defer login.deinit();
    if (login.status == 200) {
        auth_token = horde.jsonString(login.body(), "access_token");
        horde.info("Login successful, token acquired.", .{});
    } else {
        horde.warn("Login failed: {d} - {s}", .{ login.status, login.body() });
    }
}

fn getUserProfile() !void {
    const token = auth_token orelse {
        horde.info("Skipping task, no auth token available.", .{});
        return;
    };
    var profile = try horde.get("/api/users/me").bearer(token).send();
    profile.deinit();
}

fn getUserOrders() !void {
    const token = auth_token orelse return;
    var orders = try horde.get("/api/orders").bearer(token).send();
    orders.deinit();
}

/// `{"username": ..., "password": ...}` from a row of `users`, written into `buffer`.
fn accountJson(buffer: []u8, account: *const horde.data.Row) ![:0]const u8 {
    const username = horde.jsonQuote(account.get("username"));
    defer horde.freeString(username);
    const password = horde.jsonQuote(account.get("password"));
    defer horde.freeString(password);
    return std.mem.printSentinel(buffer, "{{\"username\": {s}, \"password\": {s}}}", .{ username, password }, 0);
}

comptime {
    horde.scenario(.{
        .name = "authenticated-user",
        .description = "Logs in once, then reads its profile and its orders with the token.",
        .on_start = onStart,
        .wait = horde.between(1, 5),
        .tasks = &.{
            .{ "get_user_profile", 1, getUserProfile },
            .{ "get_user_orders", 1, getUserOrders },
        },
    });
}
