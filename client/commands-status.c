/* aalevelctl's commands that show the daemon's state: status, get,
 * profiles. */
#include "commands.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exit-status.h"
#include "format.h"
#include "i18n.h"
#include "strv.h"

static int status_json(Ctl *c, const ManagerProperties *p, usec_t now) {
        _cleanup_(json_writer_done) JsonWriter w = {};
        int r;

        r = json_begin(c, &w);
        if (r < 0)
                return r;
        json_object_begin(&w);
        json_key(&w, "level");
        json_string_or_null(&w, p->level);
        json_key(&w, "pending_level");
        json_string_or_null(&w, p->pending_level);
        json_key(&w, "state");
        json_string_or_null(&w, p->state);
        json_key(&w, "level_source");
        json_string_or_null(&w, p->level_source);
        json_confirm_fields(&w, p, now);
        json_key(&w, "profiles_loaded");
        json_unsigned(&w, p->profiles_loaded);
        json_key(&w, "profiles_failed");
        json_unsigned(&w, p->profiles_failed);
        json_key(&w, "profiles_modified");
        json_unsigned(&w, p->profiles_modified);
        json_key(&w, "last_reload_usec");
        if (p->last_reload > 0)
                json_unsigned(&w, p->last_reload);
        else
                json_null(&w);
        json_key(&w, "last_reload_duration_usec");
        if (p->last_reload > 0)
                json_unsigned(&w, p->last_reload_duration);
        else
                json_null(&w);
        json_key(&w, "errors");
        json_array_begin(&w);
        STRV_FOREACH(e, p->errors)
                json_string(&w, *e);
        json_array_end(&w);
        json_key(&w, "version");
        json_string_or_null(&w, p->version);
        json_object_end(&w);
        return json_end(&w);
}

static int status_human(const ManagerProperties *p, usec_t now) {
        _cleanup_(fields_done) Fields f = {};
        char span[FORMAT_TIMESPAN_MAX], ago[FORMAT_TIMESPAN_MAX], took[FORMAT_TIMESPAN_MAX];
        char date[FORMAT_TIMESTAMP_MAX];
        _cleanup_free_ char *errors = NULL;
        int r;

        r = fields_add(&f, _("Level"), isempty(p->level) ? _("none yet") : p->level);
        if (r >= 0 && !isempty(p->pending_level))
                r = fields_add(&f, _("Pending level"), p->pending_level);
        if (r >= 0)
                r = fields_add(&f, _("State"), p->state);
        if (r >= 0 && !isempty(p->level_source))
                r = fields_add(&f, _("Level source"), p->level_source);
        if (r >= 0 && p->confirm_deadline > 0) {
                const char *until = format_timestamp(date, sizeof date, p->confirm_deadline);

                format_timespan(span, sizeof span, confirm_remaining_sec(p->confirm_deadline, now) * USEC_PER_SEC);
                if (until)
                        r = fields_addf(&f, _("Confirm within"), _("%s (until %s)"), span, until);
                else
                        r = fields_add(&f, _("Confirm within"), span);
        }
        if (r >= 0)
                r = fields_addf(&f, _("Profiles"), _("%u loaded, %u failed, %u modified"),
                                p->profiles_loaded, p->profiles_failed, p->profiles_modified);
        if (r >= 0) {
                const char *when = format_timestamp(date, sizeof date, p->last_reload);

                if (!when)
                        r = fields_add(&f, _("Last reload"), _("never"));
                else if (now < p->last_reload + USEC_PER_SEC)
                        /* TRANSLATORS: the date of the last reload, and how
                         * long it took ("4.2s"). */
                        r = fields_addf(&f, _("Last reload"), _("%s (just now), took %s"), when,
                                        format_timespan(took, sizeof took, p->last_reload_duration));
                else
                        /* TRANSLATORS: the date of the last reload, how long
                         * ago ("2h 5min"), and how long it took ("4.2s"). */
                        r = fields_addf(&f, _("Last reload"), _("%s (%s ago), took %s"), when,
                                        format_timespan(ago, sizeof ago, (now - p->last_reload) / USEC_PER_SEC * USEC_PER_SEC),
                                        format_timespan(took, sizeof took, p->last_reload_duration));
        }
        if (r >= 0) {
                errors = strv_join(p->errors, "\n");
                r = errors ? fields_add(&f, _("Errors"), isempty(errors) ? _("none") : errors) : -ENOMEM;
        }
        if (r >= 0 && !isempty(p->version))
                r = fields_add(&f, _("Version"), p->version);
        if (r < 0)
                return r;
        fields_print(&f, stdout);
        return EXIT_OK;
}

int command_status(Ctl *c) {
        _cleanup_(manager_properties_done) ManagerProperties p = {};
        int r;

        r = ctl_get_properties(c, &p);
        if (r != 0)
                return r;
        if (c->args->json)
                return status_json(c, &p, now_usec(CLOCK_REALTIME));
        return status_human(&p, now_usec(CLOCK_REALTIME));
}

int command_get(Ctl *c) {
        _cleanup_(manager_properties_done) ManagerProperties p = {};
        _cleanup_(json_writer_done) JsonWriter w = {};
        int r;

        r = ctl_get_properties(c, &p);
        if (r != 0)
                return r;
        if (c->args->json) {
                r = json_begin(c, &w);
                if (r < 0)
                        return r;
                json_object_begin(&w);
                json_key(&w, "level");
                json_string_or_null(&w, p.level);
                json_object_end(&w);
                return json_end(&w);
        }
        if (isempty(p.level)) {
                if (!c->args->quiet)
                        fprintf(stderr, _("No level is in the kernel yet (the daemon is in state '%s').\n"),
                                strna(p.state));
                return EXIT_OK;
        }
        printf("%s\n", p.level);
        return EXIT_OK;
}

static int profiles_print(Ctl *c, sd_bus_message *reply) {
        _cleanup_(table_freep) Table *t = NULL;
        _cleanup_strv_free_ char **failures = NULL;
        _cleanup_(json_writer_done) JsonWriter w = {};
        const char *name, *mode, *file, *status, *message;
        unsigned n_loaded = 0, n_failed = 0, n_modified = 0, n_missing = 0;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(sssss)");
        if (r < 0)
                return r;

        if (c->args->json) {
                r = json_begin(c, &w);
                if (r < 0)
                        return r;
                json_array_begin(&w);
        } else {
                r = table_new(4, (const char *[]) { _("NAME"), _("MODE"), _("STATUS"), _("FILE") }, &t);
                if (r < 0)
                        return r;
        }

        while ((r = sd_bus_message_read(reply, "(sssss)", &name, &mode, &file, &status, &message)) > 0) {
                if (c->args->json) {
                        json_object_begin(&w);
                        json_key(&w, "name");
                        json_string_or_null(&w, name);
                        json_key(&w, "mode");
                        json_string_or_null(&w, mode);
                        json_key(&w, "file");
                        json_string(&w, file);
                        json_key(&w, "status");
                        json_string(&w, status);
                        json_key(&w, "message");
                        json_string_or_null(&w, message);
                        json_object_end(&w);
                        continue;
                }
                r = table_add_row(t, (const char *[]) { name, mode, status, file });
                if (r < 0)
                        return r;
                if (streq(status, "loaded"))
                        n_loaded++;
                else if (streq(status, "failed"))
                        n_failed++;
                else if (streq(status, "modified"))
                        n_modified++;
                else if (streq(status, "missing"))
                        n_missing++;
                if (!isempty(message)) {
                        r = strv_extend(&failures, message);
                        if (r < 0)
                                return r;
                }
        }
        if (r < 0)
                return r;

        if (c->args->json) {
                json_array_end(&w);
                return json_end(&w);
        }

        if (table_rows(t) == 0) {
                if (!c->args->quiet)
                        printf(_("aalevel manages no profiles for the current level.\n"));
                return EXIT_OK;
        }
        table_print(t, stdout);
        if (failures) {
                printf("\n");
                STRV_FOREACH(s, failures) {
                        fputs_sanitized(*s, stdout);
                        fputc('\n', stdout);
                }
        }
        if (!c->args->quiet) {
                printf("\n");
                printf(ngettext("%zu profile: %u loaded, %u failed, %u modified, %u missing.\n",
                                "%zu profiles: %u loaded, %u failed, %u modified, %u missing.\n",
                                table_rows(t)),
                       table_rows(t), n_loaded, n_failed, n_modified, n_missing);
        }
        return EXIT_OK;
}

int command_profiles(Ctl *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = ctl_new_call(c, "ListProfiles", &m);
        if (r < 0)
                return r;
        r = ctl_call(c, m, CALL_TIMEOUT_DEFAULT_USEC, &reply, _("Cannot list the profiles"));
        if (r != 0)
                return r;
        r = profiles_print(c, reply);
        return r < 0 ? ctl_reply_error(c, "ListProfiles", r) : r;
}
