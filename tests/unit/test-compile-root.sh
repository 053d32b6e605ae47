#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# aalevel compile --root: a profile that fails in the image is recorded
# (the cache's failure entry, which the image's daemon reports in its
# status and journal) and reported with the image's path, /etc/apparmor.d/x,
# never the build host's ROOT/etc/apparmor.d/x; so are the compile durations. Needs apparmor_parser and
# a kernel features file (skipped without them).
set -u

build=${AALEVEL_BUILDDIR:-$PWD}
aalevel=$build/aalevel
parser=$(command -v apparmor_parser || echo /usr/sbin/apparmor_parser)
# The Debian 6.1 kernel's features, kept in the tree (distcheck has them too).
features=${srcdir:-$(dirname "$0")/../..}/tests/data/engine/kernel.features
if [[ -f $features ]]; then features=$(cd "$(dirname "$features")" && pwd)/kernel.features; else features=; fi
[[ -x $aalevel ]] || { echo "missing $aalevel (run from the build directory)"; exit 99; }
[[ -x $parser && -n $features ]] || { echo "SKIP: no apparmor_parser or features file"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/image
mkdir -p "$root/etc/apparmor.d" "$root/etc/aalevel" "$root/usr/share/aalevel/levels"
printf 'description: every profile\n' >"$root/usr/share/aalevel/levels/default.yaml"
# The directories named, not the build's configured ones (distcheck
# installs under another prefix).
printf '[daemon]\nparser = %s\nlevels_dir = /etc/aalevel/levels\nvendor_levels_dir = /usr/share/aalevel/levels\npolicy_dir = /etc/apparmor.d\ninclude_path = /etc/apparmor.d\ncache_dir = /var/cache/aalevel\nstate_dir = /var/lib/aalevel\n' "$parser" >"$root/etc/aalevel/aalevel.conf"
printf 'profile good /usr/bin/good {\n  /etc/good r,\n}\n' >"$root/etc/apparmor.d/good"
printf 'profile atd /usr/sbin/atd {\n  /etc/atd r,\n  this is not a rule\n}\n' >"$root/etc/apparmor.d/atd"

fail=0
for run in cold cached; do
    timeout 120 "$aalevel" compile --config /etc/aalevel/aalevel.conf --root "$root" --features "$features" \
        --level default --output "$tmp/out" >"$tmp/log" 2>&1
    echo "$run run: exit $?"
    cat "$tmp/log"
    grep -q "failed: /etc/apparmor.d/atd:3: " "$tmp/log" || { echo "FAIL ($run): the failure does not name /etc/apparmor.d/atd:3"; fail=1; }
    grep -q "$root/etc/apparmor.d/atd:" "$tmp/log" && { echo "FAIL ($run): the failure names the host's path"; fail=1; }
done
failed=$(find "$root/var/cache/aalevel" -name '*.failed')
[[ -n $failed ]] || { echo "FAIL: no failure recorded in the image's cache"; fail=1; }
for f in $failed; do
    grep -q '/etc/apparmor.d/atd' "$f" || { echo "FAIL: $f does not name /etc/apparmor.d/atd"; fail=1; }
    grep -F -q "$root" "$f" && { echo "FAIL: $f names the host's root:"; cat "$f"; fail=1; }
done
# The compile durations (a scheduling hint for the image's daemon) too.
durations=$root/var/cache/aalevel/durations
grep -q $'\t/etc/apparmor.d/atd$' "$durations" || { echo "FAIL: $durations lacks /etc/apparmor.d/atd"; fail=1; }
grep -F -q "$root" "$durations" && { echo "FAIL: $durations names the host's root:"; cat "$durations"; fail=1; }
exit $fail
