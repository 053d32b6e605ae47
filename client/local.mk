# SPDX-License-Identifier: GPL-2.0-or-later
# The client, aalevelctl. Everything but main() goes into a library that
# the unit tests link against.
noinst_LIBRARIES += libaalevelctl.a
libaalevelctl_a_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
libaalevelctl_a_SOURCES = \
	client/address.c \
	client/address.h \
	client/args.c \
	client/args.h \
	client/commands-change.c \
	client/commands-compile.c \
	client/commands-levels.c \
	client/commands-status.c \
	client/commands.c \
	client/commands.h \
	client/ctl.c \
	client/ctl.h \
	client/exit-status.h \
	client/format.c \
	client/format.h \
	client/json.c \
	client/json.h \
	client/output.c \
	client/output.h \
	client/progress.c \
	client/progress.h \
	client/properties.c \
	client/properties.h \
	client/variant.c \
	client/variant.h

bin_PROGRAMS += aalevelctl
aalevelctl_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
aalevelctl_SOURCES = client/aalevelctl.c
aalevelctl_LDADD = libaalevelctl.a libcommon.a $(LIBSYSTEMD_LIBS)

dist_man1_MANS = man/aalevelctl.1
dist_bashcompletion_DATA = completion/aalevelctl

# The bash completion's test needs no build: it runs even with
# --disable-tests.
TESTS += tests/unit/test-client-completion.sh
EXTRA_DIST += tests/unit/test-client-completion.sh

# What each command prints, against a fake daemon (no Criterion needed).
check_PROGRAMS += tests/tools/fake-daemon
tests_tools_fake_daemon_SOURCES = tests/tools/fake-daemon.c
tests_tools_fake_daemon_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
tests_tools_fake_daemon_LDADD = $(LIBSYSTEMD_LIBS)
TESTS += tests/unit/test-client-output.sh
EXTRA_DIST += tests/unit/test-client-output.sh tests/data/client-output

if ENABLE_TESTS
# -I client first: daemon/ (in AM_CPPFLAGS) may have headers of the same
# names.
CLIENT_TEST_CPPFLAGS = -I$(top_srcdir)/client $(AM_CPPFLAGS)
CLIENT_TEST_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS) $(CRITERION_CFLAGS)
CLIENT_TEST_LIBS = libaalevelctl.a libcommon.a $(LIBSYSTEMD_LIBS) $(CRITERION_LIBS)

client_unit_tests = \
	tests/unit/test-client-address \
	tests/unit/test-client-args \
	tests/unit/test-client-format \
	tests/unit/test-client-json \
	tests/unit/test-client-progress \
	tests/unit/test-client-replies

check_PROGRAMS += $(client_unit_tests)
TESTS += $(client_unit_tests)

tests_unit_test_client_address_SOURCES = tests/unit/test-client-address.c
tests_unit_test_client_address_CPPFLAGS = $(CLIENT_TEST_CPPFLAGS)
tests_unit_test_client_address_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_unit_test_client_address_LDADD = $(CLIENT_TEST_LIBS)

tests_unit_test_client_args_SOURCES = tests/unit/test-client-args.c
tests_unit_test_client_args_CPPFLAGS = $(CLIENT_TEST_CPPFLAGS)
tests_unit_test_client_args_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_unit_test_client_args_LDADD = $(CLIENT_TEST_LIBS)

tests_unit_test_client_format_SOURCES = tests/unit/test-client-format.c
tests_unit_test_client_format_CPPFLAGS = $(CLIENT_TEST_CPPFLAGS)
tests_unit_test_client_format_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_unit_test_client_format_LDADD = $(CLIENT_TEST_LIBS)

tests_unit_test_client_json_SOURCES = tests/unit/test-client-json.c
tests_unit_test_client_json_CPPFLAGS = $(CLIENT_TEST_CPPFLAGS)
tests_unit_test_client_json_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_unit_test_client_json_LDADD = $(CLIENT_TEST_LIBS)

tests_unit_test_client_progress_SOURCES = tests/unit/test-client-progress.c
tests_unit_test_client_progress_CPPFLAGS = $(CLIENT_TEST_CPPFLAGS)
tests_unit_test_client_progress_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_unit_test_client_progress_LDADD = $(CLIENT_TEST_LIBS)

tests_unit_test_client_replies_SOURCES = tests/unit/test-client-replies.c
tests_unit_test_client_replies_CPPFLAGS = $(CLIENT_TEST_CPPFLAGS)
tests_unit_test_client_replies_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_unit_test_client_replies_LDADD = $(CLIENT_TEST_LIBS)
endif
