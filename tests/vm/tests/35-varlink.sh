#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Manager API over Varlink (issue 16): org.aalevel.Manager on
# <runtime_dir>/org.aalevel.Manager, through two independent clients, the
# release's varlinkctl (systemd's sd-varlink) and python3-varlink (the
# varlink project's Python implementation, python3): every method, the
# errors, progress streamed with more, a switch with a confirmation window
# reverting by itself, and access (nobody reads but may not set; a
# confined caller may raise but not lower). Skipped where the build has no
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
start_daemon
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
	case $1 in *"$2"*) return 0 ;; esac
	case $2 in
	org.varlink.service.InvalidParameter) case $1 in *'"parameter"'*) return 0 ;; esac ;;
	org.varlink.service.MethodNotFound) case $1 in *'"method"'*) return 0 ;; esac ;;
	esac
	die "varlinkctl did not report $2: $1"
}
level_is() { [ "$(aalevelctl get)" = "$1" ]; }
nobody() { /usr/bin/setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }

echo "# varlinkctl"
vl --version | head -n 1
# Introspection: the IDL with its comments.
idl=$(vl introspect "$VL" "$IF") || die "varlinkctl introspect failed"
for s in "interface org.aalevel.Manager" "method GetStatus(" "method SetLevel(" "method Confirm(" \
	"method Reload(" "method ListLevels(" "method ListProfiles(" "method Diff(" "method Check(" \
	"error AccessDenied" "error NoSuchLevel" "error Failed" "error NothingPending" "type Progress"; do
	assert_contains "$idl" "$s" "the IDL"
done
assert_contains "$idl" "# Switches to a level" "the IDL's comments"
info=$(vl --json=short info "$VL") || die "varlinkctl info failed"
jqe "$info" '.interfaces | index("org.aalevel.Manager") != null' "info lists the interface"

# GetStatus: what the D-Bus properties say.
st=$(call GetStatus) || die "GetStatus failed"
echo "$st"
jqe "$st" '.level == "default" and .state == "idle" and .levelSource == "config" and .pendingLevel == ""' \
	"GetStatus"
jqe "$st" ".profilesLoaded == $(status_field profiles_loaded)" "GetStatus agrees with aalevelctl"
ll=$(call ListLevels) || die "ListLevels failed"
jqe "$ll" '[.levels[].name] | index("strict") != null and index("default") != null' "ListLevels"
lp=$(call ListProfiles) || die "ListProfiles failed"
jqe "$lp" '[.profiles[] | select(.name == "t-b")][0] | .status == "loaded" and .mode == "complain"' "ListProfiles"
ck=$(call Check '{"level":"strict"}') || die "Check failed"
jqe "$ck" '.compiled == 3 and .failed == 0 and .failures == []' "Check strict"
ck=$(call Check) || die "Check without a level failed"
jqe "$ck" '.compiled == 3' "Check of the current level"
df=$(call Diff '{"level":"strict"}') || die "Diff failed"
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
echo "$prog"
n=$(printf '%s\n' "$prog" | grep -c '"progress"')
[ "$n" -ge 1 ] || die "no progress reply for the switch"
jqe "$(printf '%s\n' "$prog" | grep '"progress"' | head -n 1)" \
	'.progress.phase == "compile" or .progress.phase == "load"' "a progress reply"
printf '%s\n' "$prog" | tail -n 1 | grep -q '"progress"' && die "the last reply has progress"
assert_eq strict "$(aalevelctl get)"
jqe "$(call GetStatus)" '.level == "strict" and .levelSource == "set"' "GetStatus after the switch"
call Reload '{"noBlock":true}' >/dev/null || die "Reload noBlock failed"
wait_idle

# Access: nobody reads, but may not change anything.
nobody /usr/bin/varlinkctl call "$VL" "$IF.GetStatus" '{}' >/dev/null || die "nobody cannot read the status"
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
run_confined t-admin /usr/bin/varlinkctl call "$VL" "$IF.SetLevel" '{"level":"fsp","confirmSeconds":0}' ||
	die "a confined caller could not raise the level"
assert_eq fsp "$(aalevelctl get)"
call SetLevel '{"level":"default","confirmSeconds":0}' >/dev/null || die "root could not lower the level"
assert_eq default "$(aalevelctl get)"

# A switch with a confirmation window reverts by itself.
call SetLevel '{"level":"strict","confirmSeconds":3}' >/dev/null || die "SetLevel strict confirm 3 failed"
st=$(call GetStatus)
jqe "$st" '.pendingLevel == "strict" and .revertLevel == "default" and .confirmDeadline > 0' \
	"GetStatus while the confirmation is pending"
wait_for 60 level_is default || die "the switch did not revert"
grep -q "was not confirmed in time" "$AALEVEL_LOG" || die "the revert is not logged"
# Confirmed, it stays.
call SetLevel '{"level":"strict","confirmSeconds":60}' >/dev/null || die "SetLevel strict confirm 60 failed"
call Confirm >/dev/null || die "Confirm failed"
jqe "$(call GetStatus)" '.level == "strict" and .pendingLevel == "" and .confirmDeadline == 0' "confirmed"

# The second client: python3-varlink.
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import varlink' 2>/dev/null; then
	echo "# python3-varlink"
	cat >"$TMPDIR/client.py" <<'PY'
import sys
import varlink

path, nobody = sys.argv[1], len(sys.argv) > 2
with varlink.Client(address="unix:" + path) as client:
    # The client parses the IDL the daemon serves.
    with client.open("org.aalevel.Manager") as m:
        st = m.GetStatus()
        print("GetStatus", st["level"], st["state"], st["profilesLoaded"])
        assert st["level"] == "strict", st
        levels = [l["name"] for l in m.ListLevels()["levels"]]
        print("ListLevels", levels)
        assert "fsp" in levels
        profiles = {p["name"]: p for p in m.ListProfiles()["profiles"]}
        print("ListProfiles", sorted(profiles))
        assert profiles["t-a"]["status"] == "loaded"
        if nobody:
            try:
                m.SetLevel(level="default")
                raise SystemExit("nobody could set the level")
            except varlink.VarlinkError as e:
                print("SetLevel as nobody:", e.error(), e.parameters().get("message"))
                assert e.error() == "org.aalevel.Manager.AccessDenied"
            sys.exit(0)
        c = m.Check(level="fsp")
        print("Check", c["compiled"], c["failed"])
        assert c["compiled"] >= 3 and c["failed"] == 0
        d = m.Diff(level="default")
        print("Diff", [(x["name"], x["change"]) for x in d["changes"]])
        try:
            m.SetLevel(level="no-such")
            raise SystemExit("SetLevel no-such succeeded")
        except varlink.VarlinkError as e:
            print("SetLevel no-such:", e.error())
            assert e.error() == "org.aalevel.Manager.NoSuchLevel"
        try:
            m.Confirm()
            raise SystemExit("Confirm succeeded with nothing pending")
        except varlink.VarlinkError as e:
            print("Confirm:", e.error())
            assert e.error() == "org.aalevel.Manager.NothingPending"
        replies = list(m.SetLevel(level="default", confirmSeconds=0, _more=True))
        print("SetLevel default (more):", len(replies), "replies")
        assert any("progress" in r and r["progress"] for r in replies[:-1]), replies
        assert not replies[-1].get("progress"), replies[-1]
        m.SetLevel(level="strict", confirmSeconds=3)
        st = m.GetStatus()
        print("pending", st["pendingLevel"], "revert to", st["revertLevel"])
        assert st["pendingLevel"] == "strict" and st["revertLevel"] == "default"
        m.Reload(noBlock=True)
print("python3-varlink: ok")
PY
	/usr/bin/python3 "$TMPDIR/client.py" "$VL" || die "python3-varlink client failed"
	wait_for 60 level_is default || die "the switch made with python3-varlink did not revert"
	wait_idle
	aalevelctl set strict || die "set strict failed"
	nobody /usr/bin/python3 "$TMPDIR/client.py" "$VL" as-nobody || die "python3-varlink as nobody failed"
else
	echo "# python3-varlink is not in the image: varlinkctl only"
fi

# The D-Bus face saw the same.
assert_eq strict "$(aalevelctl get)"
stop_daemon
