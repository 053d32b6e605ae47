#!/bin/sh
# shellcheck source=SCRIPTDIR/../lib.sh
. /tests/lib.sh
skip "nothing to do here"
