# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon: everything but main.c goes into a library that the unit
# tests link against.
noinst_LIBRARIES += libaalevel-core.a
libaalevel_core_a_CFLAGS = $(AM_CFLAGS) $(LIBAPPARMOR_CFLAGS) $(LIBSYSTEMD_CFLAGS) $(YAML_CFLAGS) $(INIH_CFLAGS) \
	$(NETTLE_CFLAGS)
libaalevel_core_a_SOURCES = \
	daemon/accept-gate.c \
	daemon/accept-gate.h \
	daemon/access.c \
	daemon/access.h \
	daemon/aa-cleanup.h \
	daemon/blob.c \
	daemon/blob.h \
	daemon/bus.c \
	daemon/bus-internal.h \
	daemon/bus-socket.c \
	daemon/bus.h \
	daemon/cache.c \
	daemon/cache.h \
	daemon/compiler.c \
	daemon/compiler.h \
	daemon/conf.c \
	daemon/conf.h \
	daemon/early-policy.c \
	daemon/early-policy.h \
	daemon/engine.c \
	daemon/engine.h \
	daemon/engine-internal.h \
	daemon/graph.c \
	daemon/graph.h \
	daemon/hash.c \
	daemon/hash.h \
	daemon/include.c \
	daemon/include.h \
	daemon/kernel.c \
	daemon/kernel.h \
	daemon/level.c \
	daemon/level.h \
	daemon/level-set.c \
	daemon/listen.c \
	daemon/listen.h \
	daemon/load.c \
	daemon/log.c \
	daemon/log.h \
	daemon/manager.c \
	daemon/manager-config.c \
	daemon/manager-config.h \
	daemon/manager-status.c \
	daemon/manager-internal.h \
	daemon/manager-reads.c \
	daemon/manager.h \
	daemon/messages.h \
	daemon/parser-error.c \
	daemon/parser-error.h \
	daemon/plan.c \
	daemon/diff.c \
	daemon/request.c \
	daemon/request.h \
	daemon/selection.c \
	daemon/selection.h \
	daemon/runstate.c \
	daemon/state.c \
	daemon/state.h \
	daemon/statevars.c \
	daemon/statevars.h \
	daemon/sysstate.c \
	daemon/sysstate.h \
	daemon/tree.c \
	daemon/tree.h \
	daemon/users.c \
	daemon/users.h \
	daemon/varlink.h \
	daemon/watch.c \
	daemon/watch.h \
	daemon/worker.c \
	daemon/worker.h

# Varlink: with libsystemd 257 or later only (configure says).
if HAVE_VARLINK
libaalevel_core_a_SOURCES += \
	daemon/varlink.c \
	daemon/varlink-idl.c \
	daemon/varlink-idl.h
endif

AALEVEL_CORE_LIBS = libaalevel-core.a libcommon.a \
	$(LIBAPPARMOR_LIBS) $(LIBSYSTEMD_LIBS) $(YAML_LIBS) $(INIH_LIBS) $(NETTLE_LIBS) -lpthread

sbin_PROGRAMS += aalevel
aalevel_SOURCES = daemon/main.c
aalevel_CFLAGS = $(libaalevel_core_a_CFLAGS)
aalevel_LDADD = $(AALEVEL_CORE_LIBS)
