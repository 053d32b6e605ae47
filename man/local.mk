# SPDX-License-Identifier: GPL-2.0-or-later
# Manual pages of the daemon and of its files. aalevelctl.1 is installed
# from client/local.mk. Plain troff with the man macros: no generator at
# build time; tests/docs/check lints them.
dist_man8_MANS = man/aalevel.8
dist_man5_MANS = \
	man/aalevel.conf.5 \
	man/aalevel.level.5

# The D-Bus and Varlink API references (aalevel(8) points to them;
# tests/docs/check compares them with daemon/bus.c and
# daemon/varlink-idl.c), installed in $(docdir).
dist_doc_DATA = doc/dbus-api.md doc/varlink-api.md
