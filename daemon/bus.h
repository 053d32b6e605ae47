/* The D-Bus face of the daemon: org.aalevel1.Manager on the private socket
 * <runtime_dir>/bus (peer to peer, usable at early boot) and on the
 * system bus when it is up. */
#pragma once

#include "manager.h"

/* Binds <runtime_dir>/bus (or takes the socket systemd passed). */
int bus_listen(Manager *m);
/* Emits PropertiesChanged for the named properties on every connection. */
void bus_emit_properties_changed(Manager *m, const char *property, ...);
void bus_close_all(Manager *m);
