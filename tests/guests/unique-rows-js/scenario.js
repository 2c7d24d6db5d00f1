// Takes one row of the data set `users` in `onStart`, in the mode named by `--env MODE=...`
// (unique by default), and logs its index, so a test can see which VU got which row. A port
// of tests/guests/unique-rows.
import { constant, data, http, log, scenario, vu } from "./horde.js";

const MODES = ["unique", "sequential", "random", "per-vu"];

// This VU's row.
let row = 0;

scenario({
  name: "unique-rows",
  description: "Takes one row of `users` per VU and logs it; then checks health.",
  wait: constant(0.5),

  onStart() {
    const mode = vu.env("MODE") ?? "unique";
    if (!MODES.includes(mode)) throw new Error(`unknown MODE ${mode}`);
    const read = data.read("users", mode);
    const user = read.get("username");
    if (user === undefined) throw new Error("no username column");
    log.info(`row ${read.index} user ${user}`);
    row = read.index;
  },

  tasks: {
    health: () => {
      http.get("/api/health");
    },
  },
});
