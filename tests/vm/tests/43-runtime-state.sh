#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# apparmor.d's runtime state (tunables/multiarch.d/state of its forky
# tree, AppArmor 5.0): aalevel sets @{LEVEL} from the level and @{DE}
# from the desktop sessions installed, writing them into the tree's
# state.d; a profile whose rules depend on @{LEVEL} and one on @{DE}
# behave per level and per detected desktop; installing a desktop
# session recompiles only the profile that uses @{DE}; a level pinning
# DE: [none] wins over detection; status and show say where each value
# came from. Needs sid's parser and the forky tree (tests/vm/run copies
# it into the VM for an AppArmor 5 sysroot).
. /tests/lib.sh

forky=/usr/share/aalevel-tests/apparmor.d-forky
[ -d "$forky/tunables/multiarch.d" ] || skip "no apparmor.d forky tree in this VM (needs AppArmor 5.0: --release sid)"
"$APPARMOR_PARSER" --version | grep -q 'version [5-9]' || skip "needs AppArmor 5.0's apparmor_parser"

pd=$TMPDIR/pd
mkdir -p "$pd/local" "$TMPDIR/levels"
cp -a "$forky/abi" "$forky/tunables" "$forky/abstractions" "$pd/" || die "cannot copy the forky tree"
[ -f "$pd/tunables/multiarch.d/state" ] || die "the forky tree has no tunables/multiarch.d/state"
echo level-secret >/etc/aalevel-state-level
echo desktop-file >/etc/aalevel-state-de

state_profile() {
	cat >"$pd/$1" <<PROFILE || die "cannot write $pd/$1"
abi <abi/5.0>,
include <tunables/global>
profile $1 /usr/bin/$1 {
  include <abstractions/base>
  /{usr/,}{bin,sbin}/* mrix,
$2
  include if exists <local/$1>
}
PROFILE
}
# t-level reads its file below @{LEVEL} 1 only; t-de only where GNOME is
# installed; t-plain uses neither.
state_profile t-level '  /etc/aalevel-state-level r,
  if @{LEVEL} >= 1 {
    deny /etc/aalevel-state-level r,
  }'
state_profile t-de '  if "gnome" in @{DE} {
    /etc/aalevel-state-de r,
  }'
state_profile t-plain '  /etc/hostname r,'
cat >"$TMPDIR/levels/headless.yaml" <<'LEVEL'
description: strict without a desktop
inherits: strict
state:
  DE: [none]
LEVEL
test_config "$pd"

can_read() { run_confined "$1" /bin/cat "$2" >/dev/null 2>&1; }
compiled_last() { grep 'in the kernel:' "$AALEVEL_LOG" | tail -n 1 | sed -n 's/.* \([0-9]*\) compiled.*/\1/p'; }
state_file=$pd/tunables/multiarch.d/state.d/aalevel

rm -rf /usr/share/wayland-sessions /usr/share/xsessions
# The initramfs has no os-release of its own: sid's, as Debian ships it
# (no VERSION_ID: the tree's value stays, and status says why).
[ -e /etc/os-release ] || printf 'PRETTY_NAME="Debian GNU/Linux forky/sid"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=forky\nID=debian\n' >/etc/os-release
start_daemon
wait_idle 300
assert_profile_mode t-de enforce
[ -f "$state_file" ] || die "aalevel wrote no $state_file"
echo "# state file at default, no desktop:"; sed 's/^/#   /' "$state_file"
grep -q '^@{LEVEL} := 0$' "$state_file" || die "no @{LEVEL} := 0 in $state_file"
grep -q '^@{DE} := none$' "$state_file" || die "no @{DE} := none in $state_file"
grep -q '^@{OS_ID} := debian$' "$state_file" || die "no @{OS_ID} := debian in $state_file"
can_read t-level /etc/aalevel-state-level || die "default: t-level could not read its file"
if can_read t-de /etc/aalevel-state-de; then die "no desktop: t-de could read"; fi
out=$(aalevelctl status) || die "status failed"
echo "$out"
assert_contains "$out" "DE = none (from"
assert_contains "$out" "LEVEL = 0 (from level default)"
assert_contains "$out" "OS_ID = debian (from /etc/os-release ID)"
assert_contains "$out" "OS_FAMILY = apt (from"
assert_contains "$out" "OS_VERSION_ID: as the tree sets it ("

# A desktop installed: @{DE} changes, only t-de compiles again.
plain=$(raw_sha1 t-plain) level_sha=$(raw_sha1 t-level) de_sha=$(raw_sha1 t-de)
mkdir -p /usr/share/wayland-sessions
printf '[Desktop Entry]\nName=GNOME\nExec=gnome-session\nDesktopNames=GNOME\n' \
	>/usr/share/wayland-sessions/gnome.desktop
wait_sha1_change t-de "$de_sha" 120
settle 120
assert_eq 1 "$(compiled_last)" "profiles compiled when @{DE} changed"
assert_eq "$plain" "$(raw_sha1 t-plain)" "t-plain's binary after @{DE} changed"
assert_eq "$level_sha" "$(raw_sha1 t-level)" "t-level's binary after @{DE} changed"
grep -q '^@{DE} := gnome$' "$state_file" || die "no @{DE} := gnome in $state_file: $(cat "$state_file")"
can_read t-de /etc/aalevel-state-de || die "GNOME installed: t-de could not read"
out=$(aalevelctl status) || die "status failed"
assert_contains "$out" "DE = gnome (from gnome: /usr/share/wayland-sessions/gnome.desktop"

# strict: @{LEVEL} 1, only t-level compiles again.
de_sha=$(raw_sha1 t-de)
aalevelctl set strict || die "set strict failed"
wait_idle 300
assert_eq 1 "$(compiled_last)" "profiles compiled for @{LEVEL} 1"
assert_eq "$de_sha" "$(raw_sha1 t-de)" "t-de's binary at strict"
grep -q '^@{LEVEL} := 1$' "$state_file" || die "no @{LEVEL} := 1 in $state_file"
if can_read t-level /etc/aalevel-state-level; then die "strict: t-level could read"; fi
can_read t-de /etc/aalevel-state-de || die "strict: t-de could not read"

# A level pinning DE: [none] wins over the GNOME session.
out=$(aalevelctl show headless) || die "show headless failed"
echo "$out"
assert_contains "$out" "DE = none (from level headless)"
assert_contains "$out" "LEVEL = 1 (from level strict)"
aalevelctl show headless --json | grep -q '"state":\[.*{"name":"DE","values":\["none"\],"source":"level headless"}' ||
	die "show --json has no pinned DE: $(aalevelctl show headless --json)"
aalevelctl set headless || die "set headless failed"
wait_idle 300
grep -q '^@{DE} := none$' "$state_file" || die "headless: no @{DE} := none in $state_file"
if can_read t-de /etc/aalevel-state-de; then die "headless: t-de could read with DE pinned to none"; fi
aalevelctl status --json | grep -q '"runtime_state":\[.*"name":"DE","values":\["none"\],"source":"level headless"' ||
	die "status --json: $(aalevelctl status --json)"

# A check of another level leaves the file at the level in the kernel.
aalevelctl check default >/dev/null || die "check default failed"
grep -q '^@{LEVEL} := 1$' "$state_file" || die "after check default: $(cat "$state_file")"
grep -q '^@{DE} := none$' "$state_file" || die "after check default: $(cat "$state_file")"
stop_daemon
rm -rf /usr/share/wayland-sessions
