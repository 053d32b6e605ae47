#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A level with an application namespace (users.namespace, the extreme
# level's option): every profile of the policy directory is loaded in the
# root namespace and again in that namespace; switching back removes the
# namespaced copies and leaves the root ones.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-app '  /etc/hostname r,'
write_profile "$pd" t-app2 '  /etc/hostname r,' 'flags=(complain)'
test_config "$pd"
mkdir -p "$TMPDIR/levels"
printf 'inherits: default\nusers:\n  namespace: application\n' >"$TMPDIR/levels/withns.yaml"

aalevel load --level withns || die "load withns failed"
cat "$APPARMORFS/profiles"
assert_profile_loaded t-app
assert_profile_loaded :application:t-app
assert_profile_mode :application:t-app2 complain
rev=$(kernel_revision) || exit 1
aalevel load --level withns || die "second load failed"
aalevel load --level default || die "load default failed"
assert_profile_loaded t-app
assert_profile_absent :application:t-app
assert_profile_absent :application:t-app2
