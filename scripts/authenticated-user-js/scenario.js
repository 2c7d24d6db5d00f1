// Locust's AuthenticatedUser in JavaScript, for horde: logs in once, then reads its profile
// and its orders with the token. Built by scripts/build into
// target/scenarios/authenticated-user-js.wasm.
import { between, http, log, scenario, task } from "./horde.js";

// One instance is one user: this is that user's token.
let authToken = null;

scenario({
  name: "authenticated-user",
  description: "Logs in once, then reads its profile and its orders with the token.",
  wait: between(1, 5),

  onStart() {
    const login = http.post("/api/auth/login", {
      json: { username: "testuser", password: "password123" },
      wantBody: true,
    });
    if (login.status === 200) {
      authToken = login.json().access_token;
      log.info("Login successful, token acquired.");
    } else {
      log.warn(`Login failed: ${login.status} - ${login.text()}`);
    }
  },

  tasks: {
    get_user_profile: task(1, () => {
      if (authToken) {
        http.get("/api/users/me", { bearer: authToken });
      } else {
        log.info("Skipping task, no auth token available.");
      }
    }),
    get_user_orders: task(1, () => {
      if (authToken) http.get("/api/orders", { bearer: authToken });
    }),
  },
});
