#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped level fsp on Debian: after `aalevelctl set fsp` (confirmed)
# and a reboot, PID 1 runs under the profile systemd from its exec (the
# initramfs loaded the early policy), the system reaches multi-user.target
# with its services working, and no process is unconfined, kernel threads
# aside; services with a profile (aalevel's own, a no_new_privs service)
# run stacked with systemd; nothing it starts can change profile to
# unconfined or to aalevelctl (issue 14, #8). Switching back to default unconfines PID 1 at
# once, and the next boot is an ordinary one.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh
# shellcheck source-path=SCRIPTDIR/../guest source=levels.sh
. /usr/lib/booted-test/levels.sh
require_aalevel

early=/etc/apparmor/earlypolicy

check_services() {
	local u
	assert_eq active "$(systemctl is-active multi-user.target)" "multi-user.target"
	for u in systemd-journald.service systemd-udevd.service systemd-logind.service dbus.service \
		aalevel.service booted-probe.service; do
		assert_eq active "$(systemctl is-active "$u")" "$u"
	done
	for u in cron.service networking.service systemd-networkd.service; do
		if systemctl is-enabled "$u" >/dev/null 2>&1; then
			assert_eq active "$(systemctl is-active "$u")" "$u (installed and enabled)"
			echo "$u: active, $(main_pid_label "$u")"
		fi
	done
	# The console getty is masked in the test image: a getty on tty2.
	systemctl start getty@tty2.service || die "getty@tty2 does not start"
	wait_for 10 systemctl -q is-active getty@tty2.service || die "getty@tty2 is not active"
	echo "getty@tty2: $(main_pid_label getty@tty2.service)"
	# The journal takes messages.
	logger -t booted-fsp "fsp-journal-check-$BOOTED_STEP"
	wait_for 10 bash -c "journalctl -b -t booted-fsp --no-pager | grep -q fsp-journal-check-$BOOTED_STEP" ||
		die "the journal did not record a message"
	# A service with PrivateNetwork= (systemd's socket lock in its
	# namespace setup) gets its own network namespace.
	systemctl start systemd-hostnamed.service || die "systemd-hostnamed does not start"
	local pid
	pid=$(systemctl show -P MainPID systemd-hostnamed.service)
	[[ $(readlink "/proc/$pid/ns/net") != "$(readlink /proc/1/ns/net)" ]] ||
		die "systemd-hostnamed (PrivateNetwork=yes) shares PID 1's network namespace"
	hostnamectl >/dev/null || die "hostnamectl failed"
	systemctl stop getty@tty2.service
	local failed
	failed=$(systemctl --failed --no-legend --plain)
	[[ -z $failed ]] || die "failed units: $failed"
}

# as_service USER SCRIPT ARG...: runs bash SCRIPT in a transient service
# of PID 1 (without no_new_privs: a user's cron job, a daemon without a
# profile), as USER; prints what it printed.
as_service() {
	local user=$1
	shift
	systemd-run --quiet --wait --pipe --collect -p User="$user" /bin/bash -c "$@"
}

# What a process started by PID 1 gets when it writes "changeprofile
# TARGET" to /proc/self/attr/current (or "exec TARGET" to attr/exec and
# then execs): "refused", or the label it ends up under.
# shellcheck disable=SC2016
change_script='
if [[ $2 == exec ]]; then
	printf "exec %s" "$1" 2>/dev/null >/proc/self/attr/exec || { echo refused; exit 0; }
	exec cat /proc/self/attr/current
fi
printf "changeprofile %s" "$1" 2>/dev/null >/proc/self/attr/current || { echo refused; exit 0; }
cat /proc/self/attr/current'

# Issue 14, #8: nothing PID 1 starts leaves the full system policy by
# change_profile: neither to unconfined nor to a label of lower_labels
# (aalevelctl's, which may lower the level). Changing to an ordinary
# profile (kmod) still works: the writes themselves are right.
check_no_escape() {
	local user how got
	assert_eq "systemd (enforce)" "$(as_service root 'cat /proc/self/attr/current')" "a transient service's label"
	for user in root nobody; do
		for how in current exec; do
			got=$(as_service "$user" "$change_script" change unconfined "$how")
			echo "$user, $how, to unconfined: $got"
			assert_eq refused "$got" "change_profile to unconfined by $user ($how)"
		done
	done
	for how in current exec; do
		got=$(as_service root "$change_script" change aalevelctl "$how")
		echo "root, $how, to aalevelctl: $got"
		assert_eq refused "$got" "change_profile to aalevelctl ($how)"
	done
	# kmod: loaded at this level, and it lets cat run and write here
	got=$(as_service root "$change_script" change kmod current)
	echo "root, current, to kmod: $got"
	assert_eq "kmod (enforce)" "$got" "change_profile to an ordinary profile"
}

case $BOOTED_STEP in
0)
	# Whatever level the tests before left (30-early-policy.sh leaves
	# fsp_test, which inherits fsp: going to fsp from it lowers the level,
	# which root may do through aalevelctl).
	echo "boot at $(aalevelctl get), PID 1 $(pid1_label): $(boot_time)"
	# The default confirmation window: a switch nobody confirms reverts.
	out=$(aalevelctl set fsp 2>&1) || die "aalevelctl set fsp failed: $out"
	echo "$out"
	aalevelctl --json status | grep -q '"pending_level": *"fsp"' ||
		die "the switch to fsp does not wait for a confirmation: $(aalevelctl --json status)"
	aalevelctl status | grep -iE 'confirm|pending'
	# aalevelctl's output through a pipe, here and below: at a level that
	# enforces its profile (fsp_test, left by 30-early-policy.sh), it may
	# not write to the runner's fifo, and a failed write of its message is
	# a failure.
	out=$(aalevelctl confirm 2>&1) || die "aalevelctl confirm failed: $out"
	echo "$out"
	assert_eq fsp "$(aalevelctl get)" "level"
	assert_profile_mode systemd enforce
	assert_profile_mode kmod enforce
	[[ -e $early/.aalevel-owned ]] || die "no early policy"
	ls "$early"/*.0/
	[[ -f $(echo "$early"/*.0/usr.lib.systemd.systemd) ]] || die "PID 1's profile is not in the early policy"
	next_boot
	;;
1)
	assert_eq fsp "$(status_field level)" "level"
	echo "boot at fsp: $(boot_time)"
	assert_eq "systemd (enforce)" "$(pid1_label)" "PID 1's label"
	journalctl -b -k --no-pager -o short-monotonic | grep aalevel-initramfs ||
		die "the initramfs did not load the early policy"
	check_services
	# Services with a profile of their own, stacked with systemd: aalevel
	# runs with no_new_privs, booted-probe without.
	assert_eq "aalevel//&systemd (enforce)" "$(main_pid_label aalevel.service)" "the daemon's label"
	assert_eq "booted-probe//&systemd (enforce)" "$(cat /run/booted-probe/label)" "booted-probe's label at its start"
	assert_eq "systemd (enforce)" "$(main_pid_label systemd-journald.service)" "journald's label"
	echo "labels of the processes (kernel threads aside):"
	label_summary
	ps -eo pid,ppid,label,comm | awk '$3 != "unconfined" || $2 != 2' | head -n 60
	leftover=$(unconfined_processes)
	[[ -z $leftover ]] || die "unconfined processes: $leftover"
	check_no_escape
	echo "denials of this boot:"
	journalctl -b -k --no-pager | grep 'apparmor="DENIED"' | grep -v 'operation="file_inherit" profile="aalevelctl"' |
		head -n 20

	# Back to default: the level's own profiles go, so PID 1 and what
	# ran under systemd are unconfined at once.
	out=$(aalevelctl set default 2>&1) || die "aalevelctl set default failed: $out"
	echo "$out"
	assert_eq default "$(aalevelctl get)" "level after lowering"
	assert_no_profile systemd
	assert_no_profile kmod
	assert_eq unconfined "$(pid1_label)" "PID 1's label after the switch to default"
	[[ ! -e $early/.aalevel-owned ]] || die "the early policy is still there: $(ls "$early"/*.0/)"
	next_boot
	;;
2)
	assert_eq default "$(status_field level)" "level after the reboot"
	echo "boot at default: $(boot_time)"
	assert_eq unconfined "$(pid1_label)" "PID 1's label"
	! journalctl -b -k --no-pager | grep -q 'aalevel-initramfs: loaded' || die "the initramfs loaded a policy"
	assert_no_profile systemd
	assert_eq "booted-probe (enforce)" "$(cat /run/booted-probe/label)" "booted-probe's label"
	;;
esac
