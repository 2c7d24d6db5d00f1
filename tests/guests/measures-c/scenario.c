/* Checks, custom metrics of every kind, and a threshold in its metadata, with values the tests
 * can predict from the iteration count. A port of tests/guests/measures to the C SDK. */
#include <stdio.h>
#include <stdlib.h>

#include "horde.h"

static char *token;

static horde_error on_start(void) {
    horde_response login;
    horde_error err = horde_send(&(horde_request){
        .method = HORDE_POST, .url = "/api/auth/login",
        .json = "{\"username\": \"testuser\", \"password\": \"password123\"}", .want_body = true,
    }, &login);
    if (err) return err;
    token = horde_json_string(login.body, "access_token");
    horde_response_free(&login);
    return token ? HORDE_OK : horde_errorf("no access_token");
}

static horde_error profile(void) {
    horde_response r;
    horde_error err = horde_send(&(horde_request){.url = "/api/users/me", .bearer = token}, &r);
    if (err) return err;
    horde_check("profile status is 200", r.status == 200, NULL);
    horde_response_free(&r);
    uint64_t i = horde_iteration();
    char vu[16];
    snprintf(vu, sizeof vu, "%u", (unsigned)horde_vu_id());
    horde_check("iteration is even", i % 2 == 0, HORDE_TAGS("vu", vu));
    horde_metric_counter_add("profiles_read", 1, NULL);
    horde_metric_counter_add("profiles_read", 2, HORDE_TAGS("kind", "double"));
    horde_metric_gauge_set("last_iteration", (double)i, NULL);
    horde_metric_rate_add("even_iteration", i % 2 == 0, NULL);
    horde_metric_trend_add("iteration_value", (double)i, NULL);
    horde_metric_counter_add("not a valid name", 1, NULL);
    return HORDE_OK;
}

HORDE_SCENARIO(
    .name = "measures",
    .description = "Checks and custom metrics of every kind, predictable from the iteration.",
    .on_start = on_start,
    .thresholds = (const char *const[]){"checks{check:profile status is 200}: rate==1", "profiles_read: count>0"},
    .threshold_count = 2,
    HORDE_TASKS({"profile", 1, profile}),
);
