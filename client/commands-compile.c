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

static int diff_json(Ctl *c, sd_bus_message *reply) {
        const char *name, *change, *detail, *file;
        _cleanup_(json_writer_done) JsonWriter w = {};
        int r;

        r = json_begin(c, &w);
        if (r < 0)
                return r;
        json_array_begin(&w);
        while ((r = sd_bus_message_read(reply, "(ssss)", &name, &change, &detail, &file)) > 0) {
                json_object_begin(&w);
                json_key(&w, "name");
                json_string(&w, name);
                json_key(&w, "change");
                json_string(&w, change);
                json_key(&w, "detail");
                json_string_or_null(&w, detail);
                json_key(&w, "file");
                json_string_or_null(&w, file);
                json_object_end(&w);
        }
        if (r < 0)
                return r;
        json_array_end(&w);
        return json_end(&w);
}

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

static int diff_print(Ctl *c, sd_bus_message *reply) {
        char **groups[_CHANGE_KIND_MAX] = {};
        const char *name, *change, *detail, *file;
        size_t counts[_CHANGE_KIND_MAX] = {}, total = 0;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(ssss)");
        if (r < 0)
                return r;
        if (c->args->json)
                return diff_json(c, reply);

        while ((r = sd_bus_message_read(reply, "(ssss)", &name, &change, &detail, &file)) > 0) {
                ChangeKind k = change_kind_from_string(change);
                char *line;

                r = diff_line(name, change, detail, file, &line);
                if (r >= 0)
                        r = strv_consume(&groups[k], line);
                if (r < 0)
                        break;
                counts[k]++;
                total++;
        }
        if (r >= 0) {
                for (ChangeKind k = 0; k < _CHANGE_KIND_MAX; k++) {
                        if (!groups[k])
                                continue;
                        printf("%s\n", change_kind_heading(k));
                        STRV_FOREACH(l, groups[k]) {
                                fputs_sanitized(*l, stdout);
                                fputc('\n', stdout);
                        }
                }
                if (total == 0)
                        printf(_("Switching to level %s changes nothing.\n"), c->args->level);
                else
                        printf(_("Switching to level %s: %zu to add, %zu to remove, %zu changing mode, %zu to recompile.\n"),
                               c->args->level, counts[CHANGE_ADD], counts[CHANGE_REMOVE], counts[CHANGE_MODE],
                               counts[CHANGE_RECOMPILE]);
        }
        for (ChangeKind k = 0; k < _CHANGE_KIND_MAX; k++)
                strv_free(groups[k]);
        return r < 0 ? r : EXIT_OK;
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

static int check_json(Ctl *c, sd_bus_message *reply, uint32_t compiled, uint32_t failed) {
        const char *file, *name, *error_file, *message;
        uint32_t line;
        _cleanup_(json_writer_done) JsonWriter w = {};
        int r;

        r = json_begin(c, &w);
        if (r < 0)
                return r;
        json_object_begin(&w);
        json_key(&w, "compiled");
        json_unsigned(&w, compiled);
        json_key(&w, "failed");
        json_unsigned(&w, failed);
        json_key(&w, "failures");
        json_array_begin(&w);
        while ((r = sd_bus_message_read(reply, "(sssus)", &file, &name, &error_file, &line, &message)) > 0) {
                json_object_begin(&w);
                json_key(&w, "file");
                json_string(&w, file);
                json_key(&w, "name");
                json_string_or_null(&w, name);
                json_key(&w, "error_file");
                json_string_or_null(&w, error_file);
                json_key(&w, "line");
                json_unsigned(&w, line);
                json_key(&w, "message");
                json_string(&w, message);
                json_object_end(&w);
        }
        if (r < 0)
                return r;
        json_array_end(&w);
        json_object_end(&w);
        r = json_end(&w);
        if (r != 0)
                return r;
        return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

static int check_print(Ctl *c, sd_bus_message *reply) {
        const char *file, *name, *error_file, *message;
        uint32_t compiled, failed, line;
        int r;

        r = sd_bus_message_read(reply, "uu", &compiled, &failed);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sssus)");
        if (r < 0)
                return r;
        if (c->args->json)
                return check_json(c, reply, compiled, failed);

        while ((r = sd_bus_message_read(reply, "(sssus)", &file, &name, &error_file, &line, &message)) > 0) {
                _cleanup_free_ char *location = format_location(isempty(error_file) ? file : error_file, line);
                _cleanup_free_ char *text = NULL;
                int k;

                if (!location)
                        return -ENOMEM;
                /* The profile file is worth naming when the parser
                 * blamed another one (an abstraction it includes). */
                if (!isempty(error_file) && !streq(error_file, file))
                        k = asprintf(&text, _("%s: %s (profile file %s)"), location, message, file);
                else
                        k = asprintf(&text, "%s: %s", location, message);
                if (k < 0)
                        return -ENOMEM;
                fputs_sanitized(text, stdout);
                fputc('\n', stdout);
        }
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
