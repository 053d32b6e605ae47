#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 of the daemon at random moments of level switches (and of the
# compiles an edited override brings along), 20 times, while a sampler
# reads the kernel's profile list every ~10 ms: an owned profile is never
# absent, the foreign profile is never touched (present in every sample,
# raw_sha1 constant), and each restarted daemon converges: the level whole
# (every profile in the mode of the level it reports), the state
# consistent with the kernel (same binaries, no claims left, the applied
# level recorded), and a reload afterwards writes nothing.
. /tests/lib.sh

rounds=${FAULT_KILL_ROUNDS:-20}
# The profiles are k9-1 to k9-12, a prefix of this test's own: the checks
# below compare every such profile in the kernel, and earlier tests of the
# run leave their t-* profiles loaded.
pd=$TMPDIR/pd
make_policy_tree "$pd"
names=
for i in $(seq 1 12); do
	if [ "$i" -le 8 ]; then flags='flags=(complain)'; else flags=; fi
	body='  /etc/hostname r,'
	# Two profiles use the level prelude: compiled per level.
	# shellcheck disable=SC2016 # a policy variable
	[ "$i" -le 2 ] && body='  /etc/hostname r,
  if $aalevel_strict { deny /etc/shadow r, }'
	write_profile "$pd" "k9-$i" "$body" "$flags"
	names="$names k9-$i"
done
load_profile_text foreign 'abi <abi/3.0>,
profile foreign flags=(complain) { /etc/hostname r, }'
foreign=$(raw_sha1 foreign) || die "foreign is not loaded"
test_config "$pd" debounce_ms=50
state=$TMPDIR/state/state

random() { # random N: 0..N-1
	_r=$(/usr/bin/od -An -N2 -tu2 /dev/urandom 2>/dev/null || od -An -N2 -tu2 /dev/urandom)
	echo $((${_r:-0} % $1))
}

# The sampler: one read of the list per round (a single read(2) of less
# than a page, so the kernel gives one consistent view), checked in the
# shell without forking.
violations=$TMPDIR/violations
samples=$TMPDIR/samples
: >"$violations"
sampler() {
	_n=0
	while [ ! -e "$TMPDIR/stop" ]; do
		_snap=
		while IFS= read -r _l; do _snap="$_snap
$_l"; done <"$APPARMORFS/profiles"
		_snap="$_snap
"
		for _p in foreign $names; do
			case $_snap in
			*"
$_p ("*) ;;
			*) echo "sample $_n: $_p absent" >>"$violations" ;;
			esac
		done
		_n=$((_n + 1))
		[ $((_n % 50)) -eq 0 ] && echo "$_n" >"$samples"
		sleep 0.01
	done
	echo "$_n" >"$samples"
}

# "NAME SHA1" of every root-namespace profile in the kernel, builtins only:
# raw_sha1, or the SHA-1 of raw_data on kernels that export raw_sha256
# instead (6.3 and later), as raw_sha1() in lib.sh.
kernel_sums() {
	for _d in "$APPARMORFS"/policy/profiles/*; do
		read -r _n <"$_d/name" || continue
		if [ -e "$_d/raw_sha1" ]; then
			read -r _s <"$_d/raw_sha1"
		else
			_s=$(sha1sum <"$_d/raw_data" | cut -d ' ' -f 1)
		fi
		echo "$_n $_s"
	done | sort
}

# What a failed round needs to be understood: the kernel's modes on one
# line, the state, both daemons' logs (the killed one's first).
diagnose() {
	echo "round $1 diverged; kernel: $(grep '^k9-' "$APPARMORFS/profiles" | sort | tr '\n' ' ')"
	aalevelctl status
	echo "--- state"
	cat "$state"
	echo "--- the killed daemon's log"
	cat "$TMPDIR/killed.log"
	_daemon_log
}

# Every profile in the mode of the level the daemon reports; the state
# holds exactly what the kernel has.
check_converged() {
	_level=$(status_field level)
	[ -n "$_level" ] || die "round $1: no level in the status"
	_want=
	for _i in $(seq 1 12); do
		if [ "$_level" = strict ] || [ "$_i" -gt 8 ]; then _m=enforce; else _m=complain; fi
		_want="$_want
k9-$_i ($_m)"
	done
	_have=$(grep '^k9-' "$APPARMORFS/profiles" | sort)
	[ "$(echo "$_want" | grep . | sort)" = "$_have" ] || diagnose "$1"
	assert_eq "$(echo "$_want" | grep . | sort)" "$_have" "round $1: the modes at level $_level"
	# unit FILE NAMESPACE KEY SHA1 SHA256 MODE NAMES... (state version 4)
	_state=$(awk -F'\t' '$1 == "unit" { print $8 " " $5 }' "$state" | sort)
	assert_eq "$_state" "$(kernel_sums | grep '^k9-')" "round $1: the state's binaries against the kernel's"
	grep -q "^claimed" "$state" && die "round $1: claims left in the state: $(grep '^claimed' "$state")"
	assert_eq "$_level" "$(awk -F'\t' '$1 == "applied" { print $2 }' "$state")" "round $1: the applied level"
	assert_eq "foreign $foreign" "$(kernel_sums | grep '^foreign ')" "round $1: the foreign binary"
	assert_profile_mode foreign complain
}

start_daemon
wait_idle 120
# How long a warm switch takes here, blocking call included: the kill
# moments are drawn from that span (and a fifth more), so that most land
# inside a switch whatever the machine's speed.
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
t=$(ms)
aalevelctl set strict >/dev/null || die "set strict failed"
aalevelctl set default >/dev/null || die "set default failed"
span=$((($(ms) - t) * 6 / 10))
[ "$span" -ge 50 ] || span=50
echo "a switch takes about $span ms here"
sampler &
sampler_pid=$!

t0=$(cut -d' ' -f1 /proc/uptime)
killed_busy=0
# At least $rounds rounds, and more (up to twice as many) until 5 kills
# have hit an unfinished switch: the moments are random, and about half
# land inside one (9 of 20 measured), so 20 alone would miss 5 now and then.
round=0
while [ "$round" -lt "$rounds" ] || { [ "$killed_busy" -lt 5 ] && [ "$round" -lt $((2 * rounds)) ]; }; do
	round=$((round + 1))
	# Always a real switch: to the level the daemon is not at.
	before=$(status_field level)
	if [ "$before" = strict ]; then target=default; else target=strict; fi
	# Every third round an override changes too: a compile in the switch.
	if [ $((round % 3)) -eq 0 ]; then
		echo "/srv/round-$round r," >"$pd/local/k9-$((round % 12 + 1))"
	fi
	aalevelctl --no-block set "$target" >/dev/null || die "round $round: set $target failed"
	# Random moment: from at once to a little after a warm switch ends.
	delay=$(random "$span")
	[ "$delay" -gt 0 ] && sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
	kill -9 "$AALEVEL_PID"
	wait "$AALEVEL_PID" 2>/dev/null
	AALEVEL_PID=
	# Did the killed daemon finish the switch? (Its log says so.)
	if grep -q "Security level changed from $before to $target\." "$AALEVEL_LOG"; then
		how=after
	else
		how=during
		killed_busy=$((killed_busy + 1))
	fi
	echo "round $round: killed ${delay} ms after set $target: $how the switch"
	cp "$AALEVEL_LOG" "$TMPDIR/killed.log"
	start_daemon
	wait_idle 120
	check_converged "$round"
done
t1=$(cut -d' ' -f1 /proc/uptime)

# Nothing left to do: a reload writes nothing.
n=$(reloads_logged)
rev=$(kernel_revision) || exit 1
aalevelctl reload || die "reload after the rounds failed"
assert_eq "$n" "$(reloads_logged)" "reloads that changed something after the rounds"
assert_eq "$rev" "$(kernel_revision)" "the policy revision after a reload"

: >"$TMPDIR/stop"
wait "$sampler_pid"
echo "$round kills ($killed_busy before the switch was complete) in $(echo "$t1 - $t0" | bc) s;" \
	"$(cat "$samples") samples of the kernel's list"
if [ -s "$violations" ]; then
	head -n 20 "$violations"
	die "$(wc -l <"$violations") violations seen by the sampler"
fi
[ "$(cat "$samples")" -ge 100 ] || die "too few samples: $(cat "$samples")"
[ "$killed_busy" -ge 5 ] || die "only $killed_busy of $round kills hit an unfinished switch; the moments are not random enough"
stop_daemon
