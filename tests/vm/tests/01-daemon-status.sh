#!/bin/sh
# The daemon starts in the VM against the real kernel, and `aalevelctl
# status` answers, as text and as JSON.
# shellcheck source=SCRIPTDIR/../lib.sh
. /tests/lib.sh

[ -e "$AALEVEL_BIN" ] || skip "$AALEVEL_BIN is not in the image (run with --destdir)"

# shellcheck disable=SC2034 # read by the lib.sh functions
AALEVEL_CONF=$TMPDIR/aalevel.conf
write_daemon_config
start_daemon

out=$(aalevelctl status) || die "aalevelctl status failed ($?): $out"
echo "$out"
json=$(aalevelctl status --json) || die "aalevelctl status --json failed ($?): $json"
echo "$json"
assert_contains "$json" '"level"' "aalevelctl status --json"

stop_daemon
