/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checks and diffs: anyone may ask for them, and each compiles. They wait
 * in the manager, a few at a time and a couple per user, and go to the
 * runner one at a time when it has nothing else to do, root's first. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "manager-internal.h"
#include "util.h"

static unsigned reads_of_uid(const Manager *m, uid_t uid) {
        unsigned n = 0;

        for (unsigned i = 0; i < m->queued_reads; i++)
                n += m->read_uids[i] == uid;
        return n;
}

/* The next check or diff to the runner, when it has nothing else to do:
 * root's first, then in the order asked. True when one went. */
bool manager_submit_next_read(Manager *m) {
        size_t pick = 0;
        Job *j;

        if (m->n_waiting_reads == 0 || manager_jobs_busy(m))
                return false;
        for (size_t i = 0; i < m->n_waiting_reads; i++)
                if (((Request *) m->waiting_reads[i]->userdata)->uid == 0) {
                        pick = i;
                        break;
                }
        j = m->waiting_reads[pick];
        memmove(m->waiting_reads + pick, m->waiting_reads + pick + 1,
                sizeof(Job *) * (m->n_waiting_reads - pick - 1));
        m->n_waiting_reads--;
        (void) manager_submit(m, j, TAKE_PTR(j->userdata));
        return true;
}

/* Check and Diff: the result goes to the caller. A diff of a level that
 * cannot be applied is an error; a check reports the failures. */
void manager_finish_read(Manager *m, Job *j, Request *req) {
        const EngineResult *res = j->result;

        assert(m->queued_reads > 0);
        for (unsigned i = 0; i < m->queued_reads; i++)
                if (m->read_uids[i] == req->uid) {
                        m->read_uids[i] = m->read_uids[--m->queued_reads];
                        break;
                }
        if (j->r < 0 || !res) {
                const char *why = j->error ? j->error : strerror(-j->r);
                log_warning("%s of level %s failed: %s", req->kind == REQUEST_DIFF ? "Diff" : "Check",
                            strna(j->level), why);
                request_complete(req, REQUEST_ERROR_FAILED, why, NULL);
        } else if (req->kind == REQUEST_DIFF && !res->ok)
                request_complete(req, REQUEST_ERROR_FAILED, res->error, res);
        else
                request_complete(req, REQUEST_OK, NULL, res);
}

int manager_check(Manager *m, const char *level, bool diff, Request *req_in) {
        _cleanup_(request_freep) Request *req = req_in;
        Job *j;

        assert(m);
        assert(level);
        assert(req && req->kind == (diff ? REQUEST_DIFF : REQUEST_CHECK));

        if (!manager_find_level(m, level))
                return REQUEST_ERROR_NO_SUCH_LEVEL;
        /* Anyone may ask for a check or a diff, and each compiles: a
         * few at a time, a couple per user, or anyone could keep the
         * machine busy. */
        if (m->queued_reads >= MANAGER_READS_MAX ||
            (req->uid != 0 && reads_of_uid(m, req->uid) >= MANAGER_READS_PER_USER))
                return REQUEST_ERROR_BUSY;
        j = job_new(diff ? JOB_DIFF : JOB_CHECK, level);
        if (!j)
                return -ENOMEM;
        j->userdata = TAKE_PTR(req);
        j->userdata_free = manager_request_free_void;
        m->read_uids[m->queued_reads++] = ((Request *) j->userdata)->uid;
        m->waiting_reads[m->n_waiting_reads++] = j;
        (void) manager_submit_next_read(m);
        return 0;
}
