// Checks, custom metrics of every kind, and a threshold in its metadata, with values the tests
// can predict from the iteration count. A port of tests/guests/measures (the first check in
// k6's form, the second in horde's).
import { Counter, Gauge, Rate, Trend, check, http, scenario, vu } from "./horde.js";

const profilesRead = new Counter("profiles_read");
const lastIteration = new Gauge("last_iteration");
const even = new Rate("even_iteration");
const iterationValue = new Trend("iteration_value");
let token = "";

scenario({
  name: "measures",
  description: "Checks and custom metrics of every kind, predictable from the iteration.",
  thresholds: ["checks{check:profile status is 200}: rate==1", "profiles_read: count>0"],
  onStart() {
    const login = http.post("/api/auth/login", {
      json: { username: "testuser", password: "password123" },
      wantBody: true,
    });
    token = login.json().access_token;
  },
  tasks: {
    profile() {
      const r = http.get("/api/users/me", { bearer: token });
      check(r, { "profile status is 200": (r) => r.status === 200 });
      const i = vu.iteration();
      check("iteration is even", i % 2 === 0, { vu: String(vu.id()) });
      profilesRead.add(1);
      profilesRead.add(2, { kind: "double" });
      lastIteration.set(i);
      even.add(i % 2 === 0);
      iterationValue.add(i);
      // A misuse: records nothing, shows in the error report.
      new Counter("not a valid name").add();
    },
  },
});
