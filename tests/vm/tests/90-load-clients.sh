#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 50 clients calling `aalevelctl status` and `aalevelctl list` in a loop
# for 30 seconds while reloads run (a local/ override rewritten again as
# soon as the kernel has its last rewrite): no call fails, reloads land
# during the load and the last rewrite is applied, and
# the daemon's memory is stable (VmRSS after the run within 2 MB of VmRSS
# after a warm-up of the same load: about 3 kB per call. A bound of 10 %
# failed in CI at 548 kB over 4.4 MB, in a run where the rewrites kept
# t-1 changing during its compiles (four rounds given up after three
# compiles each): memory first touched by those rounds' threads, not a
# leak; the engine's unit test keeps_changing_fails_then_recovers runs
# that path, with no block lost under LeakSanitizer (tests/sanitize) and
# valgrind).
. /tests/lib.sh

clients=${LOAD_CLIENTS:-50}
seconds=${LOAD_SECONDS:-30}
pd=$TMPDIR/pd
make_policy_tree "$pd"
for i in 1 2 3 4; do write_profile "$pd" "t-$i" '  /etc/hostname r,'; done
test_config "$pd" debounce_ms=50
start_daemon
wait_idle

rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$AALEVEL_PID/status"; }

# client N UNTIL: status and list until the uptime passes UNTIL; counts
# calls in $TMPDIR/calls.N, failures (with the output) in $TMPDIR/fail.N.
client() {
	_calls=0
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$2" ]; do
		for _cmd in status list; do
			if ! _out=$("$AALEVELCTL_BIN" $_cmd 2>&1); then
				echo "client $1: aalevelctl $_cmd: $_out" >>"$TMPDIR/fail.$1"
			fi
			_calls=$((_calls + 1))
		done
	done
	echo "$_calls" >"$TMPDIR/calls.$1"
}

# reloader UNTIL: rewrites local/t-1, waits until the kernel has that
# rewrite (at most 20 s), and again, until the uptime passes UNTIL; counts
# the rewrites in $TMPDIR/rewrites and those that reached the kernel
# during the load in $TMPDIR/landed. (Rewriting every half second whatever
# happened made each compile see its file change under it: with 50
# clients on the VM's two CPUs a compile takes seconds, so the rounds gave
# up, by design (finding #1 of issue 14), and how many rounds fit in 30 s
# measured the host's speed, not the daemon.)
reloader() {
	_k=0
	_landed=0
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$1" ]; do
		_k=$((_k + 1))
		_old=$(raw_sha1 t-1)
		echo "/srv/load-$1-$_k r," >"$pd/local/t-1" # unique to this run: the warm-up wrote load-1 too
		_t=0
		while [ "$(raw_sha1 t-1)" = "$_old" ] && [ "$_t" -lt 100 ] &&
			[ "$(cut -d. -f1 /proc/uptime)" -lt "$1" ]; do
			sleep 0.2
			_t=$((_t + 1))
		done
		[ "$(raw_sha1 t-1)" = "$_old" ] || _landed=$((_landed + 1))
	done
	echo "$_k" >"$TMPDIR/rewrites"
	echo "$_landed" >"$TMPDIR/landed"
}

# run SECONDS: the whole load; waits for it to end.
run() {
	_until=$(($(cut -d. -f1 /proc/uptime) + $1))
	rm -f "$TMPDIR"/calls.* "$TMPDIR"/fail.*
	_pids=
	for _c in $(seq 1 "$clients"); do
		client "$_c" "$_until" &
		_pids="$_pids $!"
	done
	reloader "$_until" &
	_pids="$_pids $!"
	# shellcheck disable=SC2086 # a list of pids
	wait $_pids
}

# Warm-up: the same load for a few seconds, so that the allocator has
# grown to what this load needs.
run 8
wait_idle
before=$(rss)
n0=$(reloads_logged)
old=$(raw_sha1 t-1)

t0=$(cut -d' ' -f1 /proc/uptime)
run "$seconds"
t1=$(cut -d' ' -f1 /proc/uptime)
wait_idle
after=$(rss)
calls=$(cat "$TMPDIR"/calls.* | awk '{ s += $1 } END { print s }')
rounds=$(($(reloads_logged) - n0))
echo "$clients clients: $calls calls in $(echo "$t1 - $t0" | bc) s; $(cat "$TMPDIR/rewrites") rewrites," \
	"$(cat "$TMPDIR/landed") in the kernel during the load, $rounds reload rounds; VmRSS $before kB before, $after kB after"
if cat "$TMPDIR"/fail.* 2>/dev/null | grep .; then
	die "$(cat "$TMPDIR"/fail.* | wc -l) calls failed"
fi
[ "$calls" -ge "$clients" ] || die "too few calls: $calls"
# Reloads land during the load: at least one rewrite reached the kernel
# while the 50 clients ran (how many depends on the host's speed: each
# compiles t-1 with the parser competing against the clients for the
# VM's two CPUs; 3 to 6 seen under TCG).
[ "$(cat "$TMPDIR/landed")" -ge 1 ] || die "no rewrite reached the kernel during the load ($rounds reload rounds)"
[ "$(raw_sha1 t-1)" != "$old" ] || die "the last rewrite of local/t-1 was not applied"
{ [ -n "$before" ] && [ -n "$after" ]; } || die "cannot read the daemon's VmRSS"
grow=$((after - before))
if [ "$grow" -gt 2048 ]; then
	die "VmRSS grew by $grow kB under load ($before kB -> $after kB)"
fi
kill -0 "$AALEVEL_PID" || die "the daemon died"
stop_daemon
