/* horde.c: the C SDK over the bindings wit-bindgen generates from sdk/wit (scenario.h). It
 * turns horde_request into the WIT request, the WIT response into horde_response, and the
 * scenario declared with HORDE_SCENARIO into the world's exports. */
#include "horde.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

extern const horde_scenario horde_scenario_definition;

horde_error horde_errorf(const char *format, ...) {
    va_list args;
    va_start(args, format);
    int len = vsnprintf(NULL, 0, format, args);
    va_end(args);
    char *message = malloc((size_t)(len > 0 ? len : 0) + 1);
    if (!message) return NULL;
    va_start(args, format);
    vsnprintf(message, (size_t)len + 1, format, args);
    va_end(args);
    return message;
}

horde_error horde_error_text(const char *message, size_t len) {
    char *out = malloc(len + 1);
    if (!out) return NULL;
    memcpy(out, message, len);
    out[len] = '\0';
    return out;
}

/* A borrowed WIT string over a C string (the engine copies it during the call). */
static scenario_string_t borrow(const char *s) {
    scenario_string_t out = {(uint8_t *)s, s ? strlen(s) : 0};
    return out;
}

static char *copy_n(const uint8_t *bytes, size_t len) {
    char *out = malloc(len + 1);
    if (!out) return NULL;
    if (len) memcpy(out, bytes, len);
    out[len] = '\0';
    return out;
}

static bool has_header(const char *const *headers, const char *name) {
    for (size_t i = 0; headers && headers[i] && headers[i + 1]; i += 2)
        if (strcasecmp(headers[i], name) == 0) return true;
    return false;
}

static horde_error http_error(const horde_scenario_http_error_t *err) {
    const scenario_string_t *detail = NULL;
    const char *what = "unknown error";
    switch (err->tag) {
    case HORDE_SCENARIO_HTTP_ERROR_TIMEOUT: what = "timeout"; break;
    case HORDE_SCENARIO_HTTP_ERROR_CONNECT: what = "connect"; detail = &err->val.connect; break;
    case HORDE_SCENARIO_HTTP_ERROR_TLS: what = "tls"; detail = &err->val.tls; break;
    case HORDE_SCENARIO_HTTP_ERROR_INVALID_REQUEST:
        what = "invalid request"; detail = &err->val.invalid_request; break;
    case HORDE_SCENARIO_HTTP_ERROR_PROTOCOL: what = "protocol"; detail = &err->val.protocol; break;
    case HORDE_SCENARIO_HTTP_ERROR_CANCELLED: what = "cancelled"; break;
    }
    if (detail) return horde_errorf("%s: %.*s", what, (int)detail->len, (const char *)detail->ptr);
    return horde_errorf("%s", what);
}

horde_error horde_send(const horde_request *request, horde_response *response) {
    const char *const *extra = request->headers;
    size_t extra_count = 0;
    while (extra && extra[extra_count * 2] && extra[extra_count * 2 + 1]) extra_count++;
    scenario_tuple2_string_string_t headers[extra_count + 2];
    size_t n = 0;
    for (size_t i = 0; i < extra_count; i++) {
        headers[n].f0 = borrow(extra[i * 2]);
        headers[n].f1 = borrow(extra[i * 2 + 1]);
        n++;
    }
    char *authorization = NULL;
    if (request->bearer) {
        authorization = horde_errorf("Bearer %s", request->bearer);
        headers[n].f0 = borrow("authorization");
        headers[n].f1 = borrow(authorization);
        n++;
    }
    if (request->json && !has_header(extra, "content-type")) {
        headers[n].f0 = borrow("content-type");
        headers[n].f1 = borrow("application/json");
        n++;
    }

    horde_scenario_http_request_t req = {0};
    req.method = (horde_scenario_http_method_t)request->method;
    req.url = borrow(request->url);
    req.headers.ptr = headers;
    req.headers.len = n;
    if (request->json) {
        req.body.is_some = true;
        req.body.val.ptr = (uint8_t *)request->json;
        req.body.val.len = strlen(request->json);
    } else if (request->body) {
        req.body.is_some = true;
        req.body.val.ptr = (uint8_t *)request->body;
        req.body.val.len = request->body_len;
    }
    if (request->name) {
        req.name.is_some = true;
        req.name.val = borrow(request->name);
    }
    req.expect_status.ptr = (uint16_t *)request->expect;
    req.expect_status.len = request->expect_len;
    if (request->timeout_ms) {
        req.timeout_ms.is_some = true;
        req.timeout_ms.val = request->timeout_ms;
    }
    req.want_body = request->want_body;
    req.want_headers = request->want_headers;

    horde_scenario_http_response_t got;
    horde_scenario_http_error_t err;
    bool sent = horde_scenario_http_send(&req, &got, &err);
    free(authorization);
    if (!sent) {
        horde_error message = http_error(&err);
        horde_scenario_http_error_free(&err);
        return message;
    }
    if (response) {
        memset(response, 0, sizeof *response);
        response->id = got.id;
        response->status = got.status;
        response->ok = got.ok;
        response->elapsed_us = got.elapsed_us;
        if (got.body.is_some) {
            response->body = copy_n(got.body.val.ptr, got.body.val.len);
            response->body_len = got.body.val.len;
        }
        if (got.headers.is_some) {
            size_t count = got.headers.val.len;
            response->header_count = count;
            response->header_names = calloc(count ? count : 1, sizeof(char *));
            response->header_values = calloc(count ? count : 1, sizeof(char *));
            for (size_t i = 0; i < count; i++) {
                scenario_tuple2_string_string_t *h = &got.headers.val.ptr[i];
                response->header_names[i] = copy_n(h->f0.ptr, h->f0.len);
                response->header_values[i] = copy_n(h->f1.ptr, h->f1.len);
            }
        }
    }
    horde_scenario_http_response_free(&got);
    return HORDE_OK;
}

const char *horde_response_header(const horde_response *response, const char *name) {
    for (size_t i = 0; i < response->header_count; i++)
        if (strcasecmp(response->header_names[i], name) == 0) return response->header_values[i];
    return NULL;
}

void horde_response_fail(const horde_response *response, const char *reason) {
    scenario_string_t r = borrow(reason);
    horde_scenario_http_mark_failed(response->id, &r);
}

void horde_response_pass(const horde_response *response) {
    horde_scenario_http_mark_passed(response->id);
}

void horde_response_free(horde_response *response) {
    free(response->body);
    for (size_t i = 0; i < response->header_count; i++) {
        free(response->header_names[i]);
        free(response->header_values[i]);
    }
    free(response->header_names);
    free(response->header_values);
    memset(response, 0, sizeof *response);
}

char *horde_json_string(const char *json, const char *key) {
    if (!json || !key) return NULL;
    size_t key_len = strlen(key);
    for (const char *p = strchr(json, '"'); p; p = strchr(p + 1, '"')) {
        if (strncmp(p + 1, key, key_len) != 0 || p[1 + key_len] != '"') continue;
        const char *v = p + 2 + key_len;
        while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') v++;
        if (*v != ':') continue;
        v++;
        while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') v++;
        if (*v != '"') return NULL;
        v++;
        char *out = malloc(strlen(v) + 1);
        if (!out) return NULL;
        size_t n = 0;
        for (; *v && *v != '"'; v++) {
            if (*v == '\\' && v[1]) {
                v++;
                switch (*v) {
                case 'n': out[n++] = '\n'; break;
                case 't': out[n++] = '\t'; break;
                case 'r': out[n++] = '\r'; break;
                default: out[n++] = *v; break; /* \" \\ \/; \u escapes are kept as they are */
                }
            } else {
                out[n++] = *v;
            }
        }
        out[n] = '\0';
        return out;
    }
    return NULL;
}

char *horde_json_quote(const char *text) {
    if (!text) return copy_n((const uint8_t *)"null", 4);
    char *out = malloc(strlen(text) * 6 + 3);
    if (!out) return NULL;
    size_t n = 0;
    out[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            out[n++] = '\\';
            out[n++] = (char)*p;
        } else if (*p == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        } else if (*p == '\r') {
            out[n++] = '\\';
            out[n++] = 'r';
        } else if (*p == '\t') {
            out[n++] = '\\';
            out[n++] = 't';
        } else if (*p < 0x20) {
            n += (size_t)snprintf(out + n, 7, "\\u%04x", *p);
        } else {
            out[n++] = (char)*p;
        }
    }
    out[n++] = '"';
    out[n] = '\0';
    return out;
}

uint32_t horde_vu_id(void) { return horde_scenario_context_vu_id(); }
uint64_t horde_iteration(void) { return horde_scenario_context_iteration(); }
uint64_t horde_elapsed_us(void) { return horde_scenario_context_elapsed_us(); }
uint64_t horde_unix_time_ms(void) { return horde_scenario_context_unix_time_ms(); }
uint64_t horde_random_u64(void) { return horde_scenario_context_random_u64(); }
void horde_sleep_ms(uint64_t ms) { horde_scenario_context_sleep(ms); }

char *horde_env(const char *key) {
    scenario_string_t k = borrow(key), value;
    if (!horde_scenario_context_env(&k, &value)) return NULL;
    char *out = copy_n(value.ptr, value.len);
    scenario_string_free(&value);
    return out;
}

void horde_log(horde_level level, const char *format, ...) {
    char stack[512];
    va_list args;
    va_start(args, format);
    int len = vsnprintf(stack, sizeof stack, format, args);
    va_end(args);
    char *text = stack;
    if (len >= (int)sizeof stack) {
        text = malloc((size_t)len + 1);
        if (!text) return;
        va_start(args, format);
        vsnprintf(text, (size_t)len + 1, format, args);
        va_end(args);
    }
    scenario_string_t message = {(uint8_t *)text, len > 0 ? (size_t)len : 0};
    horde_scenario_context_log((horde_scenario_context_log_level_t)level, &message);
    if (text != stack) free(text);
}

void horde_log_text(horde_level level, const char *message, size_t len) {
    scenario_string_t text = {(uint8_t *)message, len};
    horde_scenario_context_log((horde_scenario_context_log_level_t)level, &text);
}

/* ---- Data sets ----------------------------------------------------------------------- */

/* The engine's message of a data error, and its kind in *status; frees the WIT error. */
static horde_error data_error(horde_scenario_data_data_error_t *err, horde_data_status *status) {
    const scenario_string_t *m;
    horde_data_status kind;
    if (err->tag == HORDE_SCENARIO_DATA_DATA_ERROR_UNKNOWN_SET) {
        kind = HORDE_DATA_UNKNOWN_SET;
        m = &err->val.unknown_set;
    } else {
        kind = HORDE_DATA_EXHAUSTED;
        m = &err->val.exhausted;
    }
    if (status) *status = kind;
    horde_error message = copy_n(m->ptr, m->len);
    horde_scenario_data_data_error_free(err);
    return message;
}

/* WIT strings as an array of NUL-terminated copies; NULL when out of memory. */
static char **copy_strings(const scenario_list_string_t *list) {
    char **out = calloc(list->len ? list->len : 1, sizeof(char *));
    for (size_t i = 0; out && i < list->len; i++)
        out[i] = copy_n(list->ptr[i].ptr, list->ptr[i].len);
    return out;
}

static void free_strings(char **strings, size_t count) {
    for (size_t i = 0; strings && i < count; i++) free(strings[i]);
    free(strings);
}

/* Column names per set, asked of the engine once per VU, so that a read copies only its row.
 * They live as long as the instance. */
typedef struct column_cache {
    struct column_cache *next;
    char *set;
    size_t count;
    char **columns;
} column_cache;

static column_cache *known_columns;

static horde_error columns_of(const char *set, const column_cache **out, horde_data_status *status) {
    for (const column_cache *c = known_columns; c; c = c->next)
        if (strcmp(c->set, set) == 0) {
            *out = c;
            return HORDE_OK;
        }
    horde_data_info info;
    horde_error err = horde_data_describe(set, &info, status);
    if (err) return err;
    column_cache *c = calloc(1, sizeof *c);
    if (c) c->set = copy_n((const uint8_t *)set, strlen(set));
    if (!c || !c->set) {
        free(c);
        horde_data_info_free(&info);
        return horde_errorf("out of memory");
    }
    c->count = info.column_count;
    c->columns = info.columns;
    c->next = known_columns;
    known_columns = c;
    *out = c;
    return HORDE_OK;
}

horde_error horde_data_describe(const char *set, horde_data_info *info, horde_data_status *status) {
    memset(info, 0, sizeof *info);
    if (status) *status = HORDE_DATA_OK;
    scenario_string_t name = borrow(set);
    horde_scenario_data_set_info_t got;
    horde_scenario_data_data_error_t err;
    if (!horde_scenario_data_describe(&name, &got, &err)) return data_error(&err, status);
    info->rows = got.rows;
    info->columns = copy_strings(&got.columns);
    info->column_count = info->columns ? got.columns.len : 0;
    horde_scenario_data_set_info_free(&got);
    return HORDE_OK;
}

void horde_data_info_free(horde_data_info *info) {
    free_strings(info->columns, info->column_count);
    memset(info, 0, sizeof *info);
}

horde_error horde_data_read(const char *set, horde_data_mode mode, horde_row *row,
                            horde_data_status *status) {
    memset(row, 0, sizeof *row);
    if (status) *status = HORDE_DATA_OK;
    const column_cache *columns;
    horde_error message = columns_of(set, &columns, status);
    if (message) return message;
    scenario_string_t name = borrow(set);
    horde_scenario_data_row_t got;
    horde_scenario_data_data_error_t err;
    if (!horde_scenario_data_read(&name, (horde_scenario_data_mode_t)mode, &got, &err))
        return data_error(&err, status);
    row->index = got.index;
    row->fields = copy_strings(&got.fields);
    row->field_count = row->fields ? got.fields.len : 0;
    row->column_count = columns->count;
    row->columns = (const char *const *)columns->columns;
    horde_scenario_data_row_free(&got);
    return HORDE_OK;
}

horde_error horde_data_unique(const char *set, horde_row *row, horde_data_status *status) {
    return horde_data_read(set, HORDE_UNIQUE, row, status);
}

horde_error horde_data_sequential(const char *set, horde_row *row, horde_data_status *status) {
    return horde_data_read(set, HORDE_SEQUENTIAL, row, status);
}

horde_error horde_data_random(const char *set, horde_row *row, horde_data_status *status) {
    return horde_data_read(set, HORDE_RANDOM, row, status);
}

horde_error horde_data_per_vu(const char *set, horde_row *row, horde_data_status *status) {
    return horde_data_read(set, HORDE_PER_VU, row, status);
}

const char *horde_row_get(const horde_row *row, const char *column) {
    for (size_t i = 0; i < row->column_count && i < row->field_count; i++)
        if (strcmp(row->columns[i], column) == 0) return row->fields[i];
    return NULL;
}

void horde_row_free(horde_row *row) {
    free_strings(row->fields, row->field_count);
    memset(row, 0, sizeof *row);
}

/* ---- Shared state -------------------------------------------------------------------- */

static horde_error limit_error(horde_scenario_shared_shared_error_t *err) {
    horde_error message = copy_n(err->val.limit.ptr, err->val.limit.len);
    horde_scenario_shared_shared_error_free(err);
    return message;
}

/* A WIT byte list as a new NUL-terminated buffer; frees the list. */
static char *take_bytes(scenario_list_u8_t *bytes, size_t *len) {
    char *out = copy_n(bytes->ptr, bytes->len);
    if (len) *len = bytes->len;
    scenario_list_u8_free(bytes);
    return out;
}

char *horde_shared_setup_value(size_t *len) {
    scenario_list_u8_t value;
    horde_scenario_shared_setup_value(&value);
    return take_bytes(&value, len);
}

horde_error horde_shared_counter_add(const char *name, int64_t delta, int64_t *value) {
    scenario_string_t n = borrow(name);
    int64_t got = 0;
    horde_scenario_shared_shared_error_t err;
    if (!horde_scenario_shared_counter_add(&n, delta, &got, &err)) return limit_error(&err);
    if (value) *value = got;
    return HORDE_OK;
}

int64_t horde_shared_counter_get(const char *name) {
    scenario_string_t n = borrow(name);
    return horde_scenario_shared_counter_get(&n);
}

char *horde_shared_get(const char *key, size_t *len) {
    scenario_string_t k = borrow(key);
    scenario_list_u8_t value;
    if (!horde_scenario_shared_get(&k, &value)) {
        if (len) *len = 0;
        return NULL;
    }
    return take_bytes(&value, len);
}

horde_error horde_shared_set(const char *key, const void *value, size_t len, uint64_t ttl_ms) {
    scenario_string_t k = borrow(key);
    scenario_list_u8_t v = {(uint8_t *)value, len};
    horde_scenario_shared_shared_error_t err;
    if (!horde_scenario_shared_set(&k, &v, ttl_ms ? &ttl_ms : NULL, &err)) return limit_error(&err);
    return HORDE_OK;
}

horde_error horde_shared_compare_and_swap(const char *key, const void *expected,
                                          size_t expected_len, const void *value, size_t len,
                                          uint64_t ttl_ms, bool *stored) {
    scenario_string_t k = borrow(key);
    scenario_list_u8_t e = {(uint8_t *)expected, expected_len};
    scenario_list_u8_t v = {(uint8_t *)value, len};
    bool swapped = false;
    horde_scenario_shared_shared_error_t err;
    if (!horde_scenario_shared_compare_and_swap(&k, expected ? &e : NULL, &v,
                                                ttl_ms ? &ttl_ms : NULL, &swapped, &err))
        return limit_error(&err);
    if (stored) *stored = swapped;
    return HORDE_OK;
}

bool horde_shared_delete(const char *key) {
    scenario_string_t k = borrow(key);
    return horde_scenario_shared_delete(&k);
}

/* ---- Checks and custom metrics ------------------------------------------------------- */

typedef enum metric_kind { CHECK, COUNTER, GAUGE, RATE, TREND } metric_kind;

/* Records one check or metric sample, its tags borrowed for the call (the engine copies
 * them). Returns the check's `ok`. */
static bool record(metric_kind kind, const char *name, double value, const char *const *tags) {
    size_t n = 0;
    while (tags && tags[n * 2] && tags[n * 2 + 1]) n++;
    scenario_tuple2_string_string_t pairs[n ? n : 1];
    for (size_t i = 0; i < n; i++) {
        pairs[i].f0 = borrow(tags[i * 2]);
        pairs[i].f1 = borrow(tags[i * 2 + 1]);
    }
    horde_scenario_metrics_tags_t t = {pairs, n};
    scenario_string_t metric = borrow(name);
    switch (kind) {
    case CHECK: return horde_scenario_metrics_check(&metric, value != 0, &t);
    case COUNTER: horde_scenario_metrics_counter_add(&metric, value, &t); break;
    case GAUGE: horde_scenario_metrics_gauge_set(&metric, value, &t); break;
    case RATE: horde_scenario_metrics_rate_add(&metric, value != 0, &t); break;
    case TREND: horde_scenario_metrics_trend_add(&metric, value, &t); break;
    }
    return true;
}

bool horde_check(const char *name, bool ok, const char *const *tags) {
    return record(CHECK, name, ok, tags);
}

void horde_metric_counter_add(const char *name, double value, const char *const *tags) {
    record(COUNTER, name, value, tags);
}

void horde_metric_gauge_set(const char *name, double value, const char *const *tags) {
    record(GAUGE, name, value, tags);
}

void horde_metric_rate_add(const char *name, bool value, const char *const *tags) {
    record(RATE, name, value, tags);
}

void horde_metric_trend_add(const char *name, double value, const char *const *tags) {
    record(TREND, name, value, tags);
}

/* ---- The world's exports ------------------------------------------------------------- */

/* The WIT think time from the declared one (seconds to milliseconds). */
static horde_scenario_types_think_time_t think_time(horde_wait wait) {
    horde_scenario_types_think_time_t t = {0};
    switch (wait.kind) {
    case HORDE_WAIT_NONE: t.tag = HORDE_SCENARIO_TYPES_THINK_TIME_NONE; break;
    case HORDE_WAIT_BETWEEN:
        t.tag = HORDE_SCENARIO_TYPES_THINK_TIME_BETWEEN;
        t.val.between.min_ms = (uint64_t)(wait.a * 1000.0 + 0.5);
        t.val.between.max_ms = (uint64_t)(wait.b * 1000.0 + 0.5);
        break;
    case HORDE_WAIT_CONSTANT:
        t.tag = HORDE_SCENARIO_TYPES_THINK_TIME_CONSTANT;
        t.val.constant = (uint64_t)(wait.a * 1000.0 + 0.5);
        break;
    case HORDE_WAIT_CONSTANT_PACING:
        t.tag = HORDE_SCENARIO_TYPES_THINK_TIME_CONSTANT_PACING;
        t.val.constant_pacing = (uint64_t)(wait.a * 1000.0 + 0.5);
        break;
    case HORDE_WAIT_CONSTANT_THROUGHPUT:
        t.tag = HORDE_SCENARIO_TYPES_THINK_TIME_CONSTANT_THROUGHPUT;
        t.val.constant_throughput = wait.a;
        break;
    }
    return t;
}

/* The strings returned to the engine are freed by the generated post-return functions, so
 * each is a copy. */
void exports_scenario_metadata(scenario_scenario_info_t *ret) {
    const horde_scenario *s = &horde_scenario_definition;
    scenario_string_dup(&ret->name, s->name ? s->name : "");
    scenario_string_dup(&ret->description, s->description ? s->description : "");
    scenario_string_dup(&ret->sdk, s->sdk ? s->sdk : "horde-sdk-c " HORDE_SDK_VERSION);
    ret->think_time = think_time(s->wait);
    ret->tasks.len = s->task_count;
    ret->tasks.ptr = calloc(s->task_count ? s->task_count : 1, sizeof *ret->tasks.ptr);
    for (size_t i = 0; i < s->task_count; i++) {
        scenario_string_dup(&ret->tasks.ptr[i].name, s->tasks[i].name);
        ret->tasks.ptr[i].weight = s->tasks[i].weight;
    }
    size_t thresholds = s->thresholds ? s->threshold_count : 0;
    ret->thresholds.len = thresholds;
    ret->thresholds.ptr = calloc(thresholds ? thresholds : 1, sizeof *ret->thresholds.ptr);
    for (size_t i = 0; i < thresholds; i++)
        scenario_string_dup(&ret->thresholds.ptr[i], s->thresholds[i]);
}

/* Runs a hook; an error message goes back as the WIT err (freed after the call). */
static bool finish(horde_error error, scenario_string_t *err) {
    if (!error) return true;
    scenario_string_dup(err, error);
    free(error);
    return false;
}

/* Setup and teardown run the scenario's hooks; without them setup hands every VU an empty
 * value and teardown does nothing. Setup's value goes back to the engine in a malloc'd buffer
 * that the generated post-return function frees. */
bool exports_scenario_setup(scenario_list_u8_t *ret, scenario_string_t *err) {
    horde_setup_hook hook = horde_scenario_definition.setup;
    ret->ptr = NULL;
    ret->len = 0;
    if (!hook) return true;
    char *value = NULL;
    size_t len = 0;
    horde_error error = hook(&value, &len);
    if (error) {
        free(value);
        return finish(error, err);
    }
    if (value && !len) len = strlen(value);
    ret->ptr = (uint8_t *)value;
    ret->len = value ? len : 0;
    return true;
}

bool exports_scenario_teardown(scenario_list_u8_t *setup_value, scenario_string_t *err) {
    horde_teardown_hook hook = horde_scenario_definition.teardown;
    horde_error error = HORDE_OK;
    if (hook) {
        size_t len = setup_value->len;
        char *value = copy_n(setup_value->ptr, len);
        error = value ? hook(value, len) : horde_errorf("out of memory");
        free(value);
    }
    scenario_list_u8_free(setup_value);
    return finish(error, err);
}

bool exports_scenario_on_start(scenario_string_t *err) {
    horde_hook hook = horde_scenario_definition.on_start;
    return finish(hook ? hook() : HORDE_OK, err);
}

bool exports_scenario_run_task(uint32_t index, scenario_string_t *err) {
    const horde_scenario *s = &horde_scenario_definition;
    if (index >= s->task_count)
        return finish(horde_errorf("no task with index %u: this scenario has %zu task(s)",
                                   (unsigned)index, s->task_count),
                      err);
    return finish(s->tasks[index].run(), err);
}

bool exports_scenario_on_stop(scenario_string_t *err) {
    horde_hook hook = horde_scenario_definition.on_stop;
    return finish(hook ? hook() : HORDE_OK, err);
}
