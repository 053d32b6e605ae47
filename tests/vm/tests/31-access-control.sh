#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Who may change the level: reading is open to everyone; a non-root caller
# gets exit 4 on set unless polkit allows it; a caller confined by
# AppArmor may raise the level but not lower it, unless its label is
# allowed in [access] lower_labels. With polkitd in the image (the
# release's, or the host's on bookworm), a system bus and polkit of the
# test's own: a user a polkit rule allows org.aalevel1.set-level changes
# the level over the private socket, told to polkit by its pidfd (polkit
# 124 on: trixie's 126, sid's 128) or start time (bookworm's 122), in one
# question (issue 16); the others are refused.
. /tests/lib.sh

[ -x /usr/bin/setpriv ] || skip "setpriv is not in the image"
pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-a '  /etc/hostname r,'
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

nobody() { /usr/bin/setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
nobody "$AALEVELCTL_BIN" status >/dev/null || die "nobody cannot read the status"
nobody "$AALEVELCTL_BIN" set strict
assert_eq 4 $? "exit code of set as nobody"
nobody "$AALEVELCTL_BIN" reload
assert_eq 4 $? "exit code of reload as nobody"
assert_eq default "$(aalevelctl get)"

# Confined root: raising is allowed...
run_confined t-admin "$AALEVELCTL_BIN" set strict || die "a confined caller could not raise the level"
assert_eq strict "$(aalevelctl get)"
# ...lowering is not.
out=$(run_confined t-admin "$AALEVELCTL_BIN" set default 2>&1)
rc=$?
echo "$out"
assert_eq 4 "$rc" "exit code of a confined caller lowering the level"
assert_contains "$out" "t-admin"
assert_eq strict "$(aalevelctl get)"
grep -q "Refused to lower the level" "$AALEVEL_LOG" || die "the refusal is not logged"

# Confirming, and setting the level awaiting confirmation again, end the
# safety net: like lowering (issue 14, #10).
aalevelctl set default --confirm 60 || die "root could not set default --confirm 60"
assert_eq default "$(status_field pending_level)"
run_confined t-admin "$AALEVELCTL_BIN" confirm
assert_eq 4 $? "exit code of a confined caller confirming"
run_confined t-admin "$AALEVELCTL_BIN" set default --confirm 0
assert_eq 4 $? "exit code of a confined caller setting the pending level again"
assert_eq default "$(status_field pending_level)"
aalevelctl confirm || die "root could not confirm"
assert_eq default "$(aalevelctl get)"
aalevelctl set strict || die "root could not set strict"

# Allowed by label.
mkdir -p "$AALEVEL_CONF.d"
printf '[access]\nlower_labels = t-admin\n' >"$AALEVEL_CONF.d/10-admin.conf"
aalevelctl reload || die "reload failed"
run_confined t-admin "$AALEVELCTL_BIN" set default || die "an allowed label could not lower the level"
assert_eq default "$(aalevelctl get)"

# polkit: the user the rule names may change the level; nobody still not.
if [ "$polkit" = 1 ]; then
	grep -q "Serving org.aalevel1 on the system bus" "$AALEVEL_LOG" || die "the daemon is not on the system bus"
	aaadmin() { /usr/bin/setpriv --reuid 1000 --regid 1000 --clear-groups "$@"; }
	aaadmin "$AALEVELCTL_BIN" set strict || die "the user polkit allows could not set the level"
	assert_eq strict "$(aalevelctl get)"
	echo "polkit asked: $(grep 'Asking polkit' "$AALEVEL_LOG" | tail -n 1)"
	aaadmin "$AALEVELCTL_BIN" reload || die "the user polkit allows could not reload"
	nobody "$AALEVELCTL_BIN" set default
	assert_eq 4 $? "exit code of set as nobody, polkit asked"
	assert_eq strict "$(aalevelctl get)"
else
	echo "# no polkit in the image: its case is not run"
fi
stop_daemon
