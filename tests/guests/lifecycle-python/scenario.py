"""Setup logs in once and hands the token to every VU; each VU reads its profile with it and
counts an order in a shared counter; teardown logs the token out and logs the counters.
With `--env FAIL_SETUP=1`, setup fails after its login. A port of tests/guests/lifecycle."""

from horde import HttpUser, context, log, shared, task


class Buyer(HttpUser):
    """Setup logs in once; VUs use its token and count orders; teardown logs out."""

    name = "lifecycle"
    token = ""

    def on_test_start(self):
        login = self.client.post("/api/auth/login", want_body=True,
                                 json={"username": "testuser", "password": "password123"})
        token = login.json().get("access_token")
        if not isinstance(token, str):
            raise Exception("no access_token")
        if context.env("FAIL_SETUP") is not None:
            raise Exception("asked to fail (FAIL_SETUP)")
        return token

    def on_test_stop(self, token):
        self.client.post("/api/auth/logout", bearer=token.decode(), expect=[204])
        leader = (shared.get("leader") or b"").decode(errors="replace")
        log.info(f"teardown: orders={shared.counter_get('orders')} "
                 f"leaders={shared.counter_get('leaders')} leader={leader}")

    def on_start(self):
        self.token = shared.setup_text()
        if not self.token:
            raise Exception("setup's value did not reach this VU")
        # Only one VU of the run may win this.
        if shared.compare_and_swap("leader", None, f"vu-{context.vu_id()}"):
            shared.counter_add("leaders", 1)

    @task
    def order(self):
        self.client.get("/api/users/me", bearer=self.token)
        shared.counter_add("orders", 1)
