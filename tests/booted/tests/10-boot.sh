#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# At boot, aalevel.service is up before sysinit.target, under its own
# profile and its hardening, with the selected level in the kernel.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh

assert_eq active "$(systemctl is-active aalevel.service)" "aalevel.service"
assert_eq active "$(systemctl is-active aalevel.socket)" "aalevel.socket"

# Started (READY=1: the level is in the kernel) before sysinit.target,
# which every ordinary service comes after.
t_aalevel=$(unit_prop aalevel.service ActiveEnterTimestampMonotonic)
t_sysinit=$(unit_prop sysinit.target ActiveEnterTimestampMonotonic)
t_basic=$(unit_prop basic.target ActiveEnterTimestampMonotonic)
echo "active at (monotonic, us): aalevel.service $t_aalevel, sysinit.target $t_sysinit, basic.target $t_basic"
((t_aalevel > 0 && t_aalevel <= t_sysinit)) || die "aalevel.service was not active before sysinit.target"
systemd-analyze critical-chain aalevel.service 2>/dev/null | tail -n +3 | head -n 8

# The selected level (default) is in the kernel, every profile aalevel
# owns loaded.
assert_eq default "$(status_field level)" "level"
assert_eq idle "$(status_field state)" "state"
mapfile -t owned < <(owned_profiles)
echo "aalevel owns ${#owned[@]} profiles: ${owned[*]}"
((${#owned[@]} >= 3)) || die "aalevel owns too few profiles"
for p in aalevel aalevelctl booted-probe; do
	[[ " ${owned[*]} " == *" $p "* ]] || die "aalevel does not own $p"
done
for p in "${owned[@]}"; do
	[[ -n $(profile_mode "$p") ]] || die "owned profile $p is not in the kernel"
done

# The daemon runs under its own profile (loaded by ExecStartPre's
# `aalevel load` before the daemon's exec), enforced.
pid=$(unit_prop aalevel.service MainPID)
assert_eq "aalevel (enforce)" "$(cat "/proc/$pid/attr/current")" "the daemon's label"
# ... and its profile and hardening denied it nothing.
denials=$(journalctl -b -k --no-pager | grep 'apparmor="DENIED"' | grep -E 'profile="aalevel(ctl)?"') || true
[[ -z $denials ]] || die "denials for aalevel: $denials"

# ProtectKernelTunables= makes /sys read-only, securityfs with it (writes
# to .replace would fail with EROFS); the unit's ReadWritePaths= gives
# apparmorfs back.
opts() { systemd-run --quiet --wait --pipe -p ProtectKernelTunables=yes "$@" findmnt -no OPTIONS -T /sys/kernel/security/apparmor; }
echo "apparmorfs under ProtectKernelTunables=yes: $(opts | cut -d, -f1); with ReadWritePaths=: $(opts -p ReadWritePaths=/sys/kernel/security/apparmor | cut -d, -f1)"
assert_eq rw "$(grep -E ' /sys/kernel/security(/apparmor)? ' "/proc/$pid/mountinfo" | tail -n 1 | awk '{ print $6 }' | cut -d, -f1)" \
	"apparmorfs in the daemon's mount namespace"

# The unit as installed: clean, and hardened.
out=$(systemd-analyze verify --man=no aalevel.service aalevel.socket 2>&1) || die "systemd-analyze verify: $out"
[[ -z $out ]] || die "systemd-analyze verify is not clean: $out"
# Offline (the file, as `systemd-analyze security --offline=yes
# units/aalevel.service` on a build machine) and online (the running unit).
for what in "--offline=yes /lib/systemd/system/aalevel.service" "aalevel.service"; do
	# shellcheck disable=SC2086 # options and a name
	score=$(systemd-analyze security $what 2>&1 | sed -n 's/.*Overall exposure level for aalevel.service: \([0-9.]*\).*/\1/p')
	echo "systemd-analyze security $what: $score"
	awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }' || die "exposure '$score' is above 2.0"
done
