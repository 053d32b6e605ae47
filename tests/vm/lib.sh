# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh: helpers for the VM tests (busybox sh; no bashisms).
#
# A test is a shell script in tests/vm/tests/ run as root inside the VM:
#     #!/bin/sh
#     . /tests/lib.sh
#     ...
# Exit 0: pass; exit 77 (see skip): skipped; anything else: fail. Output is
# shown on the host when the test fails (or with run --verbose). The current
# directory and $TMPDIR are fresh for each test.
#
# Checks, each exits the test with status 1 and a message when it fails:
#   die MSG...                       fail now
#   skip REASON                      skip the test (exit 77)
#   assert_eq EXPECTED ACTUAL [WHAT]
#   assert_contains HAYSTACK NEEDLE [WHAT]
#   assert_profile_mode NAME MODE    profile NAME is loaded in MODE
#   assert_profile_loaded NAME
#   assert_profile_absent NAME
#   assert_denied_logged PROFILE PATH  the kernel logged an AppArmor denial
# Helpers:
#   profile_mode NAME                prints the mode of a loaded profile
#   kernel_revision                  prints the policy revision (never blocks)
#   load_profile_text NAME TEXT      compile and load (replace) policy text
#   remove_profile NAME              unload a profile by name
#   run_confined PROFILE CMD [ARG...]  run CMD confined by PROFILE
#   wait_for SECONDS CMD [ARG...]    retry CMD every 0.1 s until it succeeds
#   write_daemon_config [KEY=VALUE...]  write $AALEVEL_CONF for the VM
#   start_daemon [ARG...]            start aalevel, wait until it answers
#   stop_daemon                      stop it (TERM, then KILL after 10 s)
#   aalevelctl ARG...                the installed client
# Full paths are used for real programs on purpose: busybox sh runs its own
# applets in preference to files in $PATH. A check inside $(...) ends only
# that subshell: write `rev=$(kernel_revision) || exit 1`.

APPARMORFS=${APPARMORFS:-/sys/kernel/security/apparmor}
APPARMOR_PARSER=${APPARMOR_PARSER:-/sbin/apparmor_parser}
AALEVEL_BIN=${AALEVEL_BIN:-/usr/sbin/aalevel}
AALEVELCTL_BIN=${AALEVELCTL_BIN:-/usr/bin/aalevelctl}
AALEVEL_CONF=${AALEVEL_CONF:-/etc/aalevel/aalevel.conf}
AALEVEL_RUNTIME_DIR=${AALEVEL_RUNTIME_DIR:-/run/aalevel}
AALEVEL_LOG=${AALEVEL_LOG:-${TMPDIR:-/tmp}/aalevel.log}
AALEVEL_SOCKET=${AALEVEL_SOCKET:-$AALEVEL_RUNTIME_DIR/bus}
export AALEVEL_SOCKET
AALEVEL_PID=

die() {
	echo "FAIL: $*" >&2
	[ -n "${AALEVEL_PID:-}" ] && [ -f "${AALEVEL_LOG:-}" ] && _daemon_log >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

assert_eq() {
	[ "$1" = "$2" ] || die "${3:-value}: expected '$1', got '$2'"
}

assert_contains() {
	case $1 in
	*"$2"*) ;;
	*) die "${3:-output} does not contain '$2': $1" ;;
	esac
}

# Lines of $APPARMORFS/profiles are "NAME (MODE)"; NAME may contain spaces.
profile_mode() {
	sed -n "s/^$(_bre_quote "$1") (\\([^()]*\\))\$/\\1/p" "$APPARMORFS/profiles" | head -n 1
}

assert_profile_mode() {
	_mode=$(profile_mode "$1")
	[ -n "$_mode" ] || die "profile '$1' is not loaded"
	[ "$_mode" = "$2" ] || die "profile '$1' is in mode '$_mode', expected '$2'"
}

assert_profile_loaded() {
	[ -n "$(profile_mode "$1")" ] || die "profile '$1' is not loaded"
}

assert_profile_absent() {
	_mode=$(profile_mode "$1")
	[ -z "$_mode" ] || die "profile '$1' is loaded ($_mode), expected absent"
}

# The kernel logs denials through audit; without auditd they end up in dmesg.
assert_denied_logged() {
	dmesg | grep -F 'apparmor="DENIED"' | grep -F "profile=\"$1\"" | grep -qF "name=\"$2\"" ||
		die "no AppArmor denial of $2 for profile $1 in the kernel log"
}

# A fresh open of the revision file returns the revision at once unless it
# is still 0 (no policy loaded yet), where a read blocks until the next
# change; so read it non-blocking (coreutils dd) and call EAGAIN 0. Reading
# twice on one descriptor would block too; `head -c` does that.
kernel_revision() {
	[ -r "$APPARMORFS/revision" ] || die "$APPARMORFS/revision is missing"
	_rev=$(/usr/bin/dd if="$APPARMORFS/revision" bs=64 count=1 iflag=nonblock status=none 2>/dev/null) || _rev=0
	echo "$_rev"
}

# Writes TEXT to a file named after NAME and loads it, replacing a loaded
# profile of the same name; no parser cache is read or written.
load_profile_text() {
	_file=${TMPDIR:-/tmp}/profile.$(echo "$1" | tr -c 'A-Za-z0-9_.-\n' '_')
	printf '%s\n' "$2" >"$_file"
	"$APPARMOR_PARSER" -r -K "$_file" || die "apparmor_parser could not load $1 (from $_file)"
}

remove_profile() {
	printf '%s' "$1" >"$APPARMORFS/.remove" || die "cannot remove profile '$1'"
}

# aa-exec when installed, else the same by hand: ask for the profile at the
# next exec, then exec the program by its full path (a bare applet name
# would run inside busybox without an exec, and so without the profile).
run_confined() {
	_profile=$1
	shift
	if [ -x /usr/bin/aa-exec ]; then
		/usr/bin/aa-exec -p "$_profile" -- "$@"
	else
		(
			_attr=/proc/self/attr/apparmor/exec
			[ -e "$_attr" ] || _attr=/proc/self/attr/exec
			_prog=$(_which "$1") || die "run_confined: $1 not found"
			shift
			echo "exec $_profile" >"$_attr" || die "run_confined: cannot change to profile $_profile"
			exec "$_prog" "$@"
		)
	fi
}

wait_for() {
	_tries=$(($1 * 10))
	shift
	while [ "$_tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_tries=$((_tries - 1))
	done
	"$@"
}

aalevelctl() {
	"$AALEVELCTL_BIN" "$@"
}

# Writes $AALEVEL_CONF with the VM's paths; KEY=VALUE arguments replace or
# add [daemon] keys (e.g. level=strict jobs=1).
write_daemon_config() {
	mkdir -p "$(dirname "$AALEVEL_CONF")"
	{
		echo "[daemon]"
		for _kv in level=default policy_dir=/etc/apparmor.d cache_dir=/var/cache/aalevel \
			state_dir=/var/lib/aalevel runtime_dir="$AALEVEL_RUNTIME_DIR" \
			apparmorfs="$APPARMORFS" parser="$APPARMOR_PARSER" jobs=2 debounce_ms=100 \
			early_policy_dir=/etc/apparmor/earlypolicy "$@"; do
			echo "${_kv%%=*} = ${_kv#*=}"
		done
	} | awk -F' = ' '{ k[NR] = $1; v[$1] = $0 } END { for (i = 1; i <= NR; i++) if (!seen[k[i]]++) print v[k[i]] }' \
		>"$AALEVEL_CONF" || die "cannot write $AALEVEL_CONF"
}

# Starts the daemon in the background (output in $AALEVEL_LOG) and waits up
# to $AALEVEL_START_TIMEOUT seconds (30) for its socket and a status answer.
start_daemon() {
	[ -x "$AALEVEL_BIN" ] || die "$AALEVEL_BIN is not installed in the VM"
	"$AALEVEL_BIN" --config "$AALEVEL_CONF" "$@" >"$AALEVEL_LOG" 2>&1 &
	AALEVEL_PID=$!
	_tries=$((${AALEVEL_START_TIMEOUT:-30} * 10))
	while :; do
		if ! kill -0 "$AALEVEL_PID" 2>/dev/null; then
			wait "$AALEVEL_PID"
			_rc=$?
			AALEVEL_PID=
			_daemon_log
			die "aalevel exited with status $_rc while starting"
		fi
		[ -S "$AALEVEL_SOCKET" ] && "$AALEVELCTL_BIN" status >/dev/null 2>&1 && return 0
		_tries=$((_tries - 1))
		if [ "$_tries" -le 0 ]; then
			_daemon_log
			die "aalevel did not answer on $AALEVEL_SOCKET within ${AALEVEL_START_TIMEOUT:-30} s"
		fi
		sleep 0.1
	done
}

# Fails when the daemon already died or does not exit cleanly on TERM.
stop_daemon() {
	[ -n "$AALEVEL_PID" ] || return 0
	kill -0 "$AALEVEL_PID" 2>/dev/null || {
		_daemon_log
		die "aalevel (pid $AALEVEL_PID) died before stop_daemon"
	}
	kill -TERM "$AALEVEL_PID"
	_tries=100
	while kill -0 "$AALEVEL_PID" 2>/dev/null && [ "$_tries" -gt 0 ]; do
		sleep 0.1
		_tries=$((_tries - 1))
	done
	if kill -0 "$AALEVEL_PID" 2>/dev/null; then
		kill -KILL "$AALEVEL_PID"
		_daemon_log
		die "aalevel did not exit within 10 s of SIGTERM"
	fi
	wait "$AALEVEL_PID"
	_rc=$?
	AALEVEL_PID=
	[ "$_rc" -eq 0 ] || {
		_daemon_log
		die "aalevel exited with status $_rc on SIGTERM"
	}
}

_daemon_log() {
	echo "--- $AALEVEL_LOG"
	cat "$AALEVEL_LOG" 2>/dev/null
	echo "---"
}

_which() {
	case $1 in
	*/*)
		[ -x "$1" ] && echo "$1"
		return
		;;
	esac
	_IFS=$IFS
	IFS=:
	for _d in $PATH; do
		if [ -f "$_d/$1" ] && [ -x "$_d/$1" ]; then
			IFS=$_IFS
			echo "$_d/$1"
			return 0
		fi
	done
	IFS=$_IFS
	return 1
}

# Quotes a string for a sed basic regular expression.
_bre_quote() {
	printf '%s\n' "$1" | sed 's/[][\.*^$/]/\\&/g'
}

# --- aalevel test trees -------------------------------------------------
# make_policy_tree DIR: a policy directory with the host's abi, tunables
# and abstractions and nothing else (no profiles), for a test's profiles.
make_policy_tree() {
	mkdir -p "$1/local" || die "cannot create $1"
	for _d in abi tunables abstractions; do
		[ -d "/etc/apparmor.d/$_d" ] && cp -a "/etc/apparmor.d/$_d" "$1/"
	done
	[ -f "$1/abi/3.0" ] || die "no abi/3.0 in the image's /etc/apparmor.d"
}

# write_profile DIR NAME BODY: a profile file NAME in DIR whose profile
# (named NAME, attached to /usr/bin/NAME) has BODY as its rules, with the
# usual local override include.
write_profile() {
	cat >"$1/$2" <<PROFILE || die "cannot write $1/$2"
abi <abi/3.0>,
include <tunables/global>
profile $2 /usr/bin/$2 ${4:-} {
  include <abstractions/base>
$3
  include if exists <local/$2>
}
PROFILE
}

# test_config POLICY_DIR [KEY=VALUE...]: $AALEVEL_CONF for a test tree,
# with state, cache and runtime under $TMPDIR.
test_config() {
	_pd=$1
	shift
	AALEVEL_CONF=$TMPDIR/aalevel.conf
	AALEVEL_RUNTIME_DIR=$TMPDIR/run
	AALEVEL_SOCKET=$AALEVEL_RUNTIME_DIR/bus
	export AALEVEL_SOCKET
	write_daemon_config policy_dir="$_pd" cache_dir="$TMPDIR/cache" state_dir="$TMPDIR/state" \
		runtime_dir="$AALEVEL_RUNTIME_DIR" levels_dir="$TMPDIR/levels" "$@"
}

# aalevel ARG...: the installed daemon binary with the test's config.
aalevel() {
	"$AALEVEL_BIN" --config "$AALEVEL_CONF" "$@"
}

# raw_sha1 NAME: what the kernel reports for a root-namespace profile:
# raw_sha1, or on kernels that hash with SHA-256 (6.3 and later: raw_sha256)
# the SHA-1 of the raw data the kernel kept, which is the same thing.
raw_sha1() {
	for _p in "$APPARMORFS"/policy/profiles/*; do
		[ "$(cat "$_p/name")" = "$1" ] || continue
		if [ -e "$_p/raw_sha1" ]; then
			cat "$_p/raw_sha1"
		else
			sha1sum <"$_p/raw_data" | cut -d ' ' -f 1
		fi
		return 0
	done
	return 1
}

# status_field KEY: one value of `aalevelctl status --json` (numbers and
# strings, no nesting).
status_field() {
	"$AALEVELCTL_BIN" status --json 2>/dev/null |
		sed -n "s/.*\"$1\":\\(\"\\([^\"]*\\)\"\\|\\([^,}]*\\)\\).*/\\2\\3/p"
}

# wait_idle [SECONDS]: until the daemon has no work queued or running.
wait_idle() {
	_t=$((${1:-60} * 10))
	while [ "$_t" -gt 0 ]; do
		case $(status_field state) in
		idle | waiting-confirm) return 0 ;;
		esac
		sleep 0.1
		_t=$((_t - 1))
	done
	_daemon_log
	die "the daemon did not become idle within ${1:-60} s (state $(status_field state))"
}

# settle [SECONDS]: after changing files, until the daemon has handled
# them: the state stays idle while the watch's debounce (100 ms in the
# tests' configuration) waits, so wait past it first.
settle() {
	sleep 0.5
	wait_idle "$@"
}

# wait_sha1_change NAME OLD [SECONDS]: until the kernel's binary of NAME
# is not OLD any more.
wait_sha1_change() {
	_t=$((${3:-30} * 10))
	while [ "$_t" -gt 0 ]; do
		_now=$(raw_sha1 "$1" 2>/dev/null) || _now=
		[ -n "$_now" ] && [ "$_now" != "$2" ] && return 0
		sleep 0.1
		_t=$((_t - 1))
	done
	_daemon_log
	die "profile $1 was not replaced within ${3:-30} s"
}

# reloads_logged: how many reloads that changed something the daemon logged.
reloads_logged() {
	grep -c 'in the kernel:' "$AALEVEL_LOG"
}

# start_polkit USER: a system bus (dbus-daemon, its policy open to all)
# and polkitd on it, both as root, with a rule that allows USER (added to
# /etc/passwd as uid 1000 if missing) org.aalevel1.set-level; for the
# tests of access through polkit (31, 35). Returns 1 (and says why) when
# the image has no dbus-daemon or polkitd (tests/vm/run copies them for
# tests that name polkitd). Start it before the daemon, which connects to
# the system bus it finds. Both go with the test's session.
start_polkit() {
	[ -x /usr/bin/dbus-daemon ] && [ -x /usr/lib/polkit-1/polkitd ] || {
		echo "# no dbus-daemon or polkitd in the image"
		return 1
	}
	grep -q "^$1:" /etc/passwd || {
		echo "$1:x:1000:1000:$1:/nonexistent:/bin/sh" >>/etc/passwd
		echo "$1:x:1000:" >>/etc/group
	}
	# polkitd started as root becomes this user; the rules (copied with
	# the release root's owners) must be readable to it.
	grep -q "^polkitd:" /etc/passwd || {
		echo "polkitd:x:990:990:polkit:/nonexistent:/usr/sbin/nologin" >>/etc/passwd
		echo "polkitd:x:990:" >>/etc/group
	}
	mkdir -p /run/dbus /etc/polkit-1/rules.d
	chmod -R a+rX /etc/polkit-1 /usr/share/polkit-1
	cat >"$TMPDIR/system-bus.conf" <<'X'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
X
	cat >/etc/polkit-1/rules.d/10-aalevel-test.rules <<X
polkit.addRule(function(action, subject) {
    if (action.id == "org.aalevel1.set-level" && subject.user == "$1")
        return polkit.Result.YES;
});
X
	/usr/bin/dbus-daemon --config-file="$TMPDIR/system-bus.conf" --nofork --nosyslog \
		>"$TMPDIR/dbus.log" 2>&1 &
	wait_for 10 test -S /run/dbus/system_bus_socket || die "dbus-daemon did not start: $(cat "$TMPDIR/dbus.log")"
	# (--no-debug would send its complaints to a syslog the VM has not;
	# GLib looks for the bus in /var/run, which is no link to /run here.)
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/dbus/system_bus_socket \
		/usr/lib/polkit-1/polkitd >"$TMPDIR/polkitd.log" 2>&1 &
	_pk_up() {
		/usr/bin/busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
			NameHasOwner s org.freedesktop.PolicyKit1 2>/dev/null | grep -q true
	}
	wait_for 30 _pk_up || die "polkitd did not start: $(cat "$TMPDIR/polkitd.log")"
	echo "# polkit: $(/usr/bin/busctl --system get-property org.freedesktop.PolicyKit1 \
		/org/freedesktop/PolicyKit1/Authority org.freedesktop.PolicyKit1.Authority BackendVersion 2>&1)"
}
