/* Logs in once, then reads its profile and its orders with the token (Locust's
 * AuthenticatedUser), in C. Given a data set `users` (columns username, password), each VU
 * logs in as its own account from it; without one, every VU logs in as the seed's testuser.
 * Built by scripts/build into target/scenarios/authenticated-user-c.wasm. */
#include <stdio.h>
#include <stdlib.h>

#include "horde.h"

/* One instance is one user: this global is that user's token. */
static char *auth_token;

static horde_error on_start(void) {
    /* Each row goes to one VU only: no two VUs share an account. */
    char credentials[1024];
    horde_row account;
    horde_data_status status;
    horde_error err = horde_data_unique("users", &account, &status);
    if (status == HORDE_DATA_UNKNOWN_SET) {
        free(err);
        snprintf(credentials, sizeof credentials,
                 "{\"username\": \"testuser\", \"password\": \"password123\"}");
    } else if (err) {
        return err; /* every account is taken */
    } else {
        char *username = horde_json_quote(horde_row_get(&account, "username"));
        char *password = horde_json_quote(horde_row_get(&account, "password"));
        snprintf(credentials, sizeof credentials, "{\"username\": %s, \"password\": %s}",
                 username, password);
        free(username);
        free(password);
        horde_row_free(&account);
    }
    horde_response login;
    err = horde_send(&(horde_request){
        .method = HORDE_POST,
        .url = "/api/auth/login",
        .json = credentials,
        .want_body = true,
    }, &login);
    if (err) return err;
    if (login.status == 200) {
        auth_token = horde_json_string(login.body, "access_token");
        horde_info("Login successful, token acquired.");
    } else {
        horde_warn("Login failed: %u - %s", login.status, login.body ? login.body : "");
    }
    horde_response_free(&login);
    return HORDE_OK;
}

static horde_error get_user_profile(void) {
    if (!auth_token) {
        horde_info("Skipping task, no auth token available.");
        return HORDE_OK;
    }
    return horde_send(&(horde_request){.url = "/api/users/me", .bearer = auth_token}, NULL);
}

static horde_error get_user_orders(void) {
    if (!auth_token) return HORDE_OK;
    return horde_send(&(horde_request){.url = "/api/orders", .bearer = auth_token}, NULL);
}

HORDE_SCENARIO(
    .name = "authenticated-user",
    .description = "Logs in once, then reads its profile and its orders with the token.",
    .on_start = on_start,
    .wait = HORDE_BETWEEN(1, 5),
    HORDE_TASKS({"get_user_profile", 1, get_user_profile},
                {"get_user_orders", 1, get_user_orders}),
);
