/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What manager.c shares with the manager's other files (manager-reads.c):
 * its job submission and the reads' part of finishing a job. Nothing
 * outside the manager includes it. */
#pragma once

#include "manager.h"

/* Hands job to the runner, req riding along (freed with the job). */
int manager_submit(Manager *m, Job *job, Request *req);
bool manager_jobs_busy(Manager *m);
void manager_request_free_void(void *r);

/* The next waiting check or diff to an idle runner; true when one went. */
bool manager_submit_next_read(Manager *m);
/* A check or diff is done: its result to the caller. */
void manager_finish_read(Manager *m, Job *j, Request *req);
