"""Takes one row of the data set `users` in `on_start`, in the mode named by `--env MODE=...`
(unique by default), and logs its index, so a test can see which VU got which row. A port of
tests/guests/unique-rows."""

from horde import HttpUser, constant, context, data, log, task

MODES = {
    None: data.Mode.UNIQUE,
    "unique": data.Mode.UNIQUE,
    "sequential": data.Mode.SEQUENTIAL,
    "random": data.Mode.RANDOM,
    "per-vu": data.Mode.PER_VU,
}


class Reader(HttpUser):
    """Takes one row of `users` per VU and logs it; then checks health."""

    name = "unique-rows"
    wait_time = constant(0.5)
    row = 0

    def on_start(self):
        mode = context.env("MODE")
        if mode not in MODES:
            raise Exception(f"unknown MODE {mode}")
        row = data.read("users", MODES[mode])
        user = row.get("username")
        if user is None:
            raise Exception("no username column")
        log.info(f"row {row.index} user {user}")
        self.row = row.index

    @task
    def health(self):
        self.client.get("/api/health")
