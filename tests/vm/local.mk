# SPDX-License-Identifier: GPL-2.0-or-later
# VM tests (tests/vm/README.md): boot Debian's own kernel under QEMU with
# this build installed, and run tests/vm/tests/*.sh inside as root. Not part
# of `make check`: they need qemu-system-x86, busybox-static, apparmor and
# apt lists, and take a few seconds per boot.
#   make check-vm [VM_TESTS="tests/vm/tests/01-daemon-status.sh"] [VM_FLAGS=--verbose]
#   make check-vm-selftest     the runner's own checks (panics, hangs, ...)
# The kernel is cached in $(VM_CACHE); `make clean` keeps it.
VM_DESTDIR = $(abs_top_builddir)/tests/vm/destdir
VM_CACHE = $(abs_top_builddir)/tests/vm/cache
VM_FLAGS =
VM_TESTS =

check-vm: all
	rm -rf $(VM_DESTDIR)
	$(MAKE) $(AM_MAKEFLAGS) install DESTDIR=$(VM_DESTDIR)
	$(INSTALL) -D -m 755 tests/tools/bus-flood $(VM_DESTDIR)/usr/libexec/aalevel-tests/bus-flood
	$(abs_top_srcdir)/tests/vm/run --destdir $(VM_DESTDIR) --cache $(VM_CACHE) --timeout 1800 $(VM_FLAGS) $(VM_TESTS)

check-vm-selftest:
	$(abs_top_srcdir)/tests/vm/selftest --cache $(VM_CACHE)

clean-vm:
	rm -rf $(VM_DESTDIR)
clean-local: clean-vm

.PHONY: check-vm check-vm-selftest clean-vm

EXTRA_DIST += \
	tests/vm/README.md \
	tests/vm/.shellcheckrc \
	tests/vm/fetch-kernel \
	tests/vm/init \
	tests/vm/lib.sh \
	tests/vm/run \
	tests/vm/selftest \
	tests/vm/selftest.d/escape.sh \
	tests/vm/selftest.d/fail.sh \
	tests/vm/selftest.d/hang.sh \
	tests/vm/selftest.d/lib-helpers.sh \
	tests/vm/selftest.d/panic-once.sh \
	tests/vm/selftest.d/panic.sh \
	tests/vm/selftest.d/pass.sh \
	tests/vm/selftest.d/skip.sh \
	tests/vm/tests/00-apparmor-enforces.sh \
	tests/vm/tests/01-daemon-status.sh \
	tests/vm/tests/34-bus-flood.sh
