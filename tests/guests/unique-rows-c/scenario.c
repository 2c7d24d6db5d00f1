/* Takes one row of the data set `users` in on_start, in the mode named by `--env MODE=...`
 * (unique by default), and logs its index, so a test can see which VU got which row. The C
 * port of tests/guests/unique-rows. */
#include <stdlib.h>
#include <string.h>

#include "horde.h"

/* This VU's row. */
static uint64_t row_index;

static horde_error on_start(void) {
    char *name = horde_env("MODE");
    horde_data_mode mode;
    if (!name || strcmp(name, "unique") == 0) {
        mode = HORDE_UNIQUE;
    } else if (strcmp(name, "sequential") == 0) {
        mode = HORDE_SEQUENTIAL;
    } else if (strcmp(name, "random") == 0) {
        mode = HORDE_RANDOM;
    } else if (strcmp(name, "per-vu") == 0) {
        mode = HORDE_PER_VU;
    } else {
        horde_error err = horde_errorf("unknown MODE %s", name);
        free(name);
        return err;
    }
    free(name);
    horde_row row;
    horde_error err = horde_data_read("users", mode, &row, NULL);
    if (err) return err;
    const char *user = horde_row_get(&row, "username");
    if (!user) {
        horde_row_free(&row);
        return horde_errorf("no username column");
    }
    horde_info("row %llu user %s", (unsigned long long)row.index, user);
    row_index = row.index;
    horde_row_free(&row);
    return HORDE_OK;
}

static horde_error health(void) {
    return horde_send(&(horde_request){.url = "/api/health"}, NULL);
}

HORDE_SCENARIO(
    .name = "unique-rows-c",
    .description = "Takes one row of `users` per VU and logs it; then checks health.",
    .on_start = on_start,
    .wait = HORDE_CONSTANT(0.5),
    HORDE_TASKS({"health", 1, health}),
);
