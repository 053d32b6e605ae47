/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Journal or stderr logging. */
#include "log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <systemd/sd-journal.h>

#include "strv.h"

static int max_level = LOG_INFO;
static const char *ident = "aalevel";
static int use_journal = -1;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_set_ident(const char *i) {
        ident = i;
}

void log_force_stderr(bool b) {
        use_journal = b ? 0 : -1;
}

/* systemd sets JOURNAL_STREAM=dev:ino when stderr is a journal stream;
 * only then are structured fields worth sending. */
static bool journal_wanted(void) {
        const char *e;
        unsigned long long dev, ino;
        struct stat st;

        if (use_journal >= 0)
                return use_journal;
        use_journal = 0;
        e = getenv("JOURNAL_STREAM");
        if (e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) >= 0 &&
            (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino)
                use_journal = 1;
        return use_journal;
}

static void write_stderr(int level, const char *message) {
        static int with_time = -1;
        static const char * const prefix[] = {
                [LOG_EMERG] = "emergency: ", [LOG_ALERT] = "alert: ", [LOG_CRIT] = "critical: ",
                [LOG_ERR] = "error: ", [LOG_WARNING] = "warning: ", [LOG_NOTICE] = "",
                [LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
        };
        /* AALEVEL_LOG_TIME=1: monotonic timestamps, to see where time goes. */
        if (with_time < 0)
                with_time = getenv("AALEVEL_LOG_TIME") != NULL;
        if (with_time) {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                fprintf(stderr, "[%5ld.%06ld] ", (long) ts.tv_sec, ts.tv_nsec / 1000);
        }
        fprintf(stderr, "%s: %s%s\n", ident, prefix[level & LOG_PRIMASK], message);
}

static int log_dispatch(int level, int error, const char *message_id, char * const *fields,
                        const char *file, int line, const char *func, const char *message) {
        if (journal_wanted()) {
                size_t n = strv_length(fields), k = 0;
                struct iovec iov[n + 8];
                char prio[32], codeline[32], msgid[64], err[32];
                _cleanup_free_ char *m = NULL, *codefile = NULL, *codefunc = NULL;

                m = malloc(strlen(message) + sizeof("MESSAGE="));
                if (!m)
                        return -ENOMEM;
                stpcpy(stpcpy(m, "MESSAGE="), message);
                iov[k++] = (struct iovec) { m, strlen(m) };
                snprintf(prio, sizeof prio, "PRIORITY=%d", level & LOG_PRIMASK);
                iov[k++] = (struct iovec) { prio, strlen(prio) };
                if (message_id) {
                        snprintf(msgid, sizeof msgid, "MESSAGE_ID=%s", message_id);
                        iov[k++] = (struct iovec) { msgid, strlen(msgid) };
                }
                if (error != 0) {
                        snprintf(err, sizeof err, "ERRNO=%d", abs(error));
                        iov[k++] = (struct iovec) { err, strlen(err) };
                }
                if (asprintf(&codefile, "CODE_FILE=%s", file) >= 0)
                        iov[k++] = (struct iovec) { codefile, strlen(codefile) };
                snprintf(codeline, sizeof codeline, "CODE_LINE=%d", line);
                iov[k++] = (struct iovec) { codeline, strlen(codeline) };
                if (asprintf(&codefunc, "CODE_FUNC=%s", func) >= 0)
                        iov[k++] = (struct iovec) { codefunc, strlen(codefunc) };
                STRV_FOREACH(f, fields)
                        iov[k++] = (struct iovec) { *f, strlen(*f) };
                if (sd_journal_sendv(iov, (int) k) >= 0)
                        return 0;
        }
        write_stderr(level, message);
        return 0;
}

_printf_(8, 0)
static int log_formatv(int level, int error, const char *message_id, char * const *fields,
                       const char *file, int line, const char *func, const char *format, va_list ap) {
        _cleanup_free_ char *message = NULL;
        int saved = errno;

        if ((level & LOG_PRIMASK) > max_level)
                return -abs(error);
        /* %m in the format expands to the error passed in, not whatever
         * errno happens to hold. */
        errno = abs(error);
        if (vasprintf(&message, format, ap) < 0)
                message = NULL;
        errno = saved;
        if (message)
                log_dispatch(level, error, message_id, fields, file, line, func, message);
        return -abs(error);
}

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = log_formatv(level, error, NULL, NULL, file, line, func, format, ap);
        va_end(ap);
        return r;
}

int log_struct_internal(int level, int error, const char *message_id, char * const *fields,
                        const char *file, int line, const char *func, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = log_formatv(level, error, message_id, fields, file, line, func, format, ap);
        va_end(ap);
        return r;
}
