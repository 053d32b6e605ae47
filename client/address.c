/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where the daemon listens. */
#include "address.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

const char *socket_path_pick(const char *option, const char *env) {
        if (!isempty(option))
                return option;
        if (!isempty(env))
                return env;
        return AALEVEL_RUNTIME_DIR "/bus";
}

/* The D-Bus specification's "optionally escaped" bytes. */
static bool address_char_safe(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               strchr("-_/.\\*", c);
}

int bus_address_from_path(const char *path, char **ret) {
        static const char prefix[] = "unix:path=", hex[] = "0123456789abcdef";
        char *address, *p;

        address = malloc(strlen(prefix) + strlen(path) * 3 + 1);
        if (!address)
                return -ENOMEM;
        p = stpcpy(address, prefix);
        for (const char *s = path; *s; s++) {
                if (address_char_safe(*s))
                        *p++ = *s;
                else {
                        *p++ = '%';
                        *p++ = hex[(unsigned char) *s >> 4];
                        *p++ = hex[(unsigned char) *s & 0xf];
                }
        }
        *p = '\0';
        *ret = address;
        return 0;
}
