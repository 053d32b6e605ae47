#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the package installed is where Debian looks for it, and works.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh

files=$(dpkg -L aalevel)
# The units are where the release's systemd.pc says (debian/rules):
# /lib/systemd/system on bookworm, /usr/lib/systemd/system from trixie on.
unitdir=/usr/lib/systemd/system
[[ $(. /etc/os-release && echo "${VERSION_CODENAME:-}") == bookworm ]] && unitdir=/lib/systemd/system
for f in /usr/sbin/aalevel /usr/bin/aalevelctl \
	$unitdir/aalevel.service $unitdir/aalevel.socket \
	$unitdir/apparmor.service.d/aalevel.conf \
	/etc/apparmor.d/usr.sbin.aalevel /etc/apparmor.d/usr.bin.aalevelctl \
	/etc/aalevel/aalevel.conf /usr/share/aalevel/levels/default.yaml \
	/usr/share/dbus-1/system.d/org.aalevel1.conf \
	/usr/share/polkit-1/actions/org.aalevel1.policy \
	/usr/lib/systemd/catalog/aalevel.catalog \
	/usr/share/man/man8/aalevel.8.gz /usr/share/man/man1/aalevelctl.1.gz \
	/usr/share/man/man5/aalevel.conf.5.gz \
	/usr/share/initramfs-tools/hooks/aalevel /usr/share/initramfs-tools/scripts/init-bottom/aalevel; do
	grep -qxF "$f" <<<"$files" || die "the package does not install $f"
	[[ -e $f ]] || die "$f is missing"
done
assert_eq enabled "$(systemctl is-enabled aalevel.service)" "aalevel.service"
assert_eq enabled "$(systemctl is-enabled aalevel.socket)" "aalevel.socket"

# The private socket and the system bus.
busctl --address=unix:path=/run/aalevel/bus introspect org.aalevel1 /org/aalevel1 | grep -q SetLevel ||
	die "busctl introspect on /run/aalevel/bus failed"
wait_for 10 busctl --system status org.aalevel1 >/dev/null 2>&1 || die "org.aalevel1 is not on the system bus"
assert_eq '"default"' "$(busctl --system get-property org.aalevel1 /org/aalevel1 org.aalevel1.Manager Level | cut -d' ' -f2)" \
	"Level on the system bus"
# The journal catalog was compiled in (systemd's trigger).
journalctl --list-catalog 2>/dev/null | grep -qi aalevel || die "journalctl --list-catalog has no aalevel entry"
# The initramfs holds the program and the script, no policy.
initrd=/boot/initrd.img-$(uname -r)
lsinitramfs "$initrd" | grep -E 'aalevel|earlypolicy' | tee "$TMPDIR/initrd"
grep -q 'sbin/aalevel$' "$TMPDIR/initrd" || die "aalevel is not in $initrd"
grep -q 'scripts/init-bottom/aalevel$' "$TMPDIR/initrd" || die "the init-bottom script is not in $initrd"
! grep -q earlypolicy "$TMPDIR/initrd" || die "$initrd holds policy"
