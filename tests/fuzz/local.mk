# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzz targets (tests/fuzz/README.md): one per parser of outside input.
# Here, with the configured compiler, each is built with a driver that
# replays files (standalone.c), and `make check` replays the seed corpus
# and every crash ever found (tests/fuzz/replay). The fuzzing itself,
# with clang and libFuzzer, is tests/fuzz/run (`make fuzz`).
fuzz_targets = \
	tests/fuzz/fuzz-blob \
	tests/fuzz/fuzz-bus \
	tests/fuzz/fuzz-conf \
	tests/fuzz/fuzz-include \
	tests/fuzz/fuzz-level \
	tests/fuzz/fuzz-parser-error \
	tests/fuzz/fuzz-state

# The Varlink handlers' parameters: with libsystemd 257 or later only
# (replay skips it otherwise).
if HAVE_VARLINK
fuzz_targets += tests/fuzz/fuzz-varlink
endif

check_PROGRAMS += $(fuzz_targets)
TESTS += tests/fuzz/replay
EXTRA_DIST += \
	tests/fuzz/README.md \
	tests/fuzz/replay \
	tests/fuzz/run \
	tests/fuzz/corpus \
	tests/fuzz/dict \
	tests/fuzz/regressions

FUZZ_CFLAGS = $(AM_CFLAGS) $(LIBAPPARMOR_CFLAGS) $(LIBSYSTEMD_CFLAGS) $(YAML_CFLAGS) $(INIH_CFLAGS) $(NETTLE_CFLAGS)
FUZZ_COMMON = tests/fuzz/fuzz.h tests/fuzz/standalone.c
FUZZ_MANAGER = tests/fuzz/fuzz-manager.h

tests_fuzz_fuzz_blob_SOURCES = tests/fuzz/fuzz-blob.c $(FUZZ_COMMON)
tests_fuzz_fuzz_blob_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_blob_LDADD = $(AALEVEL_CORE_LIBS)

tests_fuzz_fuzz_bus_SOURCES = tests/fuzz/fuzz-bus.c $(FUZZ_COMMON) $(FUZZ_MANAGER)
tests_fuzz_fuzz_bus_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_bus_LDADD = $(AALEVEL_CORE_LIBS)

tests_fuzz_fuzz_varlink_SOURCES = tests/fuzz/fuzz-varlink.c $(FUZZ_COMMON) $(FUZZ_MANAGER)
tests_fuzz_fuzz_varlink_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_varlink_LDADD = $(AALEVEL_CORE_LIBS)

tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz-conf.c $(FUZZ_COMMON)
tests_fuzz_fuzz_conf_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_conf_LDADD = $(AALEVEL_CORE_LIBS)

tests_fuzz_fuzz_include_SOURCES = tests/fuzz/fuzz-include.c $(FUZZ_COMMON)
tests_fuzz_fuzz_include_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_include_LDADD = $(AALEVEL_CORE_LIBS)

tests_fuzz_fuzz_level_SOURCES = tests/fuzz/fuzz-level.c $(FUZZ_COMMON)
tests_fuzz_fuzz_level_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_level_LDADD = $(AALEVEL_CORE_LIBS)

tests_fuzz_fuzz_parser_error_SOURCES = tests/fuzz/fuzz-parser-error.c $(FUZZ_COMMON)
tests_fuzz_fuzz_parser_error_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_parser_error_LDADD = $(AALEVEL_CORE_LIBS)

tests_fuzz_fuzz_state_SOURCES = tests/fuzz/fuzz-state.c $(FUZZ_COMMON)
tests_fuzz_fuzz_state_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_state_LDADD = $(AALEVEL_CORE_LIBS)

# Fuzz every target with libFuzzer for FUZZ_SECONDS each (clang; a build
# of its own in $(top_builddir)/build-fuzz), after replaying the
# regressions. Not part of `make check`.
FUZZ_SECONDS = 60
fuzz:
	$(abs_top_srcdir)/tests/fuzz/run --builddir $(abs_top_builddir)/build-fuzz $(FUZZ_SECONDS)
.PHONY: fuzz
