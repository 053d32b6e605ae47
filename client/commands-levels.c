/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's commands that show the levels: list and show. */
#include "commands.h"

#include <stdlib.h>
#include <string.h>

#include "exit-status.h"
#include "format.h"
#include "i18n.h"
#include "strv.h"
#include "variant.h"

/* ListLevels' a(ssss), and whether the level is the current one. */
enum { LEVEL_NAME, LEVEL_INHERITS, LEVEL_DESCRIPTION, LEVEL_FILE, LEVEL_CURRENT };
static const Column level_columns[] = {
        [LEVEL_NAME]        = { 's', "name",        VALUE_STRING },
        [LEVEL_INHERITS]    = { 's', "inherits",    VALUE_STRING_OR_NULL },
        [LEVEL_DESCRIPTION] = { 's', "description", VALUE_STRING },
        [LEVEL_FILE]        = { 's', "file",        VALUE_STRING },
        [LEVEL_CURRENT]     = { 0,   "current",     VALUE_BOOL },
};

typedef struct LevelsTable {
        const char *current_level;
        Table *table;
} LevelsTable;

static int list_current(void *userdata, Value *v) {
        LevelsTable *l = userdata;

        v[LEVEL_CURRENT].b = streq(v[LEVEL_NAME].s, l->current_level);
        return 0;
}

static int list_name(void *userdata, Value *v) {
        fputs_sanitized(v[LEVEL_NAME].s, stdout);
        fputc('\n', stdout);
        return 0;
}

static int list_add(void *userdata, Value *v) {
        LevelsTable *l = userdata;
        _cleanup_free_ char *marked = NULL;

        if (asprintf(&marked, "%s %s", v[LEVEL_CURRENT].b ? "*" : " ", v[LEVEL_NAME].s) < 0)
                return -ENOMEM;
        return table_add_row(l->table, (const char *[]) { marked, v[LEVEL_INHERITS].s, v[LEVEL_DESCRIPTION].s });
}

static int list_print(Ctl *c, sd_bus_message *reply, const char *current_level) {
        _cleanup_(table_freep) Table *t = NULL;
        _cleanup_free_ char *name_header = NULL;
        LevelsTable l = { .current_level = current_level };
        int r;

        if (c->args->json)
                return json_print_rows(c, reply, level_columns, ELEMENTSOF(level_columns), list_current, &l);
        if (c->args->quiet) {
                r = rows_print(reply, level_columns, ELEMENTSOF(level_columns), NULL, NULL, list_name, NULL);
                return r < 0 ? r : EXIT_OK;
        }

        /* Two columns for the marker of the current level.
         * TRANSLATORS: column headers, in capitals. */
        if (asprintf(&name_header, "  %s", _("NAME")) < 0)
                return -ENOMEM;
        r = table_new(3, (const char *[]) { name_header, _("INHERITS"), _("DESCRIPTION") }, &t);
        if (r < 0)
                return r;
        l.table = t;
        r = rows_print(reply, level_columns, ELEMENTSOF(level_columns), NULL, list_current, list_add, &l);
        if (r < 0)
                return r;
        table_print(t, stdout);
        return EXIT_OK;
}

int command_list(Ctl *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(manager_properties_done) ManagerProperties p = {};
        int r;

        r = ctl_get_properties(c, &p);
        if (r != 0)
                return r;
        r = ctl_new_call(c, "ListLevels", &m);
        if (r < 0)
                return r;
        r = ctl_call(c, m, CALL_TIMEOUT_DEFAULT_USEC, &reply, _("Cannot list the levels"));
        if (r != 0)
                return r;
        r = list_print(c, reply, strempty(p.level));
        return r < 0 ? ctl_reply_error(c, "ListLevels", r) : r;
}

/* GetLevel's keys (doc/dbus-api.md) as the human output names them; a
 * key this list does not know is shown as it is. */
static const char *level_key_label(const char *key) {
        static const struct {
                const char *key;
                const char *label;
        } labels[] = {
                { "name",           N_("Name") },
                { "description",    N_("Description") },
                { "file",           N_("File") },
                { "ancestry",       N_("Ancestry") },
                { "include",        N_("Include") },
                { "exclude",        N_("Exclude") },
                { "directories",    N_("Directories") },
                { "mode",           N_("Mode") },
                { "disable",        N_("Honours disable/") },
                { "force_complain", N_("Honours force-complain/") },
                { "requires",       N_("Requires") },
                { "confirm",        N_("Confirmation window") },
                { "early_policy",   N_("Early policy") },
                { "users",          N_("Users") },
                { "namespace",      N_("Namespace") },
                { "state",          N_("Runtime state") },
        };

        for (size_t i = 0; i < ELEMENTSOF(labels); i++)
                if (streq(labels[i].key, key))
                        return _(labels[i].label);
        return key;
}

/* users a(ss): "alice (role staff_r)" a line, and {"user","role"}
 * objects in JSON. */
enum { USER_USER, USER_ROLE };
static const Column user_columns[] = {
        [USER_USER] = { 's', "user", VALUE_STRING },
        [USER_ROLE] = { 's', "role", VALUE_STRING },
};

static int show_user_line(void *userdata, Value *v) {
        char ***lines = userdata, *line;

        /* TRANSLATORS: a confined user and the role it gets. */
        if (asprintf(&line, _("%s (role %s)"), v[USER_USER].s, v[USER_ROLE].s) < 0)
                return -ENOMEM;
        return strv_consume(lines, line);
}

static int show_users(sd_bus_message *m, JsonWriter *w, char **ret_text) {
        _cleanup_strv_free_ char **lines = NULL;
        int r;

        r = sd_bus_message_enter_container(m, 'v', "a(ss)");
        if (r < 0)
                return r;
        r = rows_print(m, user_columns, ELEMENTSOF(user_columns), w, NULL, show_user_line, &lines);
        if (r < 0)
                return r;
        if (!w) {
                *ret_text = strv_join(lines, "\n");
                if (!*ret_text)
                        return -ENOMEM;
        }
        r = sd_bus_message_exit_container(m);
        return r < 0 ? r : 0;
}

/* state a(sass), apparmor.d's runtime state: "DE = gnome kde (from
 * /usr/share/wayland-sessions/gnome.desktop)" a line, and
 * {"name","values","source"} objects in JSON. Reads the array (not the
 * variant around it). */
int level_state_print(sd_bus_message *m, JsonWriter *w, char **ret_text) {
        _cleanup_strv_free_ char **lines = NULL;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "(sass)");
        if (r < 0)
                return r;
        if (w)
                json_array_begin(w);
        while ((r = sd_bus_message_enter_container(m, 'r', "sass")) > 0) {
                _cleanup_strv_free_ char **words = NULL;
                _cleanup_free_ char *joined = NULL;
                const char *name, *source;
                char *line;

                r = sd_bus_message_read(m, "s", &name);
                if (r >= 0)
                        r = sd_bus_message_read_strv(m, &words);
                if (r >= 0)
                        r = sd_bus_message_read(m, "s", &source);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
                if (w) {
                        json_object_begin(w);
                        json_key(w, "name");
                        json_string(w, name);
                        json_key(w, "values");
                        json_array_begin(w);
                        STRV_FOREACH(x, words)
                                json_string(w, *x);
                        json_array_end(w);
                        json_key(w, "source");
                        json_string(w, source);
                        json_object_end(w);
                        continue;
                }
                joined = strv_join(words, " ");
                if (!joined)
                        return -ENOMEM;
                if (isempty(joined))
                        /* TRANSLATORS: a runtime state variable aalevel does
                         * not set, and why. */
                        r = asprintf(&line, _("%s: as the tree sets it (%s)"), name, source);
                else
                        /* TRANSLATORS: a runtime state variable of apparmor.d,
                         * its value, and where the value came from. */
                        r = asprintf(&line, _("%s = %s (from %s)"), name, joined, source);
                if (r < 0)
                        return -ENOMEM;
                r = strv_consume(&lines, line);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        if (w)
                json_array_end(w);
        else {
                *ret_text = strv_join(lines, "\n");
                if (!*ret_text)
                        return -ENOMEM;
        }
        return 0;
}

static int show_value_text(sd_bus_message *m, const char *key, char **ret) {
        const char *contents;
        char type;
        uint32_t seconds;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (streq(key, "users") && contents && streq(contents, "a(ss)"))
                return show_users(m, NULL, ret);
        if (streq(key, "state") && contents && streq(contents, "a(sass)")) {
                r = sd_bus_message_enter_container(m, 'v', "a(sass)");
                if (r >= 0)
                        r = level_state_print(m, NULL, ret);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                return r < 0 ? r : 0;
        }
        if (streq(key, "confirm") && contents && streq(contents, "u")) {
                char span[FORMAT_TIMESPAN_MAX];

                r = sd_bus_message_read(m, "v", "u", &seconds);
                if (r < 0)
                        return r;
                *ret = strdup(seconds == 0 ? _("none")
                                           : format_timespan(span, sizeof span, seconds * USEC_PER_SEC));
                return *ret ? 0 : -ENOMEM;
        }
        return variant_to_text(m, ret);
}

static int show_print(Ctl *c, sd_bus_message *reply) {
        _cleanup_(fields_done) Fields f = {};
        _cleanup_(json_writer_done) JsonWriter w = {};
        const char *key, *contents;
        char type;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        if (c->args->json) {
                r = json_begin(c, &w);
                if (r < 0)
                        return r;
                json_object_begin(&w);
        }
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                if (c->args->json) {
                        json_key(&w, key);
                        r = sd_bus_message_peek_type(reply, &type, &contents);
                        if (r < 0)
                                return r;
                        if (streq(key, "users") && contents && streq(contents, "a(ss)"))
                                r = show_users(reply, &w, NULL);
                        else if (streq(key, "state") && contents && streq(contents, "a(sass)")) {
                                r = sd_bus_message_enter_container(reply, 'v', "a(sass)");
                                if (r >= 0)
                                        r = level_state_print(reply, &w, NULL);
                                if (r >= 0)
                                        r = sd_bus_message_exit_container(reply);
                        } else
                                r = variant_to_json(reply, &w);
                } else {
                        _cleanup_free_ char *text = NULL;

                        r = show_value_text(reply, key, &text);
                        if (r >= 0)
                                r = fields_add(&f, level_key_label(key), isempty(text) ? "-" : text);
                }
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;

        if (c->args->json) {
                json_object_end(&w);
                return json_end(&w);
        }
        fields_print(&f, stdout);
        return EXIT_OK;
}

int command_show(Ctl *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = ctl_new_call(c, "GetLevel", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", c->args->level);
        if (r < 0)
                return r;
        r = ctl_call(c, m, CALL_TIMEOUT_DEFAULT_USEC, &reply, _("Cannot show level '%s'"), c->args->level);
        if (r != 0)
                return r;
        r = show_print(c, reply);
        return r < 0 ? ctl_reply_error(c, "GetLevel", r) : r;
}

/* For status: the runtime state of the level in the kernel, from
 * GetLevel's "state" (absent where the tree has none, or from an older
 * daemon: then 0 and nothing written). */
int level_state_of(Ctl *c, const char *level, JsonWriter *w, char **ret_text) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        const char *key, *contents;
        char type;
        int r;

        r = ctl_new_call(c, "GetLevel", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", level);
        if (r < 0)
                return r;
        r = ctl_call_quiet(c, m, CALL_TIMEOUT_DEFAULT_USEC, &reply);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &key);
                if (r >= 0)
                        r = sd_bus_message_peek_type(reply, &type, &contents);
                if (r < 0)
                        return r;
                if (streq(key, "state") && contents && streq(contents, "a(sass)")) {
                        r = sd_bus_message_enter_container(reply, 'v', "a(sass)");
                        if (r >= 0)
                                r = level_state_print(reply, w, ret_text);
                        return r < 0 ? r : 1;
                }
                r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        return r < 0 ? r : 0;
}
