#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Manager API over Varlink (issue 16): org.aalevel.Manager on
# <runtime_dir>/org.aalevel.Manager, through two independent clients, the
# release's varlinkctl (systemd's sd-varlink) and python3-varlink (the
# varlink project's Python implementation, python3): every method, the
# errors, progress streamed with more, a switch with a confirmation window
# reverting by itself, and access (nobody reads but may not set; a
# confined caller may raise but not lower; with polkitd in the image, a
# system bus and polkit of the test's own, and a user a polkit rule allows
# org.aalevel1.set-level sets the level through both clients, told to
# polkit by its pidfd where polkit takes one). Where systemd keeps a
# Varlink registry (260 on: sid), the package's tmpfiles.d entry links it
# to the socket and both clients reach the service through it; skipped on
# trixie (257: no registry). What each client showed for each scenario is
# printed, one line per reply, prefixed by the client and the scenario
# (tests/vm/run --verbose shows it). Skipped where the build has no
# Varlink (libsystemd < 257: bookworm).
. /tests/lib.sh

[ -x /usr/bin/varlinkctl ] || skip "varlinkctl is not in the image (bookworm's systemd has none)"
[ -x /usr/bin/setpriv ] || skip "setpriv is not in the image"
[ -x /usr/bin/jq ] || skip "jq is not in the image"

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-a '  /etc/hostname r,'
# Differs between levels: a switch compiles and loads it (progress).
write_profile "$pd" t-b '  /etc/hostname r,
  if $aalevel_strict {
    deny /etc/shadow r,
  }' 'flags=(complain)'
cat >"$pd/t-admin" <<'P'
abi <abi/3.0>,
profile t-admin {
  /** rwlmix,
  capability,
  network,
  unix,
  signal,
  ptrace,
}
P
test_config "$pd"
polkit=0
start_polkit aaadmin && polkit=1
# -v: the daemon logs how it asked polkit.
start_daemon -v
wait_idle
chmod 755 "$TMPDIR" "$TMPDIR/run"

VL=$AALEVEL_RUNTIME_DIR/org.aalevel.Manager
[ -S "$VL" ] || skip "this build serves no Varlink socket (configure: Varlink: no)"
IF=org.aalevel.Manager

vl() { /usr/bin/varlinkctl "$@"; }
# call METHOD [JSON]: one call; the reply's parameters (short JSON) on stdout.
call() {
	_p=${2-}
	[ -n "$_p" ] || _p='{}'
	vl --json=short call "$VL" "$IF.$1" "$_p"
}
jqe() { printf '%s\n' "$1" | /usr/bin/jq -e "$2" >/dev/null || die "$3: $1"; }
# assert_vl_error OUTPUT ERROR: varlinkctl reported ERROR. systemd 262's
# varlinkctl names the standard errors by their errno ("Invalid argument")
# and prints their parameters; 257's names them.
assert_vl_error() {
	shown varlinkctl "error, $2 expected" "$1"
	case $1 in *"$2"*) return 0 ;; esac
	case $2 in
	org.varlink.service.InvalidParameter) case $1 in *'"parameter"'*) return 0 ;; esac ;;
	org.varlink.service.MethodNotFound) case $1 in *'"method"'*) return 0 ;; esac ;;
	esac
	die "varlinkctl did not report $2: $1"
}
level_is() { [ "$(aalevelctl get)" = "$1" ]; }
nobody() { /usr/bin/setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
aaadmin() { /usr/bin/setpriv --reuid 1000 --regid 1000 --clear-groups "$@"; }
# shown CLIENT SCENARIO OUTPUT: what a client showed, for the record.
shown() {
	printf '%s\n' "$3" | tr -d '\036' | sed "s|^|[$1] $2: |"
}

echo "# varlinkctl"
vl --version | head -n 1
# Introspection: the IDL with its comments.
idl=$(vl introspect "$VL" "$IF") || die "varlinkctl introspect failed"
shown varlinkctl "introspect ($(printf '%s\n' "$idl" | wc -l) lines, its methods and errors)" \
	"$(printf '%s\n' "$idl" | grep -E '^(interface|method|error|type) ')"
for s in "interface org.aalevel.Manager" "method GetStatus(" "method SetLevel(" "method Confirm(" \
	"method Reload(" "method ListLevels(" "method ListProfiles(" "method Diff(" "method Check(" \
	"error AccessDenied" "error NoSuchLevel" "error Failed" "error NothingPending" "type Progress"; do
	assert_contains "$idl" "$s" "the IDL"
done
assert_contains "$idl" "# Switches to a level" "the IDL's comments"
info=$(vl --json=short info "$VL") || die "varlinkctl info failed"
shown varlinkctl info "$info"
jqe "$info" '.interfaces | index("org.aalevel.Manager") != null' "info lists the interface"

# GetStatus: what the D-Bus properties say.
st=$(call GetStatus) || die "GetStatus failed"
shown varlinkctl GetStatus "$st"
jqe "$st" '.level == "default" and .state == "idle" and .levelSource == "config" and .pendingLevel == ""' \
	"GetStatus"
jqe "$st" ".profilesLoaded == $(status_field profiles_loaded)" "GetStatus agrees with aalevelctl"
ll=$(call ListLevels) || die "ListLevels failed"
shown varlinkctl ListLevels "$ll"
jqe "$ll" '[.levels[].name] | index("strict") != null and index("default") != null' "ListLevels"
lp=$(call ListProfiles) || die "ListProfiles failed"
shown varlinkctl ListProfiles "$lp"
jqe "$lp" '[.profiles[] | select(.name == "t-b")][0] | .status == "loaded" and .mode == "complain"' "ListProfiles"
ck=$(call Check '{"level":"strict"}') || die "Check failed"
shown varlinkctl "Check strict" "$ck"
jqe "$ck" '.compiled == 3 and .failed == 0 and .failures == []' "Check strict"
ck=$(call Check) || die "Check without a level failed"
shown varlinkctl "Check (current level)" "$ck"
jqe "$ck" '.compiled == 3' "Check of the current level"
df=$(call Diff '{"level":"strict"}') || die "Diff failed"
shown varlinkctl "Diff strict" "$df"
jqe "$df" '[.changes[] | select(.name == "t-b")] | length == 1' "Diff strict lists t-b"

# Errors: names under org.aalevel.Manager, and sd-varlink's own for bad
# parameters.
out=$(call SetLevel '{"level":"no-such"}' 2>&1) && die "SetLevel no-such succeeded"
assert_vl_error "$out" "org.aalevel.Manager.NoSuchLevel"
out=$(call Diff '{"level":"no-such"}' 2>&1) && die "Diff no-such succeeded"
assert_vl_error "$out" "org.aalevel.Manager.NoSuchLevel"
out=$(call Confirm 2>&1) && die "Confirm with nothing pending succeeded"
assert_vl_error "$out" "org.aalevel.Manager.NothingPending"
out=$(call SetLevel '{"level":7}' 2>&1) && die "SetLevel with a number succeeded"
assert_vl_error "$out" org.varlink.service.InvalidParameter
out=$(call SetLevel '{}' 2>&1) && die "SetLevel without a level succeeded"
assert_vl_error "$out" org.varlink.service.InvalidParameter
out=$(call GetStatus '{"x":1}' 2>&1) && die "GetStatus with an unknown parameter succeeded"
assert_vl_error "$out" org.varlink.service.InvalidParameter
out=$(call NoSuchMethod 2>&1) && die "an unknown method succeeded"
assert_vl_error "$out" org.varlink.service.MethodNotFound

# A switch with its progress streamed (more): progress replies, then the
# last without progress.
# (varlinkctl writes JSON-SEQ with --more: each reply after an RS byte.)
prog=$(vl --json=short call --more "$VL" "$IF.SetLevel" '{"level":"strict"}') || die "SetLevel strict --more failed"
prog=$(printf '%s\n' "$prog" | tr -d '\036')
shown varlinkctl "SetLevel strict --more" "$prog"
n=$(printf '%s\n' "$prog" | grep -c '"progress"')
[ "$n" -ge 1 ] || die "no progress reply for the switch"
jqe "$(printf '%s\n' "$prog" | grep '"progress"' | head -n 1)" \
	'.progress.phase == "compile" or .progress.phase == "load"' "a progress reply"
printf '%s\n' "$prog" | tail -n 1 | grep -q '"progress"' && die "the last reply has progress"
assert_eq strict "$(aalevelctl get)"
st=$(call GetStatus)
shown varlinkctl "GetStatus after the switch" "$st"
jqe "$st" '.level == "strict" and .levelSource == "set"' "GetStatus after the switch"
out=$(call Reload '{"noBlock":true}') || die "Reload noBlock failed"
shown varlinkctl "Reload noBlock" "$out"
wait_idle

# Access: nobody reads, but may not change anything.
out=$(nobody /usr/bin/varlinkctl --json=short call "$VL" "$IF.GetStatus" '{}') || die "nobody cannot read the status"
shown varlinkctl "GetStatus as nobody" "$out"
nobody /usr/bin/varlinkctl call "$VL" "$IF.ListProfiles" '{}' >/dev/null || die "nobody cannot list profiles"
out=$(nobody /usr/bin/varlinkctl call "$VL" "$IF.SetLevel" '{"level":"default"}' 2>&1) &&
	die "nobody could set the level"
assert_vl_error "$out" "org.aalevel.Manager.AccessDenied"
out=$(nobody /usr/bin/varlinkctl call "$VL" "$IF.Reload" '{}' 2>&1) && die "nobody could reload"
assert_vl_error "$out" "org.aalevel.Manager.AccessDenied"
assert_eq strict "$(aalevelctl get)"
# A confined caller may raise but not lower.
out=$(run_confined t-admin /usr/bin/varlinkctl call "$VL" "$IF.SetLevel" '{"level":"default"}' 2>&1) &&
	die "a confined caller lowered the level"
assert_vl_error "$out" "org.aalevel.Manager.AccessDenied"
assert_eq strict "$(aalevelctl get)"
out=$(run_confined t-admin /usr/bin/varlinkctl --json=short call "$VL" "$IF.SetLevel" \
	'{"level":"fsp","confirmSeconds":0}') || die "a confined caller could not raise the level"
shown varlinkctl "SetLevel fsp, confined (raise)" "$out"
assert_eq fsp "$(aalevelctl get)"
call SetLevel '{"level":"default","confirmSeconds":0}' >/dev/null || die "root could not lower the level"
assert_eq default "$(aalevelctl get)"

# polkit: the user a rule allows sets the level (raising and lowering).
if [ "$polkit" = 1 ]; then
	out=$(aaadmin /usr/bin/varlinkctl --json=short call "$VL" "$IF.SetLevel" \
		'{"level":"strict","confirmSeconds":0}' 2>&1) || die "the user polkit allows could not set strict: $out"
	shown varlinkctl "SetLevel strict as aaadmin (polkit rule)" "$out"
	assert_eq strict "$(aalevelctl get)"
	echo "polkit asked: $(grep 'Asking polkit' "$AALEVEL_LOG" | tail -n 1)"
	out=$(aaadmin /usr/bin/varlinkctl --json=short call "$VL" "$IF.SetLevel" \
		'{"level":"default","confirmSeconds":0}' 2>&1) || die "the user polkit allows could not set default: $out"
	shown varlinkctl "SetLevel default as aaadmin (polkit rule)" "$out"
	assert_eq default "$(aalevelctl get)"
	out=$(nobody /usr/bin/varlinkctl call "$VL" "$IF.SetLevel" '{"level":"strict"}' 2>&1) &&
		die "nobody could set the level with polkit up"
	assert_vl_error "$out" "org.aalevel.Manager.AccessDenied"
	assert_eq default "$(aalevelctl get)"
else
	echo "# no polkit in the image: its case is not run"
fi

# A switch with a confirmation window reverts by itself.
call SetLevel '{"level":"strict","confirmSeconds":3}' >/dev/null || die "SetLevel strict confirm 3 failed"
st=$(call GetStatus)
shown varlinkctl "GetStatus after SetLevel strict confirmSeconds 3" "$st"
jqe "$st" '.pendingLevel == "strict" and .revertLevel == "default" and .confirmDeadline > 0' \
	"GetStatus while the confirmation is pending"
wait_for 60 level_is default || die "the switch did not revert"
grep -q "was not confirmed in time" "$AALEVEL_LOG" || die "the revert is not logged"
shown varlinkctl "GetStatus after the window" "$(call GetStatus)"
# Confirmed, it stays.
call SetLevel '{"level":"strict","confirmSeconds":60}' >/dev/null || die "SetLevel strict confirm 60 failed"
out=$(call Confirm) || die "Confirm failed"
shown varlinkctl "Confirm" "$out"
st=$(call GetStatus)
shown varlinkctl "GetStatus after Confirm" "$st"
jqe "$st" '.level == "strict" and .pendingLevel == "" and .confirmDeadline == 0' "confirmed"

# The second client: python3-varlink.
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import varlink' 2>/dev/null; then
	echo "# python3-varlink"
	cat >"$TMPDIR/client.py" <<'PY'
import json
import sys
import varlink

# client.py SOCKET [as-nobody|as-polkit-user|status [WHEN]]
path = sys.argv[1]
mode = sys.argv[2] if len(sys.argv) > 2 else "root"
when = " " + sys.argv[3] if len(sys.argv) > 3 else ""


def shown(scenario, what):
    """What the client showed, for the record (as the shell's shown())."""
    if not isinstance(what, str):
        what = json.dumps(what, sort_keys=True)
    for line in what.splitlines() or [""]:
        print("[python3-varlink] %s: %s" % (scenario, line))


def refused(scenario, call, error):
    try:
        r = call()
        raise SystemExit("%s succeeded: %r" % (scenario, r))
    except varlink.VarlinkError as e:
        shown(scenario, "%s %s" % (e.error(), json.dumps(e.parameters())))
        assert e.error() == error, (scenario, e.error())


def attempt(scenario, call):
    """Whatever comes: a reply, the daemon's error, or the client's own
    (python3-varlink checks some parameters against the IDL itself)."""
    try:
        shown(scenario, call())
    except varlink.VarlinkError as e:
        shown(scenario, "%s %s" % (e.error(), json.dumps(e.parameters())))
    except Exception as e:
        shown(scenario, "client refused: %s: %s" % (type(e).__name__, e))


with varlink.Client(address="unix:" + path) as client:
    # The client parses the IDL the daemon serves.
    with client.open("org.aalevel.Manager") as m:
        who = "" if mode in ("root", "status") else " (%s)" % mode
        st = m.GetStatus()
        shown("GetStatus" + who + when, st)
        if mode == "status":
            sys.exit(0)
        assert st["level"] == "strict", st
        levels = m.ListLevels()
        shown("ListLevels" + who, levels)
        assert "fsp" in [l["name"] for l in levels["levels"]]
        profiles = m.ListProfiles()
        shown("ListProfiles" + who, profiles)
        assert {p["name"]: p for p in profiles["profiles"]}["t-a"]["status"] == "loaded"
        if mode == "as-nobody":
            refused("SetLevel default as nobody", lambda: m.SetLevel(level="default"),
                    "org.aalevel.Manager.AccessDenied")
            refused("Reload as nobody", lambda: m.Reload(), "org.aalevel.Manager.AccessDenied")
            sys.exit(0)
        if mode == "as-polkit-user":
            shown("SetLevel default as aaadmin (polkit rule)", m.SetLevel(level="default", confirmSeconds=0))
            st = m.GetStatus()
            assert st["level"] == "default", st
            shown("SetLevel strict as aaadmin (polkit rule)", m.SetLevel(level="strict", confirmSeconds=0))
            assert m.GetStatus()["level"] == "strict"
            sys.exit(0)
        c = m.Check(level="fsp")
        shown("Check fsp", c)
        assert c["compiled"] >= 3 and c["failed"] == 0
        d = m.Diff(level="default")
        shown("Diff default", d)
        refused("SetLevel no-such", lambda: m.SetLevel(level="no-such"), "org.aalevel.Manager.NoSuchLevel")
        refused("Diff no-such", lambda: m.Diff(level="no-such"), "org.aalevel.Manager.NoSuchLevel")
        refused("Confirm (nothing pending)", lambda: m.Confirm(), "org.aalevel.Manager.NothingPending")
        attempt("SetLevel with a number", lambda: m.SetLevel(level=7))
        attempt("GetStatus with an unknown parameter", lambda: m.GetStatus(x=1))
        assert m.GetStatus()["level"] == "strict"
        replies = list(m.SetLevel(level="default", confirmSeconds=0, _more=True))
        for r in replies:
            shown("SetLevel default (more)", r)
        assert any("progress" in r and r["progress"] for r in replies[:-1]), replies
        assert not replies[-1].get("progress"), replies[-1]
        shown("SetLevel strict confirmSeconds 3", m.SetLevel(level="strict", confirmSeconds=3))
        st = m.GetStatus()
        shown("GetStatus while pending", st)
        assert st["pendingLevel"] == "strict" and st["revertLevel"] == "default"
        shown("Reload noBlock", m.Reload(noBlock=True))
print("python3-varlink: ok")
PY
	/usr/bin/python3 "$TMPDIR/client.py" "$VL" || die "python3-varlink client failed"
	wait_for 60 level_is default || die "the switch made with python3-varlink did not revert"
	wait_idle
	/usr/bin/python3 "$TMPDIR/client.py" "$VL" status "after the window" || die "python3-varlink GetStatus failed"
	aalevelctl set strict || die "set strict failed"
	nobody /usr/bin/python3 "$TMPDIR/client.py" "$VL" as-nobody || die "python3-varlink as nobody failed"
	if [ "$polkit" = 1 ]; then
		aaadmin /usr/bin/python3 "$TMPDIR/client.py" "$VL" as-polkit-user ||
			die "python3-varlink as the user polkit allows failed"
		echo "polkit asked: $(grep 'Asking polkit' "$AALEVEL_LOG" | tail -n 1)"
	fi
	py=1
else
	echo "# python3-varlink is not in the image: varlinkctl only"
	py=0
fi

# The registry (systemd 260 on): the package's tmpfiles.d entry links
# /run/varlink/registry/org.aalevel.Manager to /run/aalevel's socket,
# where the daemon serves it when installed (here that path leads to the
# test's socket); varlinkctl list-registry shows it, and both clients
# reach the service by the registry's path.
sdv=$(vl --version | awk 'NR == 1 { print $2 + 0 }')
if [ "$sdv" -ge 260 ]; then
	conf=/usr/lib/tmpfiles.d/aalevel-varlink.conf
	[ -f "$conf" ] || die "$conf is not installed"
	[ -x /usr/bin/systemd-tmpfiles ] || die "systemd-tmpfiles is not in the image"
	mkdir -p /run/varlink/registry # systemd's own tmpfiles.d (20-systemd-varlink.conf)
	/usr/bin/systemd-tmpfiles --create "$conf" || die "systemd-tmpfiles --create $conf failed"
	reg=/run/varlink/registry/$IF
	[ -L "$reg" ] || die "no registry entry $reg"
	target=$(readlink "$reg")
	shown registry "$reg ->" "$target"
	mkdir -p /run/aalevel
	case $target in
	/*) abs=$target ;;
	*) abs=$(cd /run/varlink/registry && cd "$(dirname "$target")" && pwd -P)/$(basename "$target") ;;
	esac
	assert_eq /run/aalevel/org.aalevel.Manager "$abs" "the registry entry's target"
	ln -sf "$VL" /run/aalevel/org.aalevel.Manager
	out=$(vl list-registry --no-pager) || die "varlinkctl list-registry failed"
	shown varlinkctl list-registry "$out"
	assert_contains "$out" "$IF" "varlinkctl list-registry"
	st=$(vl --json=short call "$reg" "$IF.GetStatus" '{}') || die "varlinkctl cannot call through the registry"
	shown varlinkctl "GetStatus through the registry" "$st"
	jqe "$st" '.level == "strict"' "GetStatus through the registry"
	if [ "$py" = 1 ]; then
		/usr/bin/python3 "$TMPDIR/client.py" "$reg" status "through the registry" ||
			die "python3-varlink cannot call through the registry"
	fi
else
	echo "# registry: skipped: systemd $sdv keeps no Varlink registry (260 and later do)"
fi

# The D-Bus face saw the same.
assert_eq strict "$(aalevelctl get)"
stop_daemon
