#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Passes, but leaves a process in a session of its own that holds the
# output: the VM must not wait for it forever.
# shellcheck source=SCRIPTDIR/../lib.sh
. /tests/lib.sh
# shellcheck disable=SC2016 # expanded by the escapee's shell
setsid sh -c ': >"$1"; exec sleep 100000' escapee "$TMPDIR/escaped" &
wait_for 5 test -e "$TMPDIR/escaped" || die "the escapee did not start"
echo "left a process behind"
