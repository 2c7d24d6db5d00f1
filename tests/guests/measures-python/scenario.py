"""Checks, custom metrics of every kind, and a threshold in its metadata, with values the tests
can predict from the iteration count. A port of tests/guests/measures."""

from horde import HttpUser, check, context, metrics, task

PROFILES_READ = metrics.Counter("profiles_read")
LAST_ITERATION = metrics.Gauge("last_iteration")
EVEN = metrics.Rate("even_iteration")
ITERATION_VALUE = metrics.Trend("iteration_value")


class User(HttpUser):
    """Checks and custom metrics of every kind, predictable from the iteration."""

    name = "measures"
    thresholds = ["checks{check:profile status is 200}: rate==1", "profiles_read: count>0"]

    def on_start(self):
        login = self.client.post("/api/auth/login", want_body=True,
                                 json={"username": "testuser", "password": "password123"})
        self.token = login.json()["access_token"]

    @task
    def profile(self):
        r = self.client.get("/api/users/me", bearer=self.token)
        check("profile status is 200", r.status_code == 200)
        i = context.iteration()
        metrics.check("iteration is even", i % 2 == 0, {"vu": str(context.vu_id())})
        PROFILES_READ.add(1)
        PROFILES_READ.add(2, tags={"kind": "double"})
        LAST_ITERATION.set(i)
        EVEN.add(i % 2 == 0)
        ITERATION_VALUE.add(i)
        # A misuse: records nothing, shows in the error report.
        metrics.Counter("not a valid name").add()
