# Unit tests (Criterion): one program per module, run by make check.
if ENABLE_TESTS
TEST_CFLAGS = $(AM_CFLAGS) $(LIBAPPARMOR_CFLAGS) $(LIBSYSTEMD_CFLAGS) $(YAML_CFLAGS) $(INIH_CFLAGS) $(CRITERION_CFLAGS) \
	-DTEST_DATA_DIR=\"$(abs_top_srcdir)/tests/data\"
TEST_LIBS = $(AALEVEL_CORE_LIBS) $(CRITERION_LIBS)

unit_tests = \
	tests/unit/test-conf \
	tests/unit/test-level

check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

tests_unit_test_conf_SOURCES = tests/unit/test-conf.c
tests_unit_test_conf_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_conf_LDADD = $(TEST_LIBS)

tests_unit_test_level_SOURCES = tests/unit/test-level.c
tests_unit_test_level_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_level_LDADD = $(TEST_LIBS)
endif
