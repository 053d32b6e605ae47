#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped levels in turn, a reboot after each switch (issue 15):
# default -> strict -> fsp (confirmed) -> default. After each boot the
# level is in force (the daemon's status, the kernel's modes, PID 1's
# label) and its policy was in the kernel before sysinit.target
# (assert_policy_before_sysinit: the kernel's load times and a snapshot
# taken before sysinit.target); at fsp PID 1 runs under the profile systemd
# from its exec.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh
# shellcheck source-path=SCRIPTDIR/../guest source=levels.sh
. /usr/lib/booted-test/levels.sh
require_aalevel

# Steps are counted in a file of the test's own: the first boot may
# already be at default (a fresh image) or not (tests before it).
phase_file=$STATE/${BOOTED_NAME}.phase
((BOOTED_STEP > 0)) || rm -f "$phase_file"
phase=$(cat "$phase_file" 2>/dev/null || echo start)
to() {
	echo "$1" >"$phase_file"
	next_boot
}

# check_boot LEVEL: this boot is at LEVEL, in force since before sysinit.target.
check_boot() {
	local level=$1 modes
	assert_eq "$level" "$(status_field level)" "level"
	assert_eq "" "$(status_field pending_level)" "pending level"
	echo "boot at $level: $(boot_time); kernel $(uname -r), $(systemctl --version | head -n 1)"
	assert_eq active "$(systemctl is-active aalevel.service)" "aalevel.service"
	assert_policy_before_sysinit
	modes=$(owned_profiles | while read -r p; do profile_mode "$p"; done | sort | uniq -c | tr -s ' \n' ' ')
	echo "modes of the owned profiles:$modes"
	case $level in
	default)
		assert_eq unconfined "$(pid1_label)" "PID 1's label"
		assert_no_profile systemd
		! journalctl -b -k --no-pager | grep -q 'aalevel-initramfs: loaded' || die "the initramfs loaded a policy"
		;;
	strict)
		assert_eq unconfined "$(pid1_label)" "PID 1's label"
		assert_no_profile systemd
		# mode: enforce (levels/strict.yaml): nothing owned in complain mode.
		[[ $modes != *complain* ]] || die "owned profiles in complain mode at strict:$modes"
		assert_profile_mode aalevelctl enforce
		;;
	fsp)
		assert_eq "systemd (enforce)" "$(pid1_label)" "PID 1's label"
		assert_profile_mode systemd enforce
		[[ $modes != *complain* ]] || die "owned profiles in complain mode at fsp:$modes"
		assert_eq "aalevel//&systemd (enforce)" "$(main_pid_label aalevel.service)" "the daemon's label"
		journalctl -b -k --no-pager -o short-monotonic | grep aalevel-initramfs ||
			echo "(no message of the initramfs hook: systemd loaded the early policy)"
		leftover=$(unconfined_processes)
		[[ -z $leftover ]] || die "unconfined processes at fsp: $leftover"
		;;
	esac
	assert_eq "booted-probe (enforce)" "$(sed 's/\/\/&systemd//' /run/booted-probe/label)" "booted-probe's label at its start"
}

# aalevelctl's output through $(...): at a level enforcing its profile it
# may not write to the runner's fifo (see 35-level-fsp.sh).
ctl() {
	local out
	out=$(aalevelctl "$@" 2>&1) || die "aalevelctl $* failed: $out"
	echo "aalevelctl $*: $out"
}

echo "phase $phase (step $BOOTED_STEP)"
case $phase in
start)
	# This boot counts as the one at default only when it came up at
	# default and stayed there (tests before may have switched since).
	changes=$(journalctl -b -u aalevel.service -o cat --no-pager | grep 'Security level changed') || true
	if [[ $(aalevelctl get) != default || $(status_field level_source) == kernel-cmdline ||
		$(wc -l <<<"$changes") != 1 || $changes != *" to default." ]]; then
		[[ $(aalevelctl get) == default ]] || ctl set default
		to default
	fi
	;&
default)
	check_boot default
	ctl set strict
	assert_eq strict "$(aalevelctl get)" "level after set"
	to strict
	;;
strict)
	check_boot strict
	ctl set fsp
	aalevelctl --json status | grep -q '"pending_level": *"fsp"' ||
		die "the switch to fsp does not wait for a confirmation: $(aalevelctl --json status)"
	ctl confirm
	assert_eq fsp "$(aalevelctl get)" "level after confirm"
	[[ -f $(echo /etc/apparmor/earlypolicy/*.0/usr.lib.systemd.systemd) ]] || die "PID 1's profile is not in the early policy"
	to fsp
	;;
fsp)
	check_boot fsp
	ctl set default
	assert_eq unconfined "$(pid1_label)" "PID 1's label after the switch to default"
	to back
	;;
back)
	check_boot default
	rm -f "$phase_file"
	;;
*) die "unknown phase $phase" ;;
esac
