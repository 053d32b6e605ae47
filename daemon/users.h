/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Confined users (the level extreme): the policy that puts the users of a
 * level's users.roles into their role profile when they log in.
 *
 * pam_apparmor (order=user) changes the login program's profile to the hat
 * named after the user who logs in. aalevel writes, for each login program
 * (login, su, sshd), a profile attached to it by path that has one hat per
 * configured user; the hat's exec rule starts the session stacked with the
 * role, "Px -> ROLE//&unconfined" (or "ROLE//&:NAMESPACE://unconfined"
 * with users.namespace), so that the role stays and application profiles
 * attach on top of it. Users without a hat stay in the login program's own
 * profile, which is permissive, as the profile systemd of the level fsp.
 *
 * The role profiles themselves are profile files of the level's own
 * directories (profiles.directories), one file per role named after it, as
 * /usr/share/aalevel/profiles/extreme/confined_user. */
#pragma once

#include "level.h"

/* The files users_write_policy() writes, NULL-terminated: one per login
 * program, each holding the profile of the same name. */
extern const char * const users_policy_files[];

/* Writes the profiles above into dir (created), for the users of the
 * level; a file whose content is already right is left alone, and every
 * other file in dir (but dot files and subdirectories) is removed. With no
 * users, dir is emptied. Names are checked again here (the level parser
 * checked them): nothing but a known character set ever reaches the
 * policy text.
 *
 * Returns 0, -ENOMEM, or another negative errno with *ret_error saying
 * why: -EINVAL for a bad name, a user given twice, or a role that no file
 * of the level's directories defines; the errno of a failed write. */
int users_write_policy(const ResolvedLevel *level, const char *dir, char **ret_error);

/* The exec target of a configured user's hat: "ROLE//&unconfined", or
 * "ROLE//&:NAMESPACE://unconfined". NULL on -ENOMEM. */
char *users_session_label(const char *role, const char *namespace);

bool users_user_name_is_valid(const char *name);
bool users_role_name_is_valid(const char *name);
