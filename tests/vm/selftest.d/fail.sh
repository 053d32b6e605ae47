#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fails through assert_eq; its message must reach the host.
# shellcheck source=SCRIPTDIR/../lib.sh
. /tests/lib.sh
echo "about to fail"
assert_eq one two "the selftest value"
echo "not reached"
