/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running aalevelctl's commands, and the helpers they share. */
#include "commands.h"

#include <stdlib.h>
#include <string.h>

#include "exit-status.h"
#include "i18n.h"

int json_begin(Ctl *c, JsonWriter *w) {
        return json_writer_init_buffered(w, stdout, c->json_flags);
}

int json_end(JsonWriter *w) {
        int r = json_writer_finish(w);

        if (r == -EINVAL)
                abort(); /* a bug in this program, not the user's problem */
        if (r < 0) {
                fprintf(stderr, _("Failed to write the output: %s.\n"), strerror(-r));
                return EXIT_FAILED;
        }
        return EXIT_OK;
}

int json_print_fields(Ctl *c, const Field *fields, size_t n) {
        _cleanup_(json_writer_done) JsonWriter w = {};
        int r;

        r = json_begin(c, &w);
        if (r < 0)
                return r;
        json_object_begin(&w);
        json_fields(&w, fields, n);
        json_object_end(&w);
        return json_end(&w);
}

int json_print_rows(Ctl *c, sd_bus_message *m, const Column *columns, size_t n_columns, RowFunc complete,
                    void *userdata) {
        _cleanup_(json_writer_done) JsonWriter w = {};
        int r;

        r = json_begin(c, &w);
        if (r < 0)
                return r;
        r = rows_print(m, columns, n_columns, &w, complete, NULL, userdata);
        if (r < 0)
                return r;
        return json_end(&w);
}

int commands_run(Ctl *c) {
        static int (* const run[_COMMAND_MAX])(Ctl *c) = {
                [COMMAND_STATUS]   = command_status,
                [COMMAND_GET]      = command_get,
                [COMMAND_SET]      = command_set,
                [COMMAND_CONFIRM]  = command_confirm,
                [COMMAND_LIST]     = command_list,
                [COMMAND_SHOW]     = command_show,
                [COMMAND_PROFILES] = command_profiles,
                [COMMAND_DIFF]     = command_diff,
                [COMMAND_RELOAD]   = command_reload,
                [COMMAND_CHECK]    = command_check,
        };
        int r;

        r = ctl_connect(c);
        if (r != 0)
                return r;
        return run[c->args->command](c);
}
