#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A level inheriting the shipped extreme with users.roles: aalevel writes
# the login programs' profiles with a hat per user, loads them with the
# role confined_user, and what pam_apparmor then does (change to the hat
# named after the user, as root, then exec the session) starts the session
# stacked "confined_user//&unconfined"; a program with a profile run in it
# gets "confined_user//&PROFILE"; a user without a hat stays in the login
# program's profile. The same with users.namespace. A role without a
# profile refuses the level; switching to default removes it all.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
bin=/usr/lib/aalevel-vm-test
mkdir -p "$bin"
cp /usr/bin/dd "$bin/app"
cat >"$pd/t-app" <<EOF
abi <abi/3.0>,
include <tunables/global>
profile t-app $bin/app {
  include <abstractions/base>
  $bin/app mr,
  @{PROC}/@{pid}/attr/{,apparmor/}current r,
}
EOF
test_config "$pd" early_policy_dir="$TMPDIR/early"
mkdir -p "$TMPDIR/levels"
cat >"$TMPDIR/levels/extreme_t.yaml" <<'EOF'
inherits: extreme
confirm: 0
users:
  roles:
    - { user: alice, role: confined_user }
EOF
cat >"$TMPDIR/levels/extreme_ns.yaml" <<'EOF'
inherits: extreme
users:
  namespace: application
  roles:
    - { user: alice, role: confined_user }
EOF
cat >"$TMPDIR/levels/extreme_bad.yaml" <<'EOF'
inherits: extreme
users:
  roles:
    - { user: alice, role: nobody_role }
EOF
gen=$TMPDIR/state/generated

# login as pam_apparmor leaves it: in HAT of PROGRAM's profile, then the
# session's shell runs CMD. (The token is pam_apparmor's random number.)
session() { # PROGRAM USER CMD
	run_confined "$1" /bin/sh -c "echo 'changehat 271828^$2' >/proc/self/attr/current 2>/dev/null; exec /bin/sh -c '$3'" 2>&1
}
self='/usr/bin/dd if=/proc/self/attr/current status=none'

aalevel load --level extreme_t || die "load extreme_t failed"
ls -l "$gen/extreme_t"
cat "$gen/extreme_t/aalevel-login"
for p in aalevel-login aalevel-su aalevel-sshd; do
	assert_profile_mode "$p" enforce
	assert_profile_mode "$p//alice" enforce
done
assert_profile_mode confined_user enforce
assert_profile_mode systemd enforce

assert_eq "confined_user//&unconfined (enforce)" "$(session aalevel-login alice "$self")" "alice's session from login"
assert_eq "confined_user//&unconfined (enforce)" "$(session aalevel-su alice "$self")" "alice's session from su"
assert_eq "confined_user//&t-app (enforce)" "$(session aalevel-login alice "$bin/app if=/proc/self/attr/current status=none")" \
	"a program with a profile in alice's session"
# The role holds: no way out by exec, no capability.
out=$(session aalevel-login alice "echo x >/etc/aalevel-role-x") && die "the role could write in /etc: $out"
echo "writing in /etc in the role: $out"
[ ! -e /etc/aalevel-role-x ] || die "the role wrote /etc/aalevel-role-x"
# Someone without a hat: the login program's own profile (for programs
# without a profile of their own).
assert_eq "aalevel-login (enforce)" "$(session aalevel-login bob "$self")" "bob's session"
assert_eq "aalevel-login//&t-app (enforce)" "$(session aalevel-login bob "$bin/app if=/proc/self/attr/current status=none")" \
	"a program with a profile in bob's session"

# Nothing changed: nothing rewritten.
before=$(stat -c '%i %Y %n' "$gen/extreme_t"/*)
rev=$(kernel_revision) || exit 1
aalevel load --level extreme_t || die "second load of extreme_t failed"
assert_eq "$before" "$(stat -c '%i %Y %n' "$gen/extreme_t"/*)" "the generated files after a second load"
assert_eq "$rev" "$(kernel_revision)" "policy revision after a second load"

# With the application namespace: the policy tree's profiles again in
# :application:, the session stacked with its unconfined; the user sees
# only the application part.
aalevel load --level extreme_ns || die "load extreme_ns failed"
grep -F 'Px -> confined_user//&:application://unconfined,' "$gen/extreme_ns/aalevel-login" ||
	die "no namespaced transition in the hat"
assert_profile_loaded :application:t-app
assert_profile_absent :application:confined_user
assert_profile_absent :application:aalevel-login
inside=$(session aalevel-login alice "$bin/app if=/proc/self/attr/current status=none")
echo "alice's t-app sees itself as: $inside"
assert_eq "t-app (enforce)" "$inside" "the application label as the user sees it"
session aalevel-login alice "exec /bin/sleep 5" >/dev/null &
sleep 1
pid=$(ps -o pid,args | awk '$2 == "/bin/sleep" && $3 == "5" { print $1; exit }')
[ -n "$pid" ] || die "cannot find alice's sleep"
# (The kernel writes a namespace's profile as :NS:NAME.)
assert_eq "confined_user//&:application:unconfined (enforce)" "$(cat "/proc/$pid/attr/current")" \
	"alice's session seen from the root namespace"
kill "$pid" 2>/dev/null
wait

# A role without a profile: refused, with the level and the role named.
rev=$(kernel_revision) || exit 1
if out=$(aalevel load --level extreme_bad 2>&1); then die "extreme_bad was applied: $out"; fi
echo "$out"
assert_contains "$out" "extreme_bad"
assert_contains "$out" "nobody_role"
assert_eq "$rev" "$(kernel_revision)" "policy revision after the refused switch"

# Back to default: none of it stays in the kernel.
aalevel load --level default || die "load default failed"
for p in aalevel-login aalevel-su aalevel-sshd confined_user systemd :application:t-app; do
	assert_profile_absent "$p"
done
assert_profile_mode t-app enforce
remove_profile t-app
rm -rf "$bin"
