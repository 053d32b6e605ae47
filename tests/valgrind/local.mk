# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon under valgrind's memcheck in the VM (tests/valgrind/run; it
# copies valgrind into the image). Not part of `make check`: it boots a VM
# and takes a few minutes under TCG.
check-valgrind: all
	$(abs_top_srcdir)/tests/valgrind/run --builddir $(abs_top_builddir)
.PHONY: check-valgrind
EXTRA_DIST += tests/valgrind/run tests/valgrind/valgrind-daemon.sh
