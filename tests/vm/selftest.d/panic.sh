#!/bin/sh
# Crashes the kernel.
echo "crashing the kernel"
echo c >/proc/sysrq-trigger
sleep 10
