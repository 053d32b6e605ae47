#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A reboot inside the confirmation window boots at the last confirmed
# level (issue 14, #4(b); aalevel(8)): `aalevelctl set fsp --confirm 900`,
# then a reboot before anyone confirms. The unconfirmed level's early
# policy must never be written: before the reboot the early policy
# directory holds nothing of aalevel's, and the next boot is at the
# confirmed level with PID 1 unconfined and nothing loaded by the
# initramfs. Twice: an ordinary reboot (the daemon is stopped on the
# way), and a reset with the disk synced (a crash or power cut: nothing
# the daemon might do when stopped can hide an early policy written too
# soon). Then, for contrast, the same switch confirmed writes it.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh
# shellcheck source-path=SCRIPTDIR/../guest source=levels.sh
. /usr/lib/booted-test/levels.sh
require_aalevel

early=/etc/apparmor/earlypolicy
window=900

# next_boot_reset: as next_boot, but the machine is reset at once
# (sysrq b) after a sync, without stopping anything: the runner's resume
# record is written here, as the runner would.
next_boot_reset() {
	local k
	k=$(grep -nxF "$BOOTED_NAME" /usr/lib/booted-test/tests/list | cut -d: -f1)
	[[ -n $k ]] || die "$BOOTED_NAME is not in the test list"
	printf '%s %s\n' "$k" "$((BOOTED_STEP + 1))" >"$STATE/resume"
	echo "next boot: after a reset"
	sync
	printf '@@BOOTED@@ reboot\n' >/dev/ttyS0
	echo b >/proc/sysrq-trigger
	sleep 30
	die "the machine was not reset"
}

ctl() {
	local out
	out=$(aalevelctl "$@" 2>&1) || die "aalevelctl $* failed: $out"
	echo "aalevelctl $*: $out"
}

# set_unconfirmed: fsp applied, waiting for its confirmation; its early
# policy not written.
set_unconfirmed() {
	ctl set fsp --confirm "$window"
	aalevelctl --json status | grep -q '"pending_level": *"fsp"' ||
		die "fsp does not wait for a confirmation: $(aalevelctl --json status)"
	assert_profile_mode systemd enforce
	[[ ! -e $early/.aalevel-owned ]] || die "the unconfirmed level's early policy was written: $(ls -R "$early")"
	! compgen -G "$early/*/*" >/dev/null || die "policy in the early policy directory: $(ls -R "$early")"
	sync
}

# check_confirmed_boot: this boot is at the confirmed level (default),
# nothing of fsp in it.
check_confirmed_boot() {
	echo "boot $BOOTED_STEP: $(boot_time); at $(status_field level), PID 1 $(pid1_label)"
	assert_eq default "$(status_field level)" "level after a reboot in the confirmation window"
	assert_eq "" "$(status_field pending_level)" "pending level after the reboot"
	assert_eq unconfined "$(pid1_label)" "PID 1's label"
	assert_no_profile systemd
	! journalctl -b -k --no-pager | grep -q 'aalevel-initramfs: loaded' || die "the initramfs loaded a policy"
	[[ ! -e $early/.aalevel-owned ]] || die "early policy on disk: $(ls -R "$early")"
	! compgen -G "$early/*/*" >/dev/null || die "policy in the early policy directory: $(ls -R "$early")"
}

case $BOOTED_STEP in
0)
	# From the confirmed level default (tests before may leave another).
	if [[ $(aalevelctl get) != default ]]; then ctl set default; fi
	assert_eq default "$(aalevelctl get)" "the confirmed level"
	set_unconfirmed
	next_boot
	;;
1)
	check_confirmed_boot
	set_unconfirmed
	next_boot_reset
	;;
2)
	check_confirmed_boot
	# Confirmed, the same switch writes the early policy (the checks
	# above can see one), and default removes it again.
	ctl set fsp --confirm "$window"
	ctl confirm
	[[ -e $early/.aalevel-owned && -f $(echo "$early"/*.0/usr.lib.systemd.systemd) ]] ||
		die "no early policy after the confirmation: $(ls -R "$early" 2>&1)"
	ctl set default
	[[ ! -e $early/.aalevel-owned ]] || die "the early policy stays at default"
	;;
esac
