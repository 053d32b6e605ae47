#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Purging the package removes what aalevel added (its state, cache,
# conffiles, the early policy it owned, its initramfs hook) and leaves the
# policy in the kernel alone. Files the admin added (a level in
# /etc/aalevel/levels) stay, as dpkg keeps them.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh

before=$(sort "$APPARMORFS/profiles")
rev=$(kernel_revision)
[[ -n $before ]] || die "no policy loaded before the purge"
dpkg --purge aalevel || die "dpkg --purge aalevel failed"

for p in /var/lib/aalevel /var/cache/aalevel /etc/aalevel/aalevel.conf /etc/apparmor.d/usr.sbin.aalevel \
	/etc/apparmor.d/usr.bin.aalevelctl /lib/systemd/system/aalevel.service \
	/lib/systemd/system/apparmor.service.d/aalevel.conf /etc/apparmor/earlypolicy/.aalevel-owned; do
	[[ ! -e $p ]] || die "$p is still there after the purge"
done
[[ ! -e /etc/aalevel/levels/fsp_test.yaml ]] || echo "kept, as dpkg does: /etc/aalevel/levels/fsp_test.yaml (the admin's)"
leftover=$(find /etc/apparmor/earlypolicy -type f 2>/dev/null)
[[ -z $leftover ]] || die "early policy left behind: $leftover"
[[ ! -e /etc/systemd/system/sysinit.target.wants/aalevel.service ]] || die "aalevel.service is still enabled"
# The trigger rebuilt the initramfs without aalevel.
! lsinitramfs "/boot/initrd.img-$(uname -r)" | grep -q aalevel || die "the initramfs still holds aalevel"
# Nothing was unloaded or replaced.
assert_eq "$before" "$(sort "$APPARMORFS/profiles")" "the profiles in the kernel"
assert_eq "$rev" "$(kernel_revision)" "the policy revision"
echo "after the purge: $(wc -l <"$APPARMORFS/profiles") profiles still loaded, revision $rev"
