#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The parser missing (parser= a path that does not exist), crashing (a
# wrapper killed by SIGSEGV) and hanging (a wrapper that sleeps, stopped by
# compile_timeout_sec): each time a clear error in the status and the log,
# the previous policy kept (same binaries, nothing removed), the foreign
# profile untouched, no parser process left behind; and the daemon
# recovers when the parser comes back.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-a '  /etc/hostname r,'
write_profile "$pd" t-b '  /etc/hostname r,' 'flags=(complain)'
load_profile_text foreign 'abi <abi/3.0>,
profile foreign { /etc/hostname r, }'
foreign=$(raw_sha1 foreign)
test_config "$pd" debounce_ms=50
# The drop-in directory exists from the start, as the package installs it.
mkdir -p "$AALEVEL_CONF.d"
dropin=$AALEVEL_CONF.d/50-parser.conf
start_daemon
wait_idle
a=$(raw_sha1 t-a) b=$(raw_sha1 t-b)

# The wrappers answer --version as the real parser does (the daemon asks
# before it uses one), and fail on everything else.
cat >"$TMPDIR/crashing-parser" <<EOF
#!/bin/sh
case "\$*" in *--version*) exec $APPARMOR_PARSER "\$@" ;; esac
echo "about to crash" >&2
kill -SEGV \$\$
EOF
cat >"$TMPDIR/hanging-parser" <<EOF
#!/bin/sh
case "\$*" in *--version*) exec $APPARMOR_PARSER "\$@" ;; esac
exec /bin/sleep 1000
EOF
chmod 755 "$TMPDIR/crashing-parser" "$TMPDIR/hanging-parser"

# Nothing lost: the same binaries, in the same modes, and the foreign one.
kept() {
	assert_eq "$a" "$(raw_sha1 t-a)" "$1: t-a's binary"
	assert_eq "$b" "$(raw_sha1 t-b)" "$1: t-b's binary"
	assert_profile_mode t-a enforce
	assert_profile_mode t-b complain
	assert_eq "$foreign" "$(raw_sha1 foreign)" "$1: the foreign binary"
}

# shows CMD TEXT: `aalevelctl CMD` shows TEXT within 20 s.
shows() {
	wait_for 20 sh -c "/usr/bin/aalevelctl $1 2>&1 | grep -qF -- '$2'" || {
		aalevelctl "$1"
		_daemon_log
		die "aalevelctl $1 does not show '$2'"
	}
}

echo "--- missing"
printf '[daemon]\nparser = /nonexistent/apparmor_parser\n' >"$dropin"
wait_for 20 grep -qi "cannot run the AppArmor parser /nonexistent/apparmor_parser" "$AALEVEL_LOG" ||
	die "the log does not name the missing parser"
wait_idle
grep -i "/nonexistent/apparmor_parser" "$AALEVEL_LOG"
aalevelctl status
kept "parser missing"
# A change of policy meanwhile: nothing can be compiled, nothing is lost,
# and the profile that cannot be compiled says why.
echo '/srv/a r,' >"$pd/local/t-a"
shows profiles "/nonexistent/apparmor_parser"
wait_idle
aalevelctl profiles
kept "parser missing, override changed"
assert_eq 1 "$(status_field profiles_failed)" "failed profiles without a parser"

echo "--- back"
rm "$dropin"
wait_sha1_change t-a "$a" 20
wait_idle
a=$(raw_sha1 t-a)
assert_eq 0 "$(status_field profiles_failed)" "failed profiles with the parser back"
aalevelctl status | grep -q "nonexistent" && die "the error stays in the status after the fix"

echo "--- crashing"
printf '[daemon]\nparser = %s\n' "$TMPDIR/crashing-parser" >"$dropin"
# Each file failed, with the reason, in aalevelctl profiles.
shows profiles "apparmor_parser crashed (signal 11"
wait_idle
aalevelctl profiles
[ "$(aalevelctl profiles | grep -c "crashed (signal 11, Segmentation fault)")" = 2 ] ||
	die "aalevelctl profiles does not show both crashes"
grep -q "crashed (signal 11" "$AALEVEL_LOG" || die "the log does not show the crash"
assert_eq 2 "$(status_field profiles_failed)" "failed profiles with a crashing parser"
kept "parser crashing"

echo "--- hanging"
printf '[daemon]\nparser = %s\ncompile_timeout_sec = 2\n' "$TMPDIR/hanging-parser" >"$dropin"
shows profiles "did not finish within 2 seconds and was stopped"
wait_idle 30
aalevelctl profiles
assert_eq 2 "$(status_field profiles_failed)" "failed profiles with a hanging parser"
grep -q "did not finish within 2 seconds" "$AALEVEL_LOG" || die "the log does not show the timeout"
kept "parser hanging"
sleep 0.5
# shellcheck disable=SC2009 # busybox pgrep -f would match itself
ps -o pid,args | grep -v grep | grep -q "sleep 1000" && die "a hanging parser was left running: $(ps -o pid,args)"

echo "--- back again"
rm "$dropin"
# shellcheck disable=SC2016 # expanded by that shell
wait_for 30 sh -c '[ "$(. /tests/lib.sh; status_field profiles_failed)" = 0 ]' || die "the daemon did not recover"
wait_idle
assert_eq 0 "$(status_field profiles_failed)" "failed profiles at the end"
assert_profile_mode t-a enforce
assert_profile_mode t-b complain
assert_eq "$foreign" "$(raw_sha1 foreign)" "the foreign binary at the end"
stop_daemon
