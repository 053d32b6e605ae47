#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Never finishes; a child keeps the output open too. The per-test timeout
# (or the VM timeout) must end it.
sleep 100000 &
echo "hanging"
while :; do sleep 1; done
