//! Logs in once, then reads its profile and its orders with the token (Locust's
//! AuthenticatedUser), in Zig. Built by scripts/build into
//! target/scenarios/authenticated-user-zig.wasm.
const horde = @import("horde");

/// One instance is one user: this is that user's token.
var auth_token: ?[:0]u8 = null;

fn onStart() !void {
    var login = try horde.post("/api/auth/login")
        .json("{\"username\": \"testuser\", \"password\": \"password123\"}")
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
