/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's commands that compile without loading: diff and check.
 * Both can take minutes on a cold cache, so they show progress and wait
 * as long as it takes. */
#include "commands.h"

#include <stdlib.h>
#include <string.h>

#include "exit-status.h"
#include "format.h"
#include "i18n.h"
#include "strv.h"

typedef enum ChangeKind {
        CHANGE_ADD,
        CHANGE_REMOVE,
        CHANGE_MODE,
        CHANGE_RECOMPILE,
        CHANGE_OTHER,           /* a kind added to the API after this client */
        _CHANGE_KIND_MAX,
} ChangeKind;

static ChangeKind change_kind_from_string(const char *s) {
        static const char * const names[] = {
                [CHANGE_ADD] = "add",
                [CHANGE_REMOVE] = "remove",
                [CHANGE_MODE] = "mode",
                [CHANGE_RECOMPILE] = "recompile",
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(names[i], s))
                        return (ChangeKind) i;
        return CHANGE_OTHER;
}

static const char *change_kind_heading(ChangeKind k) {
        switch (k) {
        case CHANGE_ADD:       return _("Profiles to add:");
        case CHANGE_REMOVE:    return _("Profiles to remove:");
        case CHANGE_MODE:      return _("Profiles changing mode:");
        case CHANGE_RECOMPILE: return _("Profiles to recompile (same name, new policy):");
        default:               return _("Other changes:");
        }
}

/* Diff's a(ssss). */
enum { CHANGE_NAME, CHANGE_CHANGE, CHANGE_DETAIL, CHANGE_FILE };
static const Column change_columns[] = {
        [CHANGE_NAME]   = { 's', "name",   VALUE_STRING },
        [CHANGE_CHANGE] = { 's', "change", VALUE_STRING },
        [CHANGE_DETAIL] = { 's', "detail", VALUE_STRING_OR_NULL },
        [CHANGE_FILE]   = { 's', "file",   VALUE_STRING_OR_NULL },
};

/* One line of a group: "  NAME: DETAIL (FILE)". */
static int diff_line(const char *name, const char *change, const char *detail, const char *file, char **ret) {
        const char *extra = !isempty(detail) ? detail :
                            change_kind_from_string(change) == CHANGE_OTHER ? change : NULL;
        char *line;
        int k;

        if (extra && !isempty(file))
                k = asprintf(&line, "  %s: %s (%s)", name, extra, file);
        else if (extra)
                k = asprintf(&line, "  %s: %s", name, extra);
        else if (!isempty(file))
                k = asprintf(&line, "  %s (%s)", name, file);
        else
                k = asprintf(&line, "  %s", name);
        if (k < 0)
                return -ENOMEM;
        *ret = line;
        return 0;
}

typedef struct ChangeGroups {
        char **lines[_CHANGE_KIND_MAX];
        size_t counts[_CHANGE_KIND_MAX];
        size_t total;
} ChangeGroups;

static void change_groups_done(ChangeGroups *g) {
        for (ChangeKind k = 0; k < _CHANGE_KIND_MAX; k++)
                strv_free(g->lines[k]);
}

static int diff_add(void *userdata, Value *v) {
        ChangeGroups *g = userdata;
        ChangeKind k = change_kind_from_string(v[CHANGE_CHANGE].s);
        char *line;
        int r;

        r = diff_line(v[CHANGE_NAME].s, v[CHANGE_CHANGE].s, v[CHANGE_DETAIL].s, v[CHANGE_FILE].s, &line);
        if (r >= 0)
                r = strv_consume(&g->lines[k], line);
        if (r < 0)
                return r;
        g->counts[k]++;
        g->total++;
        return 0;
}

static int diff_print(Ctl *c, sd_bus_message *reply) {
        _cleanup_(change_groups_done) ChangeGroups g = {};
        int r;

        if (c->args->json)
                return json_print_rows(c, reply, change_columns, ELEMENTSOF(change_columns), NULL, NULL);

        r = rows_print(reply, change_columns, ELEMENTSOF(change_columns), NULL, NULL, diff_add, &g);
        if (r < 0)
                return r;
        for (ChangeKind k = 0; k < _CHANGE_KIND_MAX; k++) {
                if (!g.lines[k])
                        continue;
                printf("%s\n", change_kind_heading(k));
                STRV_FOREACH(l, g.lines[k]) {
                        fputs_sanitized(*l, stdout);
                        fputc('\n', stdout);
                }
        }
        if (g.total == 0)
                printf(_("Switching to level %s changes nothing.\n"), c->args->level);
        else
                printf(_("Switching to level %s: %zu to add, %zu to remove, %zu changing mode, %zu to recompile.\n"),
                       c->args->level, g.counts[CHANGE_ADD], g.counts[CHANGE_REMOVE], g.counts[CHANGE_MODE],
                       g.counts[CHANGE_RECOMPILE]);
        return EXIT_OK;
}

int command_diff(Ctl *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        c->show_progress = true;
        r = ctl_new_call(c, "Diff", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", c->args->level);
        if (r < 0)
                return r;
        r = ctl_call(c, m, CALL_TIMEOUT_LONG_USEC, &reply, _("Cannot compare with level '%s'"), c->args->level);
        if (r != 0)
                return r;
        r = diff_print(c, reply);
        return r < 0 ? ctl_reply_error(c, "Diff", r) : r;
}

/* Check's a(sssus). */
enum { FAILURE_FILE, FAILURE_NAME, FAILURE_ERROR_FILE, FAILURE_LINE, FAILURE_MESSAGE };
static const Column failure_columns[] = {
        [FAILURE_FILE]       = { 's', "file",       VALUE_STRING },
        [FAILURE_NAME]       = { 's', "name",       VALUE_STRING_OR_NULL },
        [FAILURE_ERROR_FILE] = { 's', "error_file", VALUE_STRING_OR_NULL },
        [FAILURE_LINE]       = { 'u', "line",       VALUE_UNSIGNED },
        [FAILURE_MESSAGE]    = { 's', "message",    VALUE_STRING },
};

static int check_json(Ctl *c, sd_bus_message *reply, uint32_t compiled, uint32_t failed) {
        _cleanup_(json_writer_done) JsonWriter w = {};
        const Field counts[] = {
                { "compiled", VALUE_UINT(compiled) },
                { "failed",   VALUE_UINT(failed) },
        };
        int r;

        r = json_begin(c, &w);
        if (r < 0)
                return r;
        json_object_begin(&w);
        json_fields(&w, counts, ELEMENTSOF(counts));
        json_key(&w, "failures");
        r = rows_print(reply, failure_columns, ELEMENTSOF(failure_columns), &w, NULL, NULL, NULL);
        if (r < 0)
                return r;
        json_object_end(&w);
        r = json_end(&w);
        if (r != 0)
                return r;
        return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

static int check_line(void *userdata, Value *v) {
        const char *file = v[FAILURE_FILE].s, *error_file = v[FAILURE_ERROR_FILE].s;
        _cleanup_free_ char *location = format_location(isempty(error_file) ? file : error_file, v[FAILURE_LINE].u);
        _cleanup_free_ char *text = NULL;
        int k;

        if (!location)
                return -ENOMEM;
        /* The profile file is worth naming when the parser blamed
         * another one (an abstraction it includes). */
        if (!isempty(error_file) && !streq(error_file, file))
                k = asprintf(&text, _("%s: %s (profile file %s)"), location, v[FAILURE_MESSAGE].s, file);
        else
                k = asprintf(&text, "%s: %s", location, v[FAILURE_MESSAGE].s);
        if (k < 0)
                return -ENOMEM;
        fputs_sanitized(text, stdout);
        fputc('\n', stdout);
        return 0;
}

static int check_print(Ctl *c, sd_bus_message *reply) {
        uint32_t compiled, failed;
        int r;

        r = sd_bus_message_read(reply, "uu", &compiled, &failed);
        if (r < 0)
                return r;
        if (c->args->json)
                return check_json(c, reply, compiled, failed);

        r = rows_print(reply, failure_columns, ELEMENTSOF(failure_columns), NULL, NULL, check_line, NULL);
        if (r < 0)
                return r;
        if (!c->args->quiet) {
                if (c->args->level)
                        printf(ngettext("Level %s: %u profile file compiled, %u failed.\n",
                                        "Level %s: %u profile files compiled, %u failed.\n", compiled),
                               c->args->level, compiled, failed);
                else
                        printf(ngettext("Current level: %u profile file compiled, %u failed.\n",
                                        "Current level: %u profile files compiled, %u failed.\n", compiled),
                               compiled, failed);
        }
        return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

int command_check(Ctl *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        c->show_progress = true;
        r = ctl_new_call(c, "Check", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", strempty(c->args->level));
        if (r < 0)
                return r;
        if (c->args->level)
                r = ctl_call(c, m, CALL_TIMEOUT_LONG_USEC, &reply, _("Cannot check level '%s'"), c->args->level);
        else
                r = ctl_call(c, m, CALL_TIMEOUT_LONG_USEC, &reply, _("Cannot check the current level"));
        if (r != 0)
                return r;
        r = check_print(c, reply);
        return r < 0 ? ctl_reply_error(c, "Check", r) : r;
}
