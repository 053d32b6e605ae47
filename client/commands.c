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

void json_confirm_fields(JsonWriter *w, const ManagerProperties *p, usec_t now) {
        json_key(w, "confirm_deadline_usec");
        if (p->confirm_deadline > 0)
                json_unsigned(w, p->confirm_deadline);
        else
                json_null(w);
        json_key(w, "confirm_remaining_sec");
        if (p->confirm_deadline > 0)
                json_unsigned(w, confirm_remaining_sec(p->confirm_deadline, now));
        else
                json_null(w);
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
