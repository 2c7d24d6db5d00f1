/* horde.h: write horde load-testing scenarios (virtual users) in C.
 *
 * A scenario is a WebAssembly component; each instance is one virtual user (VU), so the
 * globals of your file are that user's state (a token, a cart). Write hooks and tasks as
 * functions returning HORDE_OK or an error, and declare the scenario once:
 *
 *     #include "horde.h"
 *
 *     static char *token;
 *
 *     static horde_error on_start(void) {
 *         horde_response login;
 *         horde_error err = horde_send(&(horde_request){
 *             .method = HORDE_POST, .url = "/api/auth/login",
 *             .json = "{\"username\": \"testuser\", \"password\": \"password123\"}",
 *             .want_body = true,
 *         }, &login);
 *         if (err) return err;
 *         token = horde_json_string(login.body, "access_token");
 *         horde_response_free(&login);
 *         return HORDE_OK;
 *     }
 *
 *     static horde_error profile(void) {
 *         return horde_send(&(horde_request){ .url = "/api/users/me", .bearer = token }, NULL);
 *     }
 *
 *     HORDE_SCENARIO(
 *         .name = "reader",
 *         .description = "Logs in once, then reads its profile.",
 *         .on_start = on_start,
 *         .wait = HORDE_BETWEEN(1, 5),
 *         HORDE_TASKS({"profile", 1, profile}),
 *     );
 *
 * The bindings generated from sdk/wit by wit-bindgen (scenario.h) stay behind this header;
 * docs/languages/c.md shows how to build a scenario.
 */
#ifndef HORDE_H
#define HORDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HORDE_SDK_VERSION "0.1.0"

/* An error from a hook or task: NULL (HORDE_OK) is success, anything else a message the
 * engine records as the task's error. Make one with horde_errorf; the SDK frees it. */
typedef char *horde_error;
#define HORDE_OK ((horde_error)NULL)

/* A message for a failed hook or task, printf-style. */
horde_error horde_errorf(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* The same for a message of len bytes, without formatting (for other languages' SDKs). */
horde_error horde_error_text(const char *message, size_t len);

/* ---- HTTP ---------------------------------------------------------------------------- */

typedef enum horde_method {
    HORDE_GET = 0, /* the default of a zeroed request */
    HORDE_HEAD,
    HORDE_POST,
    HORDE_PUT,
    HORDE_PATCH,
    HORDE_DELETE,
    HORDE_OPTIONS,
} horde_method;

/* A request: set the fields you need, leave the others zero.
 *
 *     horde_send(&(horde_request){ .method = HORDE_POST, .url = "/api/orders",
 *                                  .json = "{\"item\": 7}", .name = "/api/orders" }, NULL);
 */
typedef struct horde_request {
    horde_method method;
    /* An absolute URL, or a path such as "/api/orders" joined to --host. */
    const char *url;
    /* The statistics group (e.g. "/api/orders/[id]"); NULL groups by the URL's path. */
    const char *name;
    /* Adds "authorization: Bearer <bearer>" when not NULL. */
    const char *bearer;
    /* A JSON body, sent with "content-type: application/json" (unless headers set one). */
    const char *json;
    /* A raw body of body_len bytes, when json is NULL. */
    const uint8_t *body;
    size_t body_len;
    /* Extra headers: "name", "value", "name", "value", ..., NULL. */
    const char *const *headers;
    /* Statuses that count as a success (e.g. {401} for a negative test); none means < 400. */
    const uint16_t *expect;
    size_t expect_len;
    /* Give up after this many milliseconds; 0 uses --request-timeout. */
    uint32_t timeout_ms;
    /* Copy the response body / headers into the VU (leave false when not read). */
    bool want_body;
    bool want_headers;
} horde_request;

/* A response. body is NUL-terminated (NULL unless want_body); free with horde_response_free. */
typedef struct horde_response {
    uint64_t id;
    uint16_t status;
    /* Whether the engine counted it as a success (its status was expected). */
    bool ok;
    uint64_t elapsed_us;
    char *body;
    size_t body_len;
    /* name, value pairs in lower case (only with want_headers). */
    size_t header_count;
    char **header_names;
    char **header_values;
} horde_response;

/* Sends a request and waits for the response. Returns HORDE_OK with *response filled (when
 * response is not NULL), or an error when no response came (timeout, refused connection,
 * invalid request, the run stopping). A response with an unexpected status is not an error:
 * check response->status or response->ok. */
horde_error horde_send(const horde_request *request, horde_response *response);

/* The value of a response header (with want_headers), or NULL. */
const char *horde_response_header(const horde_response *response, const char *name);

/* Marks a response failed after inspecting it (Locust's catch_response), or passed. */
void horde_response_fail(const horde_response *response, const char *reason);
void horde_response_pass(const horde_response *response);

void horde_response_free(horde_response *response);

/* The string value of "key" in a JSON object (the first occurrence, escapes decoded), as a
 * new string to free(); NULL when the body is NULL or has no such string. Enough for a
 * token; use a JSON library for more. */
char *horde_json_string(const char *json, const char *key);

/* ---- Context ------------------------------------------------------------------------- */

/* This VU's number, from 1. */
uint32_t horde_vu_id(void);
/* Tasks this VU started before the current one. */
uint64_t horde_iteration(void);
/* The value given with --env KEY=VALUE, as a new string to free(), or NULL. */
char *horde_env(const char *key);
/* Microseconds since the run started. */
uint64_t horde_elapsed_us(void);
/* Wall-clock milliseconds since the Unix epoch. */
uint64_t horde_unix_time_ms(void);
/* A number from this VU's generator (seeded from --seed). */
uint64_t horde_random_u64(void);
/* Pauses this VU (not the engine). */
void horde_sleep_ms(uint64_t ms);

typedef enum horde_level {
    HORDE_TRACE = 0,
    HORDE_DEBUG,
    HORDE_INFO,
    HORDE_WARN,
    HORDE_ERROR,
} horde_level;

/* A line in the run's log, tagged with the VU id, printf-style. */
void horde_log(horde_level level, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* The same for a message of len bytes, without formatting (for other languages' SDKs). */
void horde_log_text(horde_level level, const char *message, size_t len);
#define horde_info(...) horde_log(HORDE_INFO, __VA_ARGS__)
#define horde_warn(...) horde_log(HORDE_WARN, __VA_ARGS__)
#define horde_debug(...) horde_log(HORDE_DEBUG, __VA_ARGS__)

/* ---- The scenario -------------------------------------------------------------------- */

typedef horde_error (*horde_hook)(void);

typedef struct horde_task {
    const char *name;
    uint32_t weight;
    horde_hook run;
} horde_task;

typedef enum horde_wait_kind {
    HORDE_WAIT_NONE = 0,
    HORDE_WAIT_BETWEEN,
    HORDE_WAIT_CONSTANT,
    HORDE_WAIT_CONSTANT_PACING,
    HORDE_WAIT_CONSTANT_THROUGHPUT,
} horde_wait_kind;

/* Think time after each task; build it with the macros below (seconds). */
typedef struct horde_wait {
    horde_wait_kind kind;
    double a, b;
} horde_wait;

#define HORDE_NO_WAIT ((horde_wait){HORDE_WAIT_NONE, 0, 0})
#define HORDE_BETWEEN(min_s, max_s) ((horde_wait){HORDE_WAIT_BETWEEN, (min_s), (max_s)})
#define HORDE_CONSTANT(s) ((horde_wait){HORDE_WAIT_CONSTANT, (s), 0})
#define HORDE_CONSTANT_PACING(s) ((horde_wait){HORDE_WAIT_CONSTANT_PACING, (s), 0})
#define HORDE_CONSTANT_THROUGHPUT(per_s) ((horde_wait){HORDE_WAIT_CONSTANT_THROUGHPUT, (per_s), 0})

typedef struct horde_scenario {
    const char *name;
    const char *description;
    horde_hook on_start; /* may be NULL */
    horde_hook on_stop;  /* may be NULL */
    horde_wait wait;
    const horde_task *tasks;
    size_t task_count;
    /* The SDK reported in the metadata; NULL means this one. Set by other languages' SDKs
     * built on this one. */
    const char *sdk;
    /* Pass/fail criteria in k6's syntax, e.g. "http_req_failed: rate<0.01"; may be NULL. */
    const char *const *thresholds;
    size_t threshold_count;
} horde_scenario;

/* The tasks of HORDE_SCENARIO: {"name", weight, function}, ... */
#define HORDE_TASKS(...)                                                                   \
    .tasks = (const horde_task[]){__VA_ARGS__},                                           \
    .task_count = sizeof((const horde_task[]){__VA_ARGS__}) / sizeof(horde_task)

/* Declares the scenario; use it once, at file scope. */
#define HORDE_SCENARIO(...) const horde_scenario horde_scenario_definition = {__VA_ARGS__}

#ifdef __cplusplus
}
#endif

#endif
