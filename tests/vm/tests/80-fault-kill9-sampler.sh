#!/bin/sh
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
	write_profile "$pd" "t-$i" "$body" "$flags"
	names="$names t-$i"
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

# "NAME SHA1" of every root-namespace profile in the kernel, builtins only.
kernel_sums() {
	for _d in "$APPARMORFS"/policy/profiles/*; do
		read -r _n <"$_d/name" && read -r _s <"$_d/raw_sha1" && echo "$_n $_s"
	done | sort
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
t-$_i ($_m)"
	done
	_have=$(grep '^t-' "$APPARMORFS/profiles" | sort)
	assert_eq "$(echo "$_want" | grep . | sort)" "$_have" "round $1: the modes at level $_level"
	# unit FILE NAMESPACE KEY SHA1 MODE NAMES...
	_state=$(awk -F'\t' '$1 == "unit" { print $7 " " $5 }' "$state" | sort)
	assert_eq "$_state" "$(kernel_sums | grep '^t-')" "round $1: the state's binaries against the kernel's"
	grep -q "^claimed" "$state" && die "round $1: claims left in the state: $(grep '^claimed' "$state")"
	assert_eq "$_level" "$(awk -F'\t' '$1 == "applied" { print $2 }' "$state")" "round $1: the applied level"
	assert_eq "foreign $foreign" "$(kernel_sums | grep '^foreign ')" "round $1: the foreign binary"
	assert_profile_mode foreign complain
}

start_daemon
wait_idle 120
sampler &
sampler_pid=$!

t0=$(cut -d' ' -f1 /proc/uptime)
killed_busy=0
for round in $(seq 1 "$rounds"); do
	# Always a real switch: to the level the daemon is not at.
	before=$(status_field level)
	if [ "$before" = strict ]; then target=default; else target=strict; fi
	# Every third round an override changes too: a compile in the switch.
	if [ $((round % 3)) -eq 0 ]; then
		echo "/srv/round-$round r," >"$pd/local/t-$((round % 12 + 1))"
	fi
	aalevelctl --no-block set "$target" >/dev/null || die "round $round: set $target failed"
	# Random moment: from at once to well after a warm switch ends.
	delay=$(random 500)
	[ "$delay" -gt 0 ] && sleep "$(printf '0.%03d' "$delay")"
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
echo "$rounds kills ($killed_busy before the switch was complete) in $(echo "$t1 - $t0" | bc) s;" \
	"$(cat "$samples") samples of the kernel's list"
if [ -s "$violations" ]; then
	head -n 20 "$violations"
	die "$(wc -l <"$violations") violations seen by the sampler"
fi
[ "$(cat "$samples")" -ge 100 ] || die "too few samples: $(cat "$samples")"
[ "$killed_busy" -ge 5 ] || die "only $killed_busy kills hit an unfinished switch; the moments are not random enough"
stop_daemon
