/* Setup logs in once and hands the token to every VU; each VU reads its profile with it and
 * counts an order in a shared counter; teardown logs the token out and logs the counters.
 * With `--env FAIL_SETUP=1`, setup fails after its login. The C port of tests/guests/lifecycle. */
#include <stdio.h>
#include <stdlib.h>

#include "horde.h"

static horde_error setup(char **value, size_t *len) {
    (void)len; /* the token is a C string */
    horde_response login;
    horde_error err = horde_send(&(horde_request){
        .method = HORDE_POST,
        .url = "/api/auth/login",
        .json = "{\"username\": \"testuser\", \"password\": \"password123\"}",
        .want_body = true,
    }, &login);
    if (err) return err;
    char *token = horde_json_string(login.body, "access_token");
    horde_response_free(&login);
    if (!token) return horde_errorf("no access_token");
    char *fail = horde_env("FAIL_SETUP");
    if (fail) {
        free(fail);
        free(token);
        return horde_errorf("asked to fail (FAIL_SETUP)");
    }
    *value = token;
    return HORDE_OK;
}

static horde_error teardown(const char *token, size_t len) {
    (void)len;
    horde_error err = horde_send(&(horde_request){
        .method = HORDE_POST,
        .url = "/api/auth/logout",
        .bearer = token,
        .expect = (const uint16_t[]){204},
        .expect_len = 1,
    }, NULL);
    if (err) return err;
    char *leader = horde_shared_get("leader", NULL);
    horde_info("teardown: orders=%lld leaders=%lld leader=%s",
               (long long)horde_shared_counter_get("orders"),
               (long long)horde_shared_counter_get("leaders"), leader ? leader : "");
    free(leader);
    return HORDE_OK;
}

/* This VU's copy of setup's token. */
static char *token;

static horde_error on_start(void) {
    token = horde_shared_setup_value(NULL);
    if (!token || !*token) return horde_errorf("setup's value did not reach this VU");
    /* Only one VU of the run may win this. */
    char mine[32];
    int len = snprintf(mine, sizeof mine, "vu-%u", (unsigned)horde_vu_id());
    bool won;
    horde_error err = horde_shared_compare_and_swap("leader", NULL, 0, mine, (size_t)len,
                                                    HORDE_NO_TTL, &won);
    if (err) return err;
    if (won) return horde_shared_counter_add("leaders", 1, NULL);
    return HORDE_OK;
}

static horde_error order(void) {
    horde_error err = horde_send(&(horde_request){.url = "/api/users/me", .bearer = token}, NULL);
    if (err) return err;
    return horde_shared_counter_add("orders", 1, NULL);
}

HORDE_SCENARIO(
    .name = "lifecycle-c",
    .description = "Setup logs in once; VUs use its token and count orders; teardown logs out.",
    .setup = setup,
    .teardown = teardown,
    .on_start = on_start,
    HORDE_TASKS({"order", 1, order}),
);
