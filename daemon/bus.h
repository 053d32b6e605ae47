/* The D-Bus face of the daemon: org.aalevel1.Manager (doc/dbus-api.md) on
 * the private socket <runtime_dir>/bus (peer to peer, usable at early
 * boot) and on the system bus when it is up. */
#pragma once

#include "manager.h"

/* Binds <runtime_dir>/bus (or takes the socket systemd passed). */
int bus_listen(Manager *m);
/* Connects to the system bus now, or as soon as its socket appears. */
void bus_connect_system(Manager *m);
void bus_close_all(Manager *m);

/* Signals to every connection. */
void bus_emit_properties_changed(Manager *m, const char *property, ...);
void bus_emit_progress(Manager *m, const char *phase, unsigned done, unsigned total, const char *current);
void bus_emit_level_changed(Manager *m, const char *level, const char *previous);
void bus_emit_profile_failed(Manager *m, const char *file, const char *error_file, unsigned line,
                             const char *message);

/* Answers a Check or Diff call from the job's result. */
void bus_reply_check(Manager *m, Job *j, Request *req);

/* The introspection XML, for the documentation test. */
extern const sd_bus_vtable bus_manager_vtable[];
