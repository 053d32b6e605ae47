#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Profiles in policy namespaces: a file mixing namespaces, and a namespaced
# profile with a hat, each land in their own namespace (the kernel takes
# one namespace per write: aalevel writes their entries separately).
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
cat >"$pd/t-ns" <<'P'
abi <abi/3.0>,
profile t-root /usr/bin/t-root { /etc/hostname r, }
profile :aalevel_test:t-inner /usr/bin/t-inner {
  /etc/hostname r,
  ^t-hat { /etc/hosts r, }
}
P
test_config "$pd"
aalevel load --level default || die "load failed"
assert_profile_loaded t-root
ns=$APPARMORFS/policy/namespaces/aalevel_test
[ -d "$ns" ] || die "the namespace aalevel_test was not created"
ls "$ns/profiles/"
cat "$ns/profiles"/*/name
grep -qx 't-inner' "$ns/profiles"/*/name || die "t-inner is not in namespace aalevel_test"
# Hats live below their profile.
cat "$ns/profiles"/t-inner.*/profiles/*/name
grep -qx 't-hat' "$ns/profiles"/t-inner.*/profiles/*/name || die "t-inner//t-hat is not in namespace aalevel_test"
cat "$APPARMORFS/profiles"
assert_profile_absent t-inner
assert_profile_absent t-inner//t-hat

# Replacing it again works (and a reload with nothing changed writes nothing).
rev=$(kernel_revision) || exit 1
aalevel load --level default || die "second load failed"
assert_eq "$rev" "$(kernel_revision)" "revision after a no-op load"
aalevel load --level strict || die "strict failed"
grep -qx 't-inner' "$ns/profiles"/*/name || die "t-inner gone after strict"
