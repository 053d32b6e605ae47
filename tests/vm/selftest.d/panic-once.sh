#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Crashes the kernel in the first boot only (run resumes in a second one,
# from this test: aalevel_test_from= names it), then passes.
case " $(cat /proc/cmdline) " in
*" aalevel_test_from=1 "*)
	echo "crashing the kernel once"
	echo c >/proc/sysrq-trigger
	sleep 10
	;;
esac
echo "running again after the panic"
