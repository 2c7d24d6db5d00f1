"""Locust's AuthenticatedUser in Python, for horde. Built by scripts/build into
target/scenarios/authenticated-user-python.wasm. Given a data set `users` (columns username,
password: --data users=scripts/authenticated-user/users.csv), each VU logs in as its own
account from it; without one, every VU logs in as the seed's testuser."""

from horde import HttpUser, UnknownSetError, between, data, log, task


class AuthenticatedUser(HttpUser):
    """Logs in once, then reads its profile and its orders with the token."""

    name = "authenticated-user"
    wait_time = between(1, 5)
    auth_token = None

    def on_start(self):
        # Each row goes to one VU only: no two VUs share an account. Running out of rows
        # (ExhaustedError) fails on_start.
        try:
            account = data.unique("users")
            credentials = {"username": account.get("username"),
                           "password": account.get("password")}
        except UnknownSetError:
            credentials = {"username": "testuser", "password": "password123"}
        login = self.client.post("/api/auth/login", json=credentials, want_body=True)
        if login.status_code == 200:
            self.auth_token = login.json()["access_token"]
            log.info("Login successful, token acquired.")
        else:
            log.warning(f"Login failed: {login.status_code} - {login.text}")

    @task
    def get_user_profile(self):
        if self.auth_token:
            self.client.get("/api/users/me", bearer=self.auth_token)
        else:
            log.info("Skipping task, no auth token available.")

    @task
    def get_user_orders(self):
        if self.auth_token:
            self.client.get("/api/orders", bearer=self.auth_token)
