#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped level fsp loads aalevel's own profiles for PID 1 (systemd)
# and modprobe (kmod) with the policy tree, into the early policy too; a
# switch is refused when the profile systemd does not compile. And the
# profile systemd does what Full System Policy needs on this kernel: a
# child with a profile of its own runs stacked with it ("systemd//&t-svc":
# the kernel sorts a stack by profile name), also
# under no_new_privs (where a plain transition fails the exec); a child
# without one inherits systemd; login programs and aalevelctl run under
# their own profile alone; and the daemon's settings: confirmation window,
# early policy, requirements.
. /tests/lib.sh

pd=$TMPDIR/pd
early=$TMPDIR/earlypolicy
make_policy_tree "$pd"
bin=/usr/lib/aalevel-vm-test
mkdir -p "$bin"
# Programs that print their own label: copies of coreutils' dd.
for p in svc plain; do cp /usr/bin/dd "$bin/$p"; done
cat >"$pd/t-svc" <<EOF
abi <abi/3.0>,
include <tunables/global>
profile t-svc $bin/svc {
  include <abstractions/base>
  $bin/svc mr,
  @{PROC}/@{pid}/attr/{,apparmor/}current r,
}
EOF
test_config "$pd" early_policy_dir="$early"

label_of() { # PROFILE [setpriv ARGS] PROGRAM: the label PROGRAM gets, run by a task in PROFILE
	_p=$1
	shift
	run_confined "$_p" /usr/bin/setpriv "$@" if=/proc/self/attr/current status=none 2>&1
}

aalevel load --level fsp || die "load fsp failed"
cat "$APPARMORFS/profiles"
assert_profile_mode systemd enforce
assert_profile_mode kmod enforce
assert_profile_mode t-svc enforce
ls "$early"/*.0/usr.lib.systemd.systemd >/dev/null || die "PID 1's profile is not in the early policy: $(ls "$early"/*.0/)"

# What systemd starts. (setpriv stands for systemd's child before the
# exec: it runs ix under systemd, then execs the program.)
assert_eq "systemd//&t-svc (enforce)" "$(label_of systemd "$bin/svc")" "a service with a profile"
assert_eq "systemd//&t-svc (enforce)" "$(label_of systemd --no-new-privs "$bin/svc")" \
	"a no_new_privs service with a profile"
assert_eq "systemd (enforce)" "$(label_of systemd "$bin/plain")" "a service without a profile"
assert_eq "systemd (enforce)" "$(label_of systemd --no-new-privs "$bin/plain")" \
	"a no_new_privs service without a profile"
# A login program (pam_apparmor changes its hat) runs under its own
# profile alone: a stack can only change to a hat every profile in it
# has. The shipped rule names /{usr/,}bin/login; the VM's is busybox, so
# a copy of dd stands in for it while this runs.
saved=
if [ -e /usr/bin/login ] || [ -L /usr/bin/login ]; then
	saved=$TMPDIR/login.saved
	mv /usr/bin/login "$saved"
fi
cp /usr/bin/dd /usr/bin/login
load_profile_text t-login "abi <abi/3.0>,
include <tunables/global>
profile t-login /usr/bin/login {
  include <abstractions/base>
  /usr/bin/login mr,
  @{PROC}/@{pid}/attr/{,apparmor/}current r,
}"
got=$(label_of systemd /usr/bin/login)
got_nnp=$(label_of systemd --no-new-privs /usr/bin/login)
remove_profile t-login
rm -f /usr/bin/login
[ -n "$saved" ] && mv "$saved" /usr/bin/login
assert_eq "t-login (enforce)" "$got" "login run by systemd"
# The price: under no_new_privs that exec fails (nothing starts login so).
assert_contains "$got_nnp" "not permitted" "login run by a no_new_privs task"

# A broken override of PID 1's profile: fsp is refused, nothing applied.
aalevel load --level default || die "load default failed"
assert_profile_absent systemd
assert_profile_absent kmod
[ -z "$(ls "$early"/*.0/ 2>/dev/null)" ] || die "the early policy was not cleared at default"
echo "this is not policy {" >"$pd/local/usr.lib.systemd.systemd"
rev=$(kernel_revision) || exit 1
if out=$(aalevel load --level fsp 2>&1); then die "fsp was applied with a broken profile systemd: $out"; fi
echo "$out"
assert_contains "$out" "systemd"
assert_eq "$rev" "$(kernel_revision)" "policy revision after the refused switch"
assert_profile_absent systemd
rm -f "$pd/local/usr.lib.systemd.systemd"

# The daemon: fsp reverts unless confirmed within 120 s, and keeps early
# policy.
start_daemon
wait_idle
show=$(aalevelctl --json show fsp) || die "aalevelctl show fsp failed"
echo "$show"
echo "$show" | /usr/bin/jq -e '.confirm == 120 and .early_policy == true and (.requires | index("systemd"))' >/dev/null ||
	die "fsp does not say confirm 120, early policy, requires systemd"
show=$(aalevelctl --json show extreme) || die "aalevelctl show extreme failed"
echo "$show" | /usr/bin/jq -e '(.requires | index("confined_user")) and (.requires | index("systemd"))' >/dev/null ||
	die "extreme does not require confined_user and systemd"
aalevelctl set fsp || die "aalevelctl set fsp failed"
aalevelctl --json status | /usr/bin/jq -e '.pending_level == "fsp" and .state == "waiting-confirm"' >/dev/null ||
	die "a switch to fsp does not wait for confirmation: $(aalevelctl --json status)"
aalevelctl set default || die "aalevelctl set default failed"
stop_daemon
assert_profile_absent systemd
remove_profile t-svc
rm -rf "$bin"
# At default the early policy is cleared, cache directory and all (its
# .features too): once the marker is gone nobody else would remove it,
# not even the package's purge. Checked last, so that the rest of the
# test has run when this fails.
leftover=$(find "$early" -mindepth 1 2>/dev/null | tr '\n' ' ')
[ -z "$leftover" ] || die "the early policy was not cleared at default: $leftover"
