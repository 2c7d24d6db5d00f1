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
 * Data sets (horde_data_*), state shared by all VUs (horde_shared_*) and the scenario's setup
 * and teardown are described in docs/state.md; checks and custom metrics (horde_check,
 * horde_metric_*) in docs/results.md. Every string or buffer the SDK hands out is a
 * new one for the caller to free() (or to free with its own *_free function); every error
 * returned is the caller's, to return from a hook (the SDK frees it) or to free().
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

/* `text` as a JSON string, quoted, with `"`, `\` and control characters escaped, as a new
 * string to free(); "null" when text is NULL. For putting data into a JSON body:
 *
 *     char *name = horde_json_quote(horde_row_get(&row, "username"));
 *     snprintf(body, sizeof body, "{\"username\": %s}", name);
 *     free(name);
 */
char *horde_json_quote(const char *text);

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

/* ---- Data sets ----------------------------------------------------------------------- */

/* Rows of the data sets given with --data NAME=FILE (CSV with a header row, or JSON lines),
 * loaded once by the engine and shared by all VUs; a read copies one row into the VU.
 *
 *     horde_row account;
 *     horde_error err = horde_data_unique("users", &account, NULL);
 *     if (err) return err;
 *     horde_info("logging in as %s", horde_row_get(&account, "username"));
 *     horde_row_free(&account);
 */

/* Which row a read gets; each mode keeps its own position per set. */
typedef enum horde_data_mode {
    /* The next row no read in this run has had: each row to at most one read. */
    HORDE_UNIQUE = 0,
    /* The next row round-robin across all reads of all VUs, wrapping at the end. */
    HORDE_SEQUENTIAL,
    /* A uniformly random row, from this VU's seeded generator. */
    HORDE_RANDOM,
    /* Row (VU id - 1) modulo the set's length: the same row every time for a VU. */
    HORDE_PER_VU,
} horde_data_mode;

/* What a failed data call ran into, beside its message. */
typedef enum horde_data_status {
    HORDE_DATA_OK = 0,
    /* No data set of this name was given with --data (the message lists those that were). */
    HORDE_DATA_UNKNOWN_SET,
    /* A unique read found every row handed out already (the message says how many). */
    HORDE_DATA_EXHAUSTED,
} horde_data_status;

/* One row of a data set; free it with horde_row_free. */
typedef struct horde_row {
    /* The row's position in its set, from 0 (a CSV header is not a row). */
    uint64_t index;
    /* For CSV, the fields in the order of the header's columns; for JSON lines, one field
     * holding the line's JSON text. Each is NUL-terminated. */
    size_t field_count;
    char **fields;
    /* The set's CSV column names (none for JSON lines), owned by the SDK: valid for the
     * life of the VU, not to be freed. */
    size_t column_count;
    const char *const *columns;
} horde_row;

/* What a data set holds; free it with horde_data_info_free. */
typedef struct horde_data_info {
    /* How many rows it has (at least 1). */
    uint64_t rows;
    /* For CSV, the header's column names; for JSON lines, none. */
    size_t column_count;
    char **columns;
} horde_data_info;

/* Reads one row of the data set `set`, chosen by `mode`, into *row (free it with
 * horde_row_free). On failure returns the engine's message (return it from the hook, or
 * free() it), leaves *row empty, and sets *status (when not NULL) to HORDE_DATA_UNKNOWN_SET
 * or HORDE_DATA_EXHAUSTED; on success *status is HORDE_DATA_OK. */
horde_error horde_data_read(const char *set, horde_data_mode mode, horde_row *row,
                            horde_data_status *status);
/* horde_data_read with HORDE_UNIQUE: read once in on_start, the row (an account) is this
 * VU's own. Fails with HORDE_DATA_EXHAUSTED when every row is taken. */
horde_error horde_data_unique(const char *set, horde_row *row, horde_data_status *status);
/* horde_data_read with HORDE_SEQUENTIAL: round-robin over all reads of all VUs. */
horde_error horde_data_sequential(const char *set, horde_row *row, horde_data_status *status);
/* horde_data_read with HORDE_RANDOM: a random row (--seed repeats the choice). */
horde_error horde_data_random(const char *set, horde_row *row, horde_data_status *status);
/* horde_data_read with HORDE_PER_VU: the same row every time for a VU, also after a restart. */
horde_error horde_data_per_vu(const char *set, horde_row *row, horde_data_status *status);

/* The value in the CSV column `column` (NUL-terminated, owned by the row), or NULL for a
 * column the header does not name (and for JSON lines, which have no columns). */
const char *horde_row_get(const horde_row *row, const char *column);
/* Frees the fields of a row and empties it (an empty row is fine to free). */
void horde_row_free(horde_row *row);

/* Describes the data set `set`: its row count and CSV columns, into *info (free it with
 * horde_data_info_free). Fails like horde_data_read, with HORDE_DATA_UNKNOWN_SET. */
horde_error horde_data_describe(const char *set, horde_data_info *info, horde_data_status *status);
/* Frees the columns of a horde_data_info and empties it. */
void horde_data_info_free(horde_data_info *info);

/* ---- Shared state -------------------------------------------------------------------- */

/* State all VUs of a run share, kept by the engine for the length of the run: setup's value,
 * atomic counters, and a key/value store with expiry. Limits: names and keys up to 256
 * bytes, values up to 64 KiB, 10,000 counters, 100,000 live keys; a call past one returns
 * an error naming it and changes nothing. */

/* Stores without expiry (the ttl_ms argument of horde_shared_set and _compare_and_swap). */
#define HORDE_NO_TTL ((uint64_t)0)

/* The bytes setup returned (empty without a setup), as a new buffer to free(), with a NUL
 * after the last byte so that a text value is a C string; *len (when not NULL) gets its
 * length. Every VU gets the same value. */
char *horde_shared_setup_value(size_t *len);

/* Adds `delta` to the counter `name` (0 before its first use); *value (when not NULL) gets
 * the new value. Exact under contention: N VUs adding 1 M times make N x M. Returns
 * HORDE_OK, or the limit error (return it, or free() it). */
horde_error horde_shared_counter_add(const char *name, int64_t delta, int64_t *value);
/* The current value of the counter `name` (0 if never added to). */
int64_t horde_shared_counter_get(const char *name);

/* The value under `key` as a new buffer to free(), NUL-terminated like
 * horde_shared_setup_value, with *len (when not NULL) its length; NULL when the key is
 * absent or expired. */
char *horde_shared_get(const char *key, size_t *len);
/* Stores the `len` bytes at `value` under `key`, replacing any value; it expires after
 * `ttl_ms` milliseconds, or never with HORDE_NO_TTL (0). Returns HORDE_OK or the limit
 * error (return it, or free() it). */
horde_error horde_shared_set(const char *key, const void *value, size_t len, uint64_t ttl_ms);
/* Stores the `len` bytes at `value` under `key` only if the current value equals the
 * `expected_len` bytes at `expected`, or, when `expected` is NULL, only if the key is absent
 * or expired; *stored (when not NULL) says whether it stored. `ttl_ms` as for
 * horde_shared_set. Lets VUs agree on one value, such as a token minted once. Returns
 * HORDE_OK or the limit error (return it, or free() it). */
horde_error horde_shared_compare_and_swap(const char *key, const void *expected,
                                          size_t expected_len, const void *value, size_t len,
                                          uint64_t ttl_ms, bool *stored);
/* Removes `key`; returns whether it held a live value. */
bool horde_shared_delete(const char *key);

/* ---- Checks and custom metrics ------------------------------------------------------- */

/* What a scenario measures besides its requests, aggregated per run per name and tags.
 * Metric names are ASCII letters, digits and `_` (at most 128, not starting with a digit) and
 * not one of the built-in names (http_req_duration, checks, ...). Tags are "key", "value",
 * ..., NULL (at most 8 pairs; NULL for none), built with HORDE_TAGS. A call with an invalid
 * name or tags records nothing and shows in the run's error report.
 *
 *     horde_check("token is rejected", response.status == 401, NULL);
 *     horde_metric_trend_add("cart_size", items, HORDE_TAGS("shop", "eu"));
 */

/* Tags for a check or metric: HORDE_TAGS("key", "value", ...), a NULL-terminated list. */
#define HORDE_TAGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Records a check named `name` (free text up to 256 characters) that passed when `ok`, and
 * returns `ok`. Checks are counted per name and tags (passes, fails, rate) and form the
 * `checks` metric thresholds can use; a failed check fails neither the request nor the task. */
bool horde_check(const char *name, bool ok, const char *const *tags);
/* Adds `value` to the counter `name`: its sum and rate per second are reported (k6's Counter). */
void horde_metric_counter_add(const char *name, double value, const char *const *tags);
/* Sets the gauge `name` to `value`: the last value, the smallest and the largest are reported
 * (k6's Gauge). */
void horde_metric_gauge_set(const char *name, double value, const char *const *tags);
/* Adds one sample to the rate `name`: the share of true samples is reported (k6's Rate). */
void horde_metric_rate_add(const char *name, bool value, const char *const *tags);
/* Adds one sample to the trend `name`: its distribution (min, average, median, percentiles,
 * max) is reported like response times (k6's Trend). Values from 0 to 1e9, kept to 3
 * significant digits. */
void horde_metric_trend_add(const char *name, double value, const char *const *tags);

/* ---- The scenario -------------------------------------------------------------------- */

typedef horde_error (*horde_hook)(void);

/* The scenario's setup: runs once per run before any VU starts, on an instance of its own
 * (not a VU). It sets *value to a buffer from malloc() that the SDK takes and frees, and *len
 * to its length in bytes; leaving *len at 0 means *value is a C string (its strlen), and
 * leaving *value NULL hands the VUs an empty value. Every VU reads it with
 * horde_shared_setup_value. An error ends the run before any VU starts. */
typedef horde_error (*horde_setup_hook)(char **value, size_t *len);

/* The scenario's teardown: runs once after the last VU (also after the first Ctrl-C, never
 * when setup failed), with setup's value: `len` bytes at `value`, NUL-terminated, owned by
 * the SDK for the length of the call. */
typedef horde_error (*horde_teardown_hook)(const char *value, size_t len);

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
    horde_setup_hook setup;       /* may be NULL: VUs get an empty value */
    horde_teardown_hook teardown; /* may be NULL: nothing runs at the end */
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
