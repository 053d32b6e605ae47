/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's commands that change the level: set, confirm, reload. */
#include "commands.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbus-api.h"
#include "exit-status.h"
#include "format.h"
#include "i18n.h"

static uint64_t call_flags(Ctl *c) {
        /* On a terminal, polkit may ask for a password. */
        return (c->args->no_block ? AALEVEL_FLAG_NO_BLOCK : 0) | (isatty(STDIN_FILENO) ? AALEVEL_FLAG_INTERACTIVE : 0);
}

static uint64_t call_timeout(Ctl *c) {
        return c->args->no_block ? CALL_TIMEOUT_DEFAULT_USEC : CALL_TIMEOUT_LONG_USEC;
}

/* A failed compile keeps the old version loaded and the call succeeds:
 * say so, or the admin believes every profile is current. */
static void warn_failed_profiles(Ctl *c, const ManagerProperties *p) {
        if (p->profiles_failed == 0 || c->args->quiet)
                return;
        fprintf(stderr, ngettext("Warning: %u profile file failed to compile and keeps its previous version. "
                                 "Run 'aalevelctl profiles' for details.\n",
                                 "Warning: %u profile files failed to compile and keep their previous version. "
                                 "Run 'aalevelctl profiles' for details.\n",
                                 p->profiles_failed),
                p->profiles_failed);
}

/* The level a pending switch reverts to. The API has no property for it
 * (doc/dbus-api.md): while a level waits for confirmation, Level and
 * PendingLevel both name the new one. It is the level in place before
 * the call, unless that one was itself waiting for confirmation: then
 * the daemon reverts to an older level this client cannot know. */
static const char *revert_level(const ManagerProperties *before, const ManagerProperties *after) {
        if (!isempty(after->level) && !streq(after->level, strempty(after->pending_level)))
                return after->level;
        if (!isempty(before->pending_level) || before->confirm_deadline > 0)
                return NULL;
        if (!isempty(before->level) && !streq(before->level, strempty(after->pending_level)))
                return before->level;
        return NULL;
}

static void set_print(Ctl *c, const ManagerProperties *before, const ManagerProperties *after, usec_t now) {
        const char *level = c->args->level, *revert = revert_level(before, after);
        unsigned remaining;

        if (c->args->quiet)
                return;
        if (c->args->no_block) {
                printf(_("Switching to level %s in the background. Run 'aalevelctl status' to follow it.\n"), level);
                return;
        }
        if (after->confirm_deadline > 0 && !isempty(after->pending_level)) {
                remaining = (unsigned) MIN(confirm_remaining_sec(after->confirm_deadline, now), UINT32_MAX);
                printf(_("Switched to level %s.\n"), after->pending_level);
                if (revert)
                        printf(ngettext("Run 'aalevelctl confirm' within %u second or the level reverts to %s.\n",
                                        "Run 'aalevelctl confirm' within %u seconds or the level reverts to %s.\n",
                                        remaining),
                               remaining, revert);
                else
                        printf(ngettext("Run 'aalevelctl confirm' within %u second or the switch is undone.\n",
                                        "Run 'aalevelctl confirm' within %u seconds or the switch is undone.\n",
                                        remaining),
                               remaining);
                return;
        }
        if (streq(strempty(before->level), level) && isempty(before->pending_level))
                printf(_("Level %s was already in place.\n"), level);
        else if (!isempty(before->level) && !streq(before->level, level))
                printf(_("Switched from level %s to %s.\n"), before->level, level);
        else
                printf(_("Switched to level %s.\n"), level);
}

int command_set(Ctl *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(manager_properties_done) ManagerProperties before = {}, after = {};
        usec_t now;
        int r;

        r = ctl_get_properties(c, &before);
        if (r != 0)
                return r;

        r = ctl_new_call(c, "SetLevel", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "sut", c->args->level, c->args->confirm_seconds, call_flags(c));
        if (r < 0)
                return r;
        c->show_progress = c->show_profile_failures = !c->args->no_block;
        r = ctl_call(c, m, call_timeout(c), NULL, _("Cannot switch to level '%s'"), c->args->level);
        if (r != 0)
                return r;

        r = ctl_get_properties(c, &after);
        if (r != 0)
                return r;
        now = now_usec(CLOCK_REALTIME);

        if (c->args->json) {
                const Field fields[] = {
                        { "requested_level",       VALUE_STR(c->args->level) },
                        { "level",                 VALUE_STR_OR_NULL(after.level) },
                        { "pending_level",         VALUE_STR_OR_NULL(after.pending_level) },
                        { "state",                 VALUE_STR_OR_NULL(after.state) },
                        { "confirm_deadline_usec", VALUE_UINT_OR_NULL(after.confirm_deadline) },
                        { "confirm_remaining_sec", VALUE_UINT_IF(after.confirm_deadline > 0,
                                                                 confirm_remaining_sec(after.confirm_deadline, now)) },
                        { "revert_level",          VALUE_STR_OR_NULL(after.confirm_deadline > 0
                                                                     ? revert_level(&before, &after) : NULL) },
                        { "profiles_failed",       VALUE_UINT(after.profiles_failed) },
                };

                return json_print_fields(c, fields, ELEMENTSOF(fields));
        }
        set_print(c, &before, &after, now);
        if (!c->args->no_block)
                warn_failed_profiles(c, &after);
        return EXIT_OK;
}

int command_confirm(Ctl *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(manager_properties_done) ManagerProperties p = {};
        int r;

        r = ctl_get_properties(c, &p);
        if (r != 0)
                return r;
        r = ctl_new_call(c, "Confirm", &m);
        if (r < 0)
                return r;
        r = ctl_call(c, m, CALL_TIMEOUT_DEFAULT_USEC, NULL, _("Cannot confirm the level"));
        if (r != 0)
                return r;

        if (c->args->json)
                return json_print_fields(c, (const Field[]) { { "confirmed_level", VALUE_STR_OR_NULL(p.pending_level) } }, 1);
        if (c->args->quiet)
                return EXIT_OK;
        if (isempty(p.pending_level))
                printf(_("Confirmed: the new level stays in place.\n"));
        else
                printf(_("Confirmed: level %s stays in place.\n"), p.pending_level);
        return EXIT_OK;
}

int command_reload(Ctl *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(manager_properties_done) ManagerProperties p = {};
        char took[FORMAT_TIMESPAN_MAX];
        int r;

        r = ctl_new_call(c, "Reload", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "t", call_flags(c));
        if (r < 0)
                return r;
        c->show_progress = c->show_profile_failures = !c->args->no_block;
        r = ctl_call(c, m, call_timeout(c), NULL, _("Cannot reload"));
        if (r != 0)
                return r;
        r = ctl_get_properties(c, &p);
        if (r != 0)
                return r;

        if (c->args->json) {
                const Field fields[] = {
                        { "level",                     VALUE_STR_OR_NULL(p.level) },
                        { "state",                     VALUE_STR_OR_NULL(p.state) },
                        { "last_reload_usec",          VALUE_UINT_OR_NULL(p.last_reload) },
                        { "last_reload_duration_usec", VALUE_UINT_IF(p.last_reload > 0, p.last_reload_duration) },
                        { "profiles_failed",           VALUE_UINT(p.profiles_failed) },
                };

                return json_print_fields(c, fields, ELEMENTSOF(fields));
        }
        if (c->args->quiet)
                return EXIT_OK;
        if (c->args->no_block)
                printf(_("Reload requested; the daemon applies it in the background. Run 'aalevelctl status' to follow it.\n"));
        else if (p.last_reload > 0 && !isempty(p.level))
                printf(_("Reloaded: level %s is in place (took %s).\n"), p.level,
                       format_timespan(took, sizeof took, p.last_reload_duration));
        else
                printf(_("Reloaded.\n"));
        if (!c->args->no_block)
                warn_failed_profiles(c, &p);
        return EXIT_OK;
}
