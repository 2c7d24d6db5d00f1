// Locust's AuthenticatedUser in JavaScript, for horde: logs in once, then reads its profile
// and its orders with the token. Built by scripts/build into
// target/scenarios/authenticated-user-js.wasm. Given a data set `users` (columns username,
// password: --data users=scripts/authenticated-user/users.csv), each VU logs in as its own
// account from it; without one, every VU logs in as the seed's testuser.
import { UnknownSetError, between, data, http, log, scenario, task } from "./horde.js";

// One instance is one user: this is that user's token.
let authToken = null;

scenario({
  name: "authenticated-user",
  description: "Logs in once, then reads its profile and its orders with the token.",
  wait: between(1, 5),

  onStart() {
    // Each row goes to one VU only: no two VUs share an account. Running out of rows
    // (ExhaustedError) fails onStart.
    let credentials;
    try {
      const account = data.unique("users");
      credentials = { username: account.get("username"), password: account.get("password") };
    } catch (e) {
      if (!(e instanceof UnknownSetError)) throw e;
      credentials = { username: "testuser", password: "password123" };
    }
    const login = http.post("/api/auth/login", { json: credentials, wantBody: true });
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
