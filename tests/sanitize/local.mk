# SPDX-License-Identifier: GPL-2.0-or-later
# ASan and UBSan (tests/sanitize/run): a build of its own configured with
# --enable-sanitizers in $(SANITIZE_BUILDDIR), its `make check`, then the
# VM tests with the sanitized daemon and client. Not part of `make check`.
SANITIZE_BUILDDIR = $(abs_top_builddir)/build-asan
check-sanitize:
	$(abs_top_srcdir)/tests/sanitize/run --builddir $(SANITIZE_BUILDDIR)
.PHONY: check-sanitize
EXTRA_DIST += tests/sanitize/run tests/sanitize/99-sanitizer-reports.sh
