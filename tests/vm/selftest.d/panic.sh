#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Crashes the kernel.
echo "crashing the kernel"
echo c >/proc/sysrq-trigger
sleep 10
