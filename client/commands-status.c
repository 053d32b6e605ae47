/* SPDX-License-Identifier: GPL-2.0-or-later */
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

/* ListProfiles' a(sssss). */
enum { PROFILE_NAME, PROFILE_MODE, PROFILE_FILE, PROFILE_STATUS, PROFILE_MESSAGE };
static const Column profile_columns[] = {
        [PROFILE_NAME]    = { 's', "name",    VALUE_STRING_OR_NULL },
        [PROFILE_MODE]    = { 's', "mode",    VALUE_STRING_OR_NULL },
        [PROFILE_FILE]    = { 's', "file",    VALUE_STRING },
        [PROFILE_STATUS]  = { 's', "status",  VALUE_STRING },
        [PROFILE_MESSAGE] = { 's', "message", VALUE_STRING_OR_NULL },
};

/* One line per failed profile file for status, as ListProfiles has it:
 * its message "FILE:LINE: error" when the parser blamed the file itself,
 * else "PROFILE-FILE: message" (the error is in an include). A failed
 * file holding several profiles has a row per name: one line. */
static int failure_add(void *userdata, Value *v) {
        char ***lines = userdata;
        const char *file = v[PROFILE_FILE].s, *message = strempty(v[PROFILE_MESSAGE].s);
        size_t n = strlen(file);
        char *line;

        if (!streq(v[PROFILE_STATUS].s, "failed"))
                return 0;
        if (isempty(message))
                line = strdup(file);
        else if (strneq(message, file, n) && message[n] == ':')
                line = strdup(message);
        else if (asprintf(&line, "%s: %s", file, message) < 0)
                line = NULL;
        if (!line)
                return -ENOMEM;
        if (strv_contains(*lines, line)) {
                free(line);
                return 0;
        }
        return strv_consume(lines, line);
}

/* The failed profile files, when the properties count some: a status
 * without their names would say "1 failed" and leave the reader to guess.
 * A ListProfiles that fails leaves *ret NULL (its error is on stderr). */
static int status_failures(Ctl *c, const ManagerProperties *p, char ***ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        if (p->profiles_failed == 0)
                return 0;
        r = ctl_new_call(c, "ListProfiles", &m);
        if (r < 0)
                return r;
        r = ctl_call(c, m, CALL_TIMEOUT_DEFAULT_USEC, &reply, _("Cannot list the failed profiles"));
        if (r != 0)
                return 0;
        r = rows_print(reply, profile_columns, ELEMENTSOF(profile_columns), NULL, NULL, failure_add, ret);
        return r == -ENOMEM ? r : 0;
}

static int status_json(Ctl *c, const ManagerProperties *p, char * const *failures, usec_t now) {
        const Field fields[] = {
                { "level",                     VALUE_STR_OR_NULL(p->level) },
                { "pending_level",             VALUE_STR_OR_NULL(p->pending_level) },
                { "state",                     VALUE_STR_OR_NULL(p->state) },
                { "level_source",              VALUE_STR_OR_NULL(p->level_source) },
                { "confirm_deadline_usec",     VALUE_UINT_OR_NULL(p->confirm_deadline) },
                { "confirm_remaining_sec",     VALUE_UINT_IF(p->confirm_deadline > 0,
                                                             confirm_remaining_sec(p->confirm_deadline, now)) },
                { "profiles_loaded",           VALUE_UINT(p->profiles_loaded) },
                { "profiles_failed",           VALUE_UINT(p->profiles_failed) },
                { "profiles_modified",         VALUE_UINT(p->profiles_modified) },
                { "last_reload_usec",          VALUE_UINT_OR_NULL(p->last_reload) },
                { "last_reload_duration_usec", VALUE_UINT_IF(p->last_reload > 0, p->last_reload_duration) },
                { "errors",                    VALUE_STRV(p->errors) },
                { "profile_errors",            VALUE_STRV(failures) },
                { "version",                   VALUE_STR_OR_NULL(p->version) },
        };

        _cleanup_(json_writer_done) JsonWriter w = {};
        int r;

        r = json_begin(c, &w);
        if (r < 0)
                return r;
        json_object_begin(&w);
        json_fields(&w, fields, ELEMENTSOF(fields));
        /* apparmor.d's runtime state, where the tree has it. */
        json_key(&w, "runtime_state");
        r = isempty(p->level) ? 0 : level_state_of(c, p->level, &w, NULL);
        if (r < 0)
                return r;
        if (r == 0)
                json_null(&w);
        json_object_end(&w);
        return json_end(&w);
}

static int status_human(Ctl *c, const ManagerProperties *p, char * const *failures, usec_t now) {
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
                /* The configuration's errors, then each failed profile
                 * file: "none" only when nothing failed. */
                _cleanup_strv_free_ char **all = NULL;

                r = strv_extend_strv(&all, p->errors);
                if (r >= 0)
                        r = strv_extend_strv(&all, failures);
                if (r >= 0 && !failures && p->profiles_failed > 0) {
                        /* ListProfiles failed: the count at least. */
                        char *line;

                        if (asprintf(&line, ngettext("%u profile file failed (see aalevelctl profiles)",
                                                     "%u profile files failed (see aalevelctl profiles)",
                                                     p->profiles_failed),
                                     p->profiles_failed) < 0)
                                return -ENOMEM;
                        r = strv_consume(&all, line);
                }
                errors = r >= 0 ? strv_join(all, "\n") : NULL;
                r = errors ? fields_add(&f, _("Errors"), isempty(errors) ? _("none") : errors) : -ENOMEM;
        }
        if (r >= 0 && !isempty(p->level)) {
                _cleanup_free_ char *state = NULL;

                r = level_state_of(c, p->level, NULL, &state);
                if (r > 0)
                        r = fields_add(&f, _("Runtime state"), isempty(state) ? "-" : state);
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
        _cleanup_strv_free_ char **failures = NULL;
        int r;

        r = ctl_get_properties(c, &p);
        if (r != 0)
                return r;
        r = status_failures(c, &p, &failures);
        if (r < 0)
                return r;
        if (c->args->json)
                return status_json(c, &p, failures, now_usec(CLOCK_REALTIME));
        return status_human(c, &p, failures, now_usec(CLOCK_REALTIME));
}

int command_get(Ctl *c) {
        _cleanup_(manager_properties_done) ManagerProperties p = {};
        int r;

        r = ctl_get_properties(c, &p);
        if (r != 0)
                return r;
        if (c->args->json)
                return json_print_fields(c, (const Field[]) { { "level", VALUE_STR_OR_NULL(p.level) } }, 1);
        if (isempty(p.level)) {
                if (!c->args->quiet)
                        fprintf(stderr, _("No level is in the kernel yet (the daemon is in state '%s').\n"),
                                strna(p.state));
                return EXIT_OK;
        }
        printf("%s\n", p.level);
        return EXIT_OK;
}

typedef struct ProfilesTable {
        Table *table;
        char **failures;
        unsigned n_loaded, n_failed, n_modified, n_missing;
} ProfilesTable;

static int profiles_add(void *userdata, Value *v) {
        ProfilesTable *p = userdata;
        const char *status = v[PROFILE_STATUS].s;
        int r;

        r = table_add_row(p->table, (const char *[]) { v[PROFILE_NAME].s, v[PROFILE_MODE].s, status, v[PROFILE_FILE].s });
        if (r < 0)
                return r;
        if (streq(status, "loaded"))
                p->n_loaded++;
        else if (streq(status, "failed"))
                p->n_failed++;
        else if (streq(status, "modified"))
                p->n_modified++;
        else if (streq(status, "missing"))
                p->n_missing++;
        return isempty(v[PROFILE_MESSAGE].s) ? 0 : strv_extend(&p->failures, v[PROFILE_MESSAGE].s);
}

static void profiles_table_done(ProfilesTable *p) {
        table_free(p->table);
        strv_free(p->failures);
}

static int profiles_print(Ctl *c, sd_bus_message *reply) {
        _cleanup_(profiles_table_done) ProfilesTable p = {};
        int r;

        if (c->args->json)
                return json_print_rows(c, reply, profile_columns, ELEMENTSOF(profile_columns), NULL, NULL);

        r = table_new(4, (const char *[]) { _("NAME"), _("MODE"), _("STATUS"), _("FILE") }, &p.table);
        if (r < 0)
                return r;
        r = rows_print(reply, profile_columns, ELEMENTSOF(profile_columns), NULL, NULL, profiles_add, &p);
        if (r < 0)
                return r;
        if (table_rows(p.table) == 0) {
                if (!c->args->quiet)
                        printf(_("aalevel manages no profiles for the current level.\n"));
                return EXIT_OK;
        }
        table_print(p.table, stdout);
        if (p.failures) {
                printf("\n");
                STRV_FOREACH(s, p.failures) {
                        fputs_sanitized(*s, stdout);
                        fputc('\n', stdout);
                }
        }
        if (!c->args->quiet) {
                printf("\n");
                printf(ngettext("%zu profile: %u loaded, %u failed, %u modified, %u missing.\n",
                                "%zu profiles: %u loaded, %u failed, %u modified, %u missing.\n",
                                table_rows(p.table)),
                       table_rows(p.table), p.n_loaded, p.n_failed, p.n_modified, p.n_missing);
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
