#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# With a level that wants early policy, PID 1 itself is confined: by the
# initramfs's load before /sbin/init runs (the profile attaches at exec),
# or, with aalevel.initramfs=0, by systemd's own load of
# /etc/apparmor/earlypolicy and its change to the profile "systemd". Either
# way the whole level is in the kernel before PID 1 starts any service.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh

early=/etc/apparmor/earlypolicy

# The number of files in the early policy cache: one write to the kernel
# each when it is loaded.
early_files() { find "$early" -mindepth 2 -maxdepth 2 -type f ! -name '.*' | wc -l; }

case $BOOTED_STEP in
0)
	cat >/etc/aalevel/levels/fsp_test.yaml <<-'YAML'
		# booted tests: fsp (its own profile systemd for PID 1) without
		# the confirmation window
		description: fsp, no confirmation
		inherits: fsp
		confirm: 0
	YAML
	# The daemon sees the new file within its debounce; a reload is sooner.
	aalevelctl reload || die "aalevelctl reload failed"
	aalevelctl set fsp_test --confirm 0 || die "aalevelctl set fsp_test failed"
	assert_eq fsp_test "$(aalevelctl get)" "level"
	[[ -e $early/.aalevel-owned ]] || die "no early policy marker"
	ls "$early"/*.0/
	[[ -f $(echo "$early"/*.0/usr.lib.systemd.systemd) ]] || die "the profile systemd is not in the early policy"
	# The initramfs is older than the policy: it is not rebuilt for it.
	[[ $early -nt /boot/initrd.img-$(uname -r) || -n $(find "$early" -newer "/boot/initrd.img-$(uname -r)") ]] ||
		die "the early policy is not newer than the initramfs"
	next_boot
	;;
1)
	assert_eq "systemd (enforce)" "$(cat /proc/1/attr/current)" "PID 1's label"
	journalctl -b -k --no-pager -o short-monotonic | grep aalevel-initramfs ||
		die "the initramfs did not load the early policy"
	# Everything in the kernel came from that one load: nothing written later.
	assert_eq "$(early_files)" "$(kernel_revision)" "writes to the kernel this boot against early policy files"
	assert_eq fsp_test "$(status_field level)" "level"
	next_boot aalevel.initramfs=0
	;;
2)
	assert_eq "systemd (enforce)" "$(cat /proc/1/attr/current)" "PID 1's label"
	! journalctl -b -k --no-pager | grep -q 'aalevel-initramfs: loaded' || die "the initramfs loaded the policy"
	# PID 1's messages (those from before journald ran came through the
	# kernel's log: SYSLOG_IDENTIFIER, no _PID).
	journalctl -b --no-pager SYSLOG_IDENTIFIER=systemd -o short-monotonic >"$TMPDIR/pid1"
	grep -E 'early policy|AppArmor profile' "$TMPDIR/pid1"
	loaded=$(grep -n 'Successfully loaded all binary profiles from AppArmor early policy cache' "$TMPDIR/pid1" | cut -d: -f1 | head -n 1)
	changed=$(grep -n 'Changed to AppArmor profile systemd' "$TMPDIR/pid1" | cut -d: -f1 | head -n 1)
	first_unit=$(grep -nE ' (Starting|Started|Mounting|Listening on) ' "$TMPDIR/pid1" | cut -d: -f1 | head -n 1)
	[[ -n $loaded && -n $changed ]] || die "systemd did not load the early policy and change to 'systemd'"
	[[ -n $first_unit ]] || die "no unit start in PID 1's journal"
	((loaded < first_unit)) || die "systemd started a unit before it loaded the early policy"
	assert_eq "$(early_files)" "$(kernel_revision)" "writes to the kernel this boot against early policy files"
	;;
esac
