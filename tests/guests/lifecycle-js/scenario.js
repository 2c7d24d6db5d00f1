// Setup logs in once and hands the token to every VU; each VU reads its profile with it and
// counts an order in a shared counter; teardown logs the token out and logs the counters.
// With `--env FAIL_SETUP=1`, setup fails after its login. A port of tests/guests/lifecycle.
import { http, log, scenario, shared, vu } from "./horde.js";

// This VU's copy of setup's token.
let token = "";

scenario({
  name: "lifecycle",
  description: "Setup logs in once; VUs use its token and count orders; teardown logs out.",

  setup() {
    const login = http.post("/api/auth/login", {
      json: { username: "testuser", password: "password123" },
      wantBody: true,
    });
    const accessToken = login.json().access_token;
    if (typeof accessToken !== "string") throw new Error("no access_token");
    if (vu.env("FAIL_SETUP") !== undefined) throw new Error("asked to fail (FAIL_SETUP)");
    return accessToken;
  },

  teardown(value) {
    const setupToken = new TextDecoder("utf-8", { fatal: true }).decode(value);
    http.post("/api/auth/logout", { bearer: setupToken, expect: [204] });
    const leader = shared.getText("leader") ?? "";
    log.info(
      `teardown: orders=${shared.counterGet("orders")} leaders=${shared.counterGet("leaders")} leader=${leader}`,
    );
  },

  onStart() {
    token = shared.setupText();
    if (token === "") throw new Error("setup's value did not reach this VU");
    // Only one VU of the run may win this.
    if (shared.compareAndSwap("leader", null, `vu-${vu.id()}`)) shared.counterAdd("leaders", 1);
  },

  tasks: {
    order: () => {
      http.get("/api/users/me", { bearer: token });
      shared.counterAdd("orders", 1);
    },
  },
});
