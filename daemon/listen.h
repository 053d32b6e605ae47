/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The listening sockets of the transports: the D-Bus socket
 * <runtime_dir>/bus and the Varlink socket <runtime_dir>/org.aalevel.Manager.
 * systemd may pass them (aalevel.socket, one ListenStream= each, in no
 * promised order): each transport takes the one bound to its own path.
 * Without one, the transport binds the path itself. */
#pragma once

/* A listening AF_UNIX stream socket on path (what: its name in messages),
 * systemd's or bound here, world-accessible (0666: reading is open to
 * everyone; changes are checked per call). Returns the descriptor, or a
 * negative errno (logged). */
int listen_unix(const char *path, const char *what);

/* The sockets systemd passed that no transport took (closed; logged). */
void listen_close_unused(void);
