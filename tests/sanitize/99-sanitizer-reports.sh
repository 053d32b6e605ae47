#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The last VM test of tests/sanitize/run: no sanitized aalevel program
# (daemon or client, in any earlier test) wrote an ASan, LSan or UBSan
# report to /tmp/sanitizer.
. /tests/lib.sh

[ -d /tmp/sanitizer ] || skip "no sanitized program ran (not a tests/sanitize/run image?)"
found=0
for f in /tmp/sanitizer/*; do
	[ -e "$f" ] || continue
	found=$((found + 1))
	echo "=== $f"
	cat "$f"
done
[ "$found" -eq 0 ] || die "$found sanitizer report(s)"
echo "no sanitizer reports"
