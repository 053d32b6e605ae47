/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's properties. */
#include "properties.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

typedef struct PropertyInfo {
        const char *name;
        const char *signature;
        size_t offset;
} PropertyInfo;

static const PropertyInfo properties[] = {
        { "Version",            "s",  offsetof(ManagerProperties, version) },
        { "Level",              "s",  offsetof(ManagerProperties, level) },
        { "PendingLevel",       "s",  offsetof(ManagerProperties, pending_level) },
        { "State",              "s",  offsetof(ManagerProperties, state) },
        { "LevelSource",        "s",  offsetof(ManagerProperties, level_source) },
        { "ConfirmDeadline",    "t",  offsetof(ManagerProperties, confirm_deadline) },
        { "ProfilesLoaded",     "u",  offsetof(ManagerProperties, profiles_loaded) },
        { "ProfilesFailed",     "u",  offsetof(ManagerProperties, profiles_failed) },
        { "ProfilesModified",   "u",  offsetof(ManagerProperties, profiles_modified) },
        { "LastReload",         "t",  offsetof(ManagerProperties, last_reload) },
        { "LastReloadDuration", "t",  offsetof(ManagerProperties, last_reload_duration) },
        { "Errors",             "as", offsetof(ManagerProperties, errors) },
};

void manager_properties_done(ManagerProperties *p) {
        free(p->version);
        free(p->level);
        free(p->pending_level);
        free(p->state);
        free(p->level_source);
        strv_free(p->errors);
        *p = (ManagerProperties) {};
}

static int read_property(sd_bus_message *m, const PropertyInfo *info, ManagerProperties *p) {
        void *field = (char *) p + info->offset;
        const char *s;
        char **l = NULL;
        int r;

        switch (info->signature[0]) {
        case 's':
                r = sd_bus_message_read(m, "v", "s", &s);
                if (r < 0)
                        return r;
                s = strdup(s);
                if (!s)
                        return -ENOMEM;
                free(*(char **) field);
                *(char **) field = (char *) s;
                return 0;
        case 'u':
                return sd_bus_message_read(m, "v", "u", (uint32_t *) field);
        case 't':
                return sd_bus_message_read(m, "v", "t", (uint64_t *) field);
        case 'a':
                r = sd_bus_message_enter_container(m, 'v', "as");
                if (r < 0)
                        return r;
                r = sd_bus_message_read_strv(m, &l);
                if (r < 0)
                        return r;
                strv_free(*(char ***) field);
                *(char ***) field = l;
                return sd_bus_message_exit_container(m);
        default:
                abort();
        }
}

int manager_properties_parse(sd_bus_message *m, ManagerProperties *ret) {
        _cleanup_(manager_properties_done) ManagerProperties p = {};
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const PropertyInfo *info = NULL;
                const char *name, *contents;
                char type;

                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, &type, &contents);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < ELEMENTSOF(properties); i++)
                        if (streq(properties[i].name, name) && streq(properties[i].signature, contents))
                                info = &properties[i];
                if (info)
                        r = read_property(m, info, &p);
                else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        *ret = p;
        p = (ManagerProperties) {};
        return 0;
}

uint64_t confirm_remaining_sec(usec_t deadline, usec_t now) {
        if (deadline <= now)
                return 0;
        /* Rounded up: "within 60 seconds" right after a 60 s window. */
        return (deadline - now + USEC_PER_SEC - 1) / USEC_PER_SEC;
}
