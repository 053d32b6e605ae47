# SPDX-License-Identifier: GPL-2.0-or-later
# The pam-auth-update profile that puts pam_apparmor (Debian's package
# libpam-apparmor) into the interactive session stack, for the confined
# users of the level extreme: `pam-auth-update --enable aalevel`.
#
# "optional": pam_apparmor fails for every user without a hat (a user not
# in users.roles, or a level without users, or a login program that runs
# unconfined) and the login goes on. "order=user": the hat is the user
# name, which is what aalevel writes (daemon/users.c). "Default: no":
# nothing changes in PAM when aalevel is installed; only machines meant for
# the level extreme enable it (otherwise pam_apparmor logs an error for
# every session of every user). Priority 0 and the name sort it after the
# other session modules (pam-auth-update orders by priority, then by name
# in reverse): the login program changes hat only after the rest of the
# session is set up. Interactive sessions only: cron jobs and systemd
# --user (common-session-noninteractive) are not users' logins.
pamconfigsdir = $(datadir)/pam-configs
dist_pamconfigs_DATA = pam/aalevel
