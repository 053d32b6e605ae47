# SPDX-License-Identifier: GPL-2.0-or-later
# The documentation and system integration files against the code: man
# pages lint-free, every configuration key, level key, bus member and
# journal MESSAGE_ID documented, XML well-formed. Needs no build: runs
# even with --disable-tests.
TESTS += tests/docs/check
EXTRA_DIST += tests/docs/check
