# SPDX-License-Identifier: GPL-2.0-or-later
# Unit tests (Criterion): one program per module, run by make check.
# Tools the test scripts use.
noinst_PROGRAMS = tests/tools/closure-dump tests/tools/load-floor tests/tools/bus-flood
tests_tools_bus_flood_SOURCES = tests/tools/bus-flood.c
tests_tools_load_floor_SOURCES = tests/tools/load-floor.c
tests_tools_load_floor_CFLAGS = $(AM_CFLAGS) $(LIBAPPARMOR_CFLAGS)
tests_tools_load_floor_LDADD = $(LIBAPPARMOR_LIBS)
tests_tools_closure_dump_SOURCES = tests/tools/closure-dump.c
tests_tools_closure_dump_CFLAGS = $(AM_CFLAGS) $(LIBAPPARMOR_CFLAGS) $(LIBSYSTEMD_CFLAGS) $(NETTLE_CFLAGS)
tests_tools_closure_dump_LDADD = $(AALEVEL_CORE_LIBS)
EXTRA_DIST += tests/differential/run

# configure's defaults (runstatedir /run); needs no Criterion.
TESTS += tests/unit/test-configure-defaults.sh
EXTRA_DIST += tests/unit/test-configure-defaults.sh

# The apparmor.service drop-in and its condition against the apparmor and
# systemd of the release the tests run on (tools/release-build --check runs
# them in each release's root).
TESTS += tests/unit/test-apparmor-dropin.sh
EXTRA_DIST += tests/unit/test-apparmor-dropin.sh

# aalevel compile --root records failures with the image's paths (needs
# apparmor_parser; skipped without it).
TESTS += tests/unit/test-compile-root.sh
EXTRA_DIST += tests/unit/test-compile-root.sh

if ENABLE_TESTS
TEST_CFLAGS = $(AM_CFLAGS) $(LIBAPPARMOR_CFLAGS) $(LIBSYSTEMD_CFLAGS) $(YAML_CFLAGS) $(INIH_CFLAGS) $(NETTLE_CFLAGS) $(CRITERION_CFLAGS) \
	-DTEST_DATA_DIR=\"$(abs_top_srcdir)/tests/data\" -DTEST_BUILD_DIR=\"$(abs_top_builddir)\"
TEST_LIBS = $(AALEVEL_CORE_LIBS) $(CRITERION_LIBS)

unit_tests = \
	tests/unit/test-accept-gate \
	tests/unit/test-access \
	tests/unit/test-blob \
	tests/unit/test-bus \
	tests/unit/test-cache \
	tests/unit/test-compiler \
	tests/unit/test-compiler-env \
	tests/unit/test-conf \
	tests/unit/test-engine \
	tests/unit/test-graph \
	tests/unit/test-hash \
	tests/unit/test-include \
	tests/unit/test-level \
	tests/unit/test-manager \
	tests/unit/test-manager-config \
	tests/unit/test-parser-error \
	tests/unit/test-selection \
	tests/unit/test-state \
	tests/unit/test-sysstate \
	tests/unit/test-tree \
	tests/unit/test-users \
	tests/unit/test-utf8 \
	tests/unit/test-util

check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

tests_unit_test_access_SOURCES = tests/unit/test-access.c
tests_unit_test_access_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_access_LDADD = $(TEST_LIBS)
# It fakes libapparmor's aa_is_enabled() and aa_gettaskcon() (test-access.c).
tests_unit_test_access_LDFLAGS = -Wl,--wrap=aa_is_enabled,--wrap=aa_gettaskcon

tests_unit_test_accept_gate_SOURCES = tests/unit/test-accept-gate.c
tests_unit_test_accept_gate_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_accept_gate_LDADD = $(TEST_LIBS)

tests_unit_test_bus_SOURCES = tests/unit/test-bus.c
tests_unit_test_bus_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_bus_LDADD = $(TEST_LIBS)

tests_unit_test_compiler_env_SOURCES = tests/unit/test-compiler-env.c
tests_unit_test_compiler_env_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_compiler_env_LDADD = $(TEST_LIBS)

tests_unit_test_conf_SOURCES = tests/unit/test-conf.c
tests_unit_test_conf_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_conf_LDADD = $(TEST_LIBS)

tests_unit_test_level_SOURCES = tests/unit/test-level.c
tests_unit_test_level_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_level_LDADD = $(TEST_LIBS)
tests_unit_test_cache_SOURCES = tests/unit/test-cache.c
tests_unit_test_cache_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cache_LDADD = $(TEST_LIBS)

tests_unit_test_graph_SOURCES = tests/unit/test-graph.c
tests_unit_test_graph_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_graph_LDADD = $(TEST_LIBS)

tests_unit_test_hash_SOURCES = tests/unit/test-hash.c
tests_unit_test_hash_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_hash_LDADD = $(TEST_LIBS)

tests_unit_test_include_SOURCES = tests/unit/test-include.c
tests_unit_test_include_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_include_LDADD = $(TEST_LIBS)

tests_unit_test_manager_SOURCES = tests/unit/test-manager.c
tests_unit_test_manager_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_manager_LDADD = $(TEST_LIBS)

tests_unit_test_manager_config_SOURCES = tests/unit/test-manager-config.c
tests_unit_test_manager_config_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_manager_config_LDADD = $(TEST_LIBS)

tests_unit_test_selection_SOURCES = tests/unit/test-selection.c
tests_unit_test_selection_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_selection_LDADD = $(TEST_LIBS)

tests_unit_test_state_SOURCES = tests/unit/test-state.c
tests_unit_test_state_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_state_LDADD = $(TEST_LIBS)

tests_unit_test_sysstate_SOURCES = tests/unit/test-sysstate.c
tests_unit_test_sysstate_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sysstate_LDADD = $(TEST_LIBS)

tests_unit_test_tree_SOURCES = tests/unit/test-tree.c
tests_unit_test_tree_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_tree_LDADD = $(TEST_LIBS)

tests_unit_test_users_SOURCES = tests/unit/test-users.c
tests_unit_test_users_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_users_LDADD = $(TEST_LIBS)

tests_unit_test_utf8_SOURCES = tests/unit/test-utf8.c
tests_unit_test_utf8_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_utf8_LDADD = $(TEST_LIBS)

tests_unit_test_compiler_SOURCES = tests/unit/test-compiler.c
tests_unit_test_compiler_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_compiler_LDADD = $(TEST_LIBS)

tests_unit_test_engine_SOURCES = tests/unit/test-engine.c tests/unit/fake-kernel.c tests/unit/fake-kernel.h
tests_unit_test_engine_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_engine_LDADD = $(TEST_LIBS)
# Its early-policy durability test logs these calls (test-engine.c).
tests_unit_test_engine_LDFLAGS = -Wl,--wrap=fsync,--wrap=rename,--wrap=renameat,--wrap=unlink,--wrap=unlinkat

tests_unit_test_util_SOURCES = tests/unit/test-util.c
tests_unit_test_util_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_util_LDADD = $(TEST_LIBS)

tests_unit_test_blob_SOURCES = tests/unit/test-blob.c
tests_unit_test_blob_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_blob_LDADD = $(TEST_LIBS)

tests_unit_test_parser_error_SOURCES = tests/unit/test-parser-error.c
tests_unit_test_parser_error_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_parser_error_LDADD = $(TEST_LIBS)

endif
EXTRA_DIST += tests/data/blob tests/data/engine tests/data/parser-error tests/data/small-tree.list


# The German locale test-compiler-env makes with localedef when the system has none.
clean-test-locale:
	rm -rf tests/unit/locale tests/unit/locale.tmp
clean-local: clean-test-locale
.PHONY: clean-test-locale
