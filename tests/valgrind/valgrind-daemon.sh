#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon under valgrind's memcheck (from /extra/valgrind, put there
# by tests/valgrind/run) through a small scenario: start, switch levels
# (strict, then default), an override created, edited and deleted, a
# reload, a Check and a Diff, status and profiles read, stop. memcheck
# must report no error and no definitely lost block; the client is
# checked the same way on one status call. Valgrind under TCG is slow:
# the scenario is small and the timeouts are long.
. /tests/lib.sh

vg=/extra/valgrind
[ -x "$vg/valgrind.bin" ] || skip "valgrind is not in the image (run tests/valgrind/run)"
export VALGRIND_LIB=$vg/libexec
# The loader's and libc's symbols (memcheck needs the loader's), where
# valgrind looks for them by build id.
if [ -d "$vg/debug/usr/lib/debug" ]; then
	mkdir -p /usr/lib/debug && cp -a "$vg/debug/usr/lib/debug/." /usr/lib/debug/
fi
supp=
[ -f "$vg/aalevel.supp" ] && supp="--suppressions=$vg/aalevel.supp"
logs=$TMPDIR/vg
mkdir -p "$logs"
cat >"$TMPDIR/aalevel-vg" <<WRAPPER
#!/bin/sh
exec $vg/valgrind.bin --tool=memcheck --leak-check=full --show-leak-kinds=definite \
	--errors-for-leak-kinds=definite --error-exitcode=99 --track-origins=no --num-callers=30 \
	--child-silent-after-fork=yes $supp \
	--log-file=$logs/aalevel.%p /usr/sbin/aalevel "\$@"
WRAPPER
chmod 755 "$TMPDIR/aalevel-vg"

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-a '  /etc/hostname r,' 'flags=(complain)'
write_profile "$pd" t-b '  /etc/hostname r,'
test_config "$pd" debounce_ms=100
# shellcheck disable=SC2034 # read by lib.sh's start_daemon
AALEVEL_BIN=$TMPDIR/aalevel-vg AALEVEL_START_TIMEOUT=300
t0=$(cut -d' ' -f1 /proc/uptime)
start_daemon
wait_idle 300
echo "started under valgrind in $(echo "$(cut -d' ' -f1 /proc/uptime) - $t0" | bc) s"
assert_profile_mode t-a complain

aalevelctl set strict >/dev/null || die "set strict failed"
assert_profile_mode t-a enforce
aalevelctl set default >/dev/null || die "set default failed"
assert_profile_mode t-a complain

old=$(raw_sha1 t-b)
echo '/srv/vg r,' >"$pd/local/t-b"
wait_sha1_change t-b "$old" 120
wait_idle 300
old=$(raw_sha1 t-b)
echo '/srv/vg2 r,' >>"$pd/local/t-b"
wait_sha1_change t-b "$old" 120
wait_idle 300
old=$(raw_sha1 t-b)
rm "$pd/local/t-b"
wait_sha1_change t-b "$old" 120
wait_idle 300

aalevelctl reload >/dev/null || die "reload failed"
aalevelctl check strict >/dev/null || die "check failed"
aalevelctl diff strict >/dev/null || die "diff failed"
aalevelctl status >/dev/null || die "status failed"
aalevelctl profiles >/dev/null || die "profiles failed"
aalevelctl list >/dev/null || die "list failed"
# The client too, once.
# shellcheck disable=SC2086 # $supp is a list of options
VALGRIND_LIB=$vg/libexec "$vg/valgrind.bin" --tool=memcheck --leak-check=full --show-leak-kinds=definite \
	--errors-for-leak-kinds=definite --error-exitcode=99 $supp --log-file="$logs/aalevelctl.%p" \
	"$AALEVELCTL_BIN" status >/dev/null || die "aalevelctl status under valgrind failed (status $?)"

# Stop: valgrind's leak check at exit takes a while under TCG.
daemon_pid=$AALEVEL_PID
kill -TERM "$AALEVEL_PID"
t=1200
while kill -0 "$AALEVEL_PID" 2>/dev/null && [ "$t" -gt 0 ]; do
	sleep 0.1
	t=$((t - 1))
done
kill -0 "$AALEVEL_PID" 2>/dev/null && die "the daemon under valgrind did not exit within 120 s of SIGTERM"
wait "$AALEVEL_PID"
rc=$?
AALEVEL_PID=
echo "the daemon exited with status $rc after $(echo "$(cut -d' ' -f1 /proc/uptime) - $t0" | bc) s in all"

# The daemon's log and the client's (the children the daemon forks to run
# the parser are silent: --child-silent-after-fork).
bad=0
[ -s "$logs/aalevel.$daemon_pid" ] || die "no memcheck log of the daemon (pid $daemon_pid)"
for f in "$logs/aalevel.$daemon_pid" "$logs"/aalevelctl.*; do
	errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f")
	definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f")
	echo "$(basename "$f"): ${errors:-?} errors, ${definite:-0} bytes definitely lost"
	if [ "${errors:-1}" != 0 ] || [ "${definite:-0}" != 0 ]; then
		bad=1
		cat "$f"
	fi
done
[ "$bad" = 0 ] || die "memcheck found errors or leaks"
assert_eq 0 "$rc" "the daemon's exit status under valgrind"
assert_profile_loaded t-a
