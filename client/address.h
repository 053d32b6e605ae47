/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where the daemon listens: the socket path chosen by --socket,
 * $AALEVEL_SOCKET or the built-in default, and the D-Bus address that
 * names it. */
#pragma once

/* --socket wins over the environment, which wins over the default.
 * An empty environment variable counts as unset. */
const char *socket_path_pick(const char *option, const char *env);

/* "unix:path=PATH", with the bytes D-Bus addresses reserve (',', ';',
 * '=', '%', non-ASCII, ...) escaped as %XX. */
int bus_address_from_path(const char *path, char **ret);
