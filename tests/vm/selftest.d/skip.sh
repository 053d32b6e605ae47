#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck source=SCRIPTDIR/../lib.sh
. /tests/lib.sh
skip "nothing to do here"
