# SPDX-License-Identifier: GPL-2.0-or-later
# Booted tests (tests/booted/README.md): a real Debian bookworm system under
# QEMU, systemd as PID 1, aalevel installed from the .deb built from `make
# dist` with dpkg-buildpackage; tests/booted/tests/*.sh run inside it over
# several boots. Not part of `make check`: needs root, debootstrap, QEMU,
# dpkg-dev, debhelper and the Debian mirror for the first debootstrap
# (cached in $(BOOTED_CACHE); `make clean` keeps it).
#   make check-booted [BOOTED_TESTS="tests/booted/tests/10-boot.sh"] [BOOTED_FLAGS=--verbose]
#   make booted-deb       only build the package (and run lintian on it)
#   make check-booted-release [BOOTED_RELEASE=trixie] [BOOTED_TESTS=...]
#                         the same on another release: the .deb built inside
#                         that release's root by tools/release-deb (left in
#                         build/deb-RELEASE of the source tree), its own
#                         kernel, systemd and AppArmor in the image
BOOTED_CACHE = $(abs_top_builddir)/tests/booted/cache
BOOTED_DEBDIR = $(abs_top_builddir)/tests/booted/deb
BOOTED_FLAGS =
BOOTED_TESTS =
BOOTED_RELEASE = trixie
BOOTED_RELEASE_DEBDIR = $(abs_top_srcdir)/build/deb-$(BOOTED_RELEASE)

booted-deb: dist
	$(abs_top_srcdir)/tests/booted/build-deb --lintian --tarball $(abs_top_builddir)/$(PACKAGE)-$(VERSION).tar.xz \
		--debian $(abs_top_srcdir)/debian --out $(BOOTED_DEBDIR) >/dev/null

check-booted: booted-deb
	$(abs_top_srcdir)/tests/booted/run --cache $(BOOTED_CACHE) \
		--deb $(BOOTED_DEBDIR) $(BOOTED_FLAGS) $(BOOTED_TESTS)

booted-deb-release:
	$(abs_top_srcdir)/tools/release-deb --no-install $(BOOTED_RELEASE) >/dev/null

check-booted-release: booted-deb-release
	$(abs_top_srcdir)/tests/booted/run --release $(BOOTED_RELEASE) --cache $(BOOTED_CACHE) --timeout 600 \
		--deb $(BOOTED_RELEASE_DEBDIR) $(BOOTED_FLAGS) $(BOOTED_TESTS)

clean-booted:
	rm -rf $(BOOTED_DEBDIR)
clean-local: clean-booted

.PHONY: booted-deb check-booted booted-deb-release check-booted-release clean-booted

EXTRA_DIST += \
	tests/booted/README-real-machines.md \
	tests/booted/README.md \
	tests/booted/build-deb \
	tests/booted/guest/booted-test.service \
	tests/booted/guest/image/etc/apparmor.d/booted-probe \
	tests/booted/guest/image/etc/apparmor.d/booted-whoami \
	tests/booted/guest/image/etc/systemd/system/booted-probe.service \
	tests/booted/guest/image/etc/systemd/system/booted-sysinit-probe.service \
	tests/booted/guest/image/usr/lib/booted-test/policy-snapshot \
	tests/booted/guest/image/usr/lib/booted-test/probe-service \
	tests/booted/guest/image/usr/lib/booted-test/whoami-app \
	tests/booted/guest/levels.sh \
	tests/booted/guest/lib.sh \
	tests/booted/guest/runner \
	tests/booted/mkimage \
	tests/booted/run \
	tests/booted/tests/10-boot.sh \
	tests/booted/tests/11-service-confined.sh \
	tests/booted/tests/12-single-load.sh \
	tests/booted/tests/13-reload-restart.sh \
	tests/booted/tests/14-package.sh \
	tests/booted/tests/20-level-reboots.sh \
	tests/booted/tests/30-early-policy.sh \
	tests/booted/tests/35-level-fsp.sh \
	tests/booted/tests/36-level-extreme.sh \
	tests/booted/tests/37-level-cycle.sh \
	tests/booted/tests/38-confirm-reboot.sh \
	tests/booted/tests/40-apparmor-fallback.sh \
	tests/booted/tests/50-purge.sh
