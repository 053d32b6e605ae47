# SPDX-License-Identifier: GPL-2.0-or-later
# Code shared by the daemon and the client.
noinst_LIBRARIES += libcommon.a
libcommon_a_SOURCES = \
	common/dbus-api.h \
	common/fileio.c \
	common/fileio.h \
	common/hashmap.c \
	common/hashmap.h \
	common/i18n.h \
	common/macro.h \
	common/strv.c \
	common/strv.h \
	common/utf8.c \
	common/utf8.h \
	common/util.c \
	common/util.h
