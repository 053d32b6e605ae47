#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Configuration management writes 1,000 local/ files within two seconds
# (100 in each of ten profiles' override directories): the daemon
# coalesces them into a few reload rounds (counted from the log), and ends
# with every file applied: a manual reload afterwards changes nothing, and
# an independent one-shot `aalevel load` finds nothing to write either.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
for n in $(seq 0 9); do
	write_profile "$pd" "t-$n" '  /etc/hostname r,
  include if exists <local/t-'"$n"'.d>'
	mkdir -p "$pd/local/t-$n.d"
done
test_config "$pd"
start_daemon
wait_idle
before=$(reloads_logged)
sums() {
	for _n in $(seq 0 9); do raw_sha1 "t-$_n"; done
}
old=$(sums)

t0=$(cut -d' ' -f1 /proc/uptime)
i=0
while [ "$i" -lt 1000 ]; do
	echo "/srv/file-$i r," >"$pd/local/t-$((i % 10)).d/f-$i"
	i=$((i + 1))
done
t1=$(cut -d' ' -f1 /proc/uptime)
written=$(echo "$t1 - $t0" | bc)
echo "1000 files written in $written s"
[ "$(echo "$written <= 2" | bc)" = 1 ] || echo "note: writing took longer than 2 s here"
sleep 1
wait_idle 120
t2=$(cut -d' ' -f1 /proc/uptime)
after=$(reloads_logged)
rounds=$((after - before))
echo "applied in $rounds rounds, $(echo "$t2 - $t0" | bc) s after the first file"
grep 'in the kernel:' "$AALEVEL_LOG" | tail -n "$rounds"
if [ "$rounds" -lt 1 ] || [ "$rounds" -gt 5 ]; then die "expected 1 to 5 rounds, got $rounds"; fi
new=$(sums)
for n in $(seq 0 9); do
	[ "$(echo "$old" | sed -n "$((n + 1))p")" != "$(echo "$new" | sed -n "$((n + 1))p")" ] ||
		die "t-$n was not recompiled"
done

# Converged: nothing left to apply.
rev=$(kernel_revision) || exit 1
aalevelctl reload || die "reload failed"
assert_eq "$after" "$(reloads_logged)" "reloads that changed something after a manual reload"
assert_eq "$rev" "$(kernel_revision)" "the policy revision after a manual reload"
stop_daemon
out=$(aalevel load --level default 2>&1) || die "aalevel load failed: $out"
echo "$out"
assert_contains "$out" "0 written to the kernel"
