/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who may change the level. Reading is open to everyone who can reach the
 * socket. Changing (SetLevel, Confirm, Reload) needs uid 0 or polkit's
 * authorization for org.aalevel1.set-level. And, after the trusted-helper
 * model of AppArmor: the daemon looks at the caller's security context
 * (its AppArmor label, from the socket with SO_PEERSEC, which the kernel
 * vouches for) and refuses a confined caller that would lower the level
 * unless its label is allowed in aalevel.conf ([access] lower_labels). A
 * compromised confined root process cannot downgrade the machine.
 *
 * The label comes from the kernel, never from anything the caller says:
 * SO_PEERSEC on the socket where the kernel offers it, otherwise the
 * label of the connecting process, read when it connects and kept only
 * if that process (held by a pidfd: SO_PEERPIDFD where the kernel offers
 * it, else pidfd_open() at once) still runs after the reading (Debian's
 * 6.1 kernel has no AppArmor mediation of AF_UNIX sockets, so SO_PEERSEC
 * gives nothing there). On the system bus, the label the bus daemon took
 * at connect time, never one read later by PID. A label that cannot be
 * read counts as confined (unless AppArmor is off: not in the kernel, or
 * disabled at boot; not merely unreadable): refusals fail closed.
 * aa_query_label is not used (that kernel answers "allow" for D-Bus
 * queries whatever the policy).
 *
 * polkit has no Varlink interface: it is asked over the system bus about
 * a caller of a peer-to-peer socket (the private D-Bus socket, the
 * Varlink socket) as a unix-process subject carrying both the pidfd held
 * since it connected and its start time. polkit 124 and later take the
 * pidfd (and ignore the rest); older ones do not know the key and take
 * the PID with its start time. Without a start time the subject carries
 * the pidfd alone, which an older polkit rejects (refused); without
 * either polkit is not asked: refused. A system-bus caller is asked about
 * by its unique bus name. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "macro.h"

typedef struct Caller {
        uid_t uid;
        pid_t pid;
        uint64_t start_time;    /* of pid, in clock ticks since boot (polkit's unix-process) */
        int pidfd;              /* of pid, taken when it connected; 0 when none (never 0 to 2: those
                                 * are moved up), so that a Caller of zeros holds nothing */
        char *label;            /* AppArmor label without the mode, "unconfined" when not confined */
        char *sender;           /* unique bus name on the system bus, NULL peer to peer */
} Caller;

/* Frees what c holds (closes its pidfd) and zeroes it. */
void caller_clear(Caller *c);

/* Who is at the other end of a peer-to-peer connection, read when it
 * connects (fd: the accepted socket); its pidfd is kept (for polkit) when
 * the process still ran after the reading. */
int caller_from_socket(int fd, Caller *ret);

/* Who sent a message on the system bus, from the bus daemon's account:
 * uid, PID and the label it took when the sender connected, and the
 * sender's unique name; never anything read by the PID. Fails when the
 * bus daemon does not say (no uid). */
int caller_from_bus_message(sd_bus_message *m, Caller *ret);

/* The AppArmor label of a process, without the mode; "unconfined" for an
 * unconfined one; NULL when it cannot be read. */
char *process_label(pid_t pid);

bool caller_is_confined(const Caller *c);
/* Whether c may lower the level as far as its label goes: unconfined, or
 * its label listed in lower_labels. */
bool access_may_lower(const Caller *c, char * const *lower_labels);

/* Splits "label (mode)" into the label; also drops a trailing NUL or
 * newline, as SO_PEERSEC gives them. NULL on OOM. */
char *label_strip_mode(const char *raw);

typedef enum AccessChange {
        ACCESS_RAISE,           /* nothing enforced becomes weaker: level_set_is_raise() */
        ACCESS_LOWER,           /* anything else */
        ACCESS_OTHER,           /* confirm, reload: no level change by themselves */
} AccessChange;

/* Called with the decision: 0 allowed; -EACCES refused, and why says so
 * in words for the caller (each transport sends it with its own "access
 * denied" error). */
typedef void (*AccessDone)(int r, const char *why, void *userdata);

/* Decides whether caller c may make this change, whatever the transport
 * it called by, and calls done, right away or, when polkit must be asked,
 * once it answered (the event loop keeps running meanwhile). system_bus
 * may be NULL (no polkit then: only root may change). interactive: polkit
 * may ask the user for a password. Returns < 0 only when nothing could be
 * started (then done is not called). */
int access_check_async(const Caller *c, sd_bus *system_bus, AccessChange change, char * const *lower_labels,
                       bool interactive, AccessDone done, void *userdata);

/* The polkit action id. */
#define AALEVEL_POLKIT_ACTION "org.aalevel1.set-level"
