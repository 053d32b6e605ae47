#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the test VM (tools/bench): loads, reloads and switches on
# Debian's kernel, aalevel against apparmor_parser, on the tree in /extra
# (an image root: etc/apparmor.d, var/cache/aalevel and var/cache/apparmor
# warmed on the host). Prints "BENCH <measure> <seconds>" lines.
. /tests/lib.sh

REPS=${BENCH_REPS:-3}
IDLE=${BENCH_IDLE:-60}
T=/etc/apparmor.d
PC=/var/cache/apparmor
X=NetworkManager

now() { /usr/bin/date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
bench() { echo "BENCH $*"; }

# The image, moved into place (same file system: no copies).
rm -rf /etc/apparmor.d /var/cache/aalevel /var/lib/aalevel
mv /extra/etc/apparmor.d /etc/apparmor.d
mkdir -p /var/cache
mv /extra/var/cache/aalevel /var/cache/aalevel
mv /extra/var/cache/apparmor "$PC"
ls "$PC"
mkdir -p /etc/aalevel
printf '[daemon]\njobs = 2\n' >/etc/aalevel/aalevel.conf
profiles=$(ls -p $T | grep -vc /)
bench profile_files "$profiles"
bench kernel "$(uname -r)"
# aa-load (AppArmor 4.0+) loads apparmor_parser's cache without running
# the parser: the upstream floor of a boot load where the release has it.
aa_load=
for p in /usr/sbin/aa-load /sbin/aa-load; do [ -x "$p" ] && { aa_load=$p; break; }; done

remove_all() {
	sed -n 's/ ([a-z]*)$//p' "$APPARMORFS/profiles" | grep -v '//' | while IFS= read -r n; do
		printf '%s' "$n" >"$APPARMORFS/.remove" 2>/dev/null
	done
	[ "$(wc -l <"$APPARMORFS/profiles")" -eq 0 ] || echo "warning: $(wc -l <"$APPARMORFS/profiles") profiles left"
}
upstream_load() {
	/sbin/apparmor_parser --write-cache --replace --cache-loc "$PC" -b $T -I $T $T >/dev/null 2>&1
}

i=0
while [ $i -lt "$REPS" ]; do
	i=$((i + 1))
	remove_all
	s=$(now); upstream_load; bench upstream_boot_load "$(elapsed "$s")"
	bench upstream_profiles "$(wc -l <"$APPARMORFS/profiles")"
	if [ -n "$aa_load" ]; then
		remove_all
		s=$(now); "$aa_load" "$PC" >/dev/null 2>&1 || echo "warning: aa-load failed"
		bench upstream_aa_load "$(elapsed "$s")"
		bench aa_load_profiles "$(wc -l <"$APPARMORFS/profiles")"
	fi
	remove_all
	s=$(now); /usr/libexec/aalevel-bench/load-floor "$PC"/*.0 >/dev/null; bench floor_boot_load "$(elapsed "$s")"
	remove_all
	rm -rf /var/lib/aalevel
	s=$(now); /usr/sbin/aalevel load >/tmp/aalevel-load.log 2>&1; bench aalevel_boot_load "$(elapsed "$s")"
	grep -E "Level|compiled|cache" /tmp/aalevel-load.log | tail -n 3
	bench aalevel_profiles "$(wc -l <"$APPARMORFS/profiles")"
done
# A full reload by apparmor.service (everything loaded, cache warm).
i=0
while [ $i -lt "$REPS" ]; do
	i=$((i + 1))
	s=$(now); upstream_load; bench upstream_full_reload "$(elapsed "$s")"
done

# The daemon, with the level loaded.
AALEVEL_CONF=/etc/aalevel/aalevel.conf
AALEVEL_RUNTIME_DIR=/run/aalevel
AALEVEL_SOCKET=/run/aalevel/bus
export AALEVEL_SOCKET
s=$(now)
start_daemon
wait_idle 600
bench aalevel_daemon_start_with_level_loaded "$(elapsed "$s")"
pid=$AALEVEL_PID
bench aalevel_idle_rss_kb "$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' /proc/$pid/status)"
bench aalevel_peak_rss_kb "$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' /proc/$pid/status)"
switches() { cat /proc/$pid/task/*/status | awk '/ctxt_switches/ { n += $2 } END { print n }'; }
before=$(switches)
sleep "$IDLE"
bench aalevel_idle_wakeups_per_minute "$(( ($(switches) - before) * 60 / IDLE ))"

# One local/ override edited until the kernel has it.
# The profile's directory in apparmorfs, found once: scanning all ~2,000
# of them at every poll would keep a CPU busy while aalevel works (a
# replaced profile keeps its directory; if it did not, fall back).
dir=
for p in "$APPARMORFS"/policy/profiles/*; do
	[ "$(cat "$p/name")" = "$X" ] && { dir=$p; break; }
done
sha1_of_x() { cat "$dir/raw_sha1" 2>/dev/null || raw_sha1 $X; }
old=$(sha1_of_x)
i=0
while [ $i -lt "$REPS" ]; do
	i=$((i + 1))
	s=$(now)
	echo "/srv/aalevel-bench-$i/** r," >"$T/local/$X"
	while [ "$(sha1_of_x)" = "$old" ]; do /usr/bin/sleep 0.01 2>/dev/null || sleep 0.01; done
	bench aalevel_local_override "$(elapsed "$s")"
	old=$(sha1_of_x)
	wait_idle 60
done
bench aalevel_debounce_seconds 0.25
stop_daemon
i=0
while [ $i -lt "$REPS" ]; do
	i=$((i + 1))
	echo "/srv/upstream-bench-$i/** r," >"$T/local/$X"
	s=$(now)
	/sbin/apparmor_parser -r --write-cache --cache-loc "$PC" -b $T -I $T "$T/$X" >/dev/null 2>&1
	bench upstream_one_profile "$(elapsed "$s")"
done
rm -f "$T/local/$X"

# Switching levels and reloading with nothing changed.
start_daemon
wait_idle 600
i=0
while [ $i -lt "$REPS" ]; do
	i=$((i + 1))
	s=$(now); "$AALEVELCTL_BIN" --quiet set strict; bench aalevel_switch_to_strict "$(elapsed "$s")"
	s=$(now); "$AALEVELCTL_BIN" --quiet set default; bench aalevel_switch_to_default "$(elapsed "$s")"
	s=$(now); "$AALEVELCTL_BIN" --quiet reload; bench aalevel_reload_nothing_changed "$(elapsed "$s")"
done
bench profile_files_written_by_a_switch "$(grep 'Level strict in the kernel' "$AALEVEL_LOG" | tail -n 1 |
	sed -n 's/.* \([0-9]*\) written to the kernel.*/\1/p')"
stop_daemon
