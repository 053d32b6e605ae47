/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz: needs varlink (built only with libsystemd 257 or later).
 *
 * Varlink method calls from untrusted peers, through the daemon's own
 * Varlink object (daemon/varlink.c: the IDL checks of sd-varlink, the
 * handlers' parameter dispatch, the requests of daemon/request.c and the
 * access check of daemon/access.c) and its own Manager, without a kernel,
 * a worker thread or a compiler: the same harness as fuzz-bus.c (whose
 * job runner and daemon files this copies), with Varlink messages on the
 * socketpair instead of D-Bus ones.
 *
 * Input: byte 0 as in fuzz-bus.c (who calls, the level in the kernel, a
 * pending confirmation, how jobs end, the state); then messages, each
 *   byte  method (low 4 bits: the table below, or a name from the input);
 *         bit 4: more; bit 5: oneway; bit 6: raw parameters; bit 7: no
 *         parameters member at all
 *   then the parameters: raw bytes (a length byte, then the bytes: any
 *   JSON, or none), or up to 4 fields, each a byte choosing its name
 *   (low 3 bits) and the type of its value (high bits: string from the
 *   input, huge string, integer from 8 bytes, negative, float, bool, null,
 *   array, object), then the value's bytes.
 * Every message ends with the NUL that Varlink frames with.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "bus.h"
#include "varlink.h"
#include "fileio.h"
#include "level.h"
#include "log.h"
#include "manager.h"
#include "strv.h"
#include "util.h"

#define MAX_MESSAGES 16
/* Beyond the IDL's expectations, below sd-varlink's 16 MiB. */
#define MAX_STRING (128 * 1024)

#define FUZZ_MANAGER_TMPL "/tmp/fuzz-varlink.XXXXXX"
#include "fuzz-manager.h"

/* ---- writing Varlink messages ---- */

typedef struct Buf {
        char *data;
        size_t n, allocated;
} Buf;

static void put(Buf *b, const void *p, size_t n) {
        if (b->n + n + 1 > b->allocated) {
                size_t a = MAX(b->allocated * 2, b->n + n + 1024);
                char *d = realloc(b->data, a);
                if (!d)
                        abort();
                b->data = d;
                b->allocated = a;
        }
        memcpy(b->data + b->n, p, n);
        b->n += n;
}

static void put_str(Buf *b, const char *s) {
        put(b, s, strlen(s));
}

/* A JSON string of n bytes (escaped as JSON needs, any byte). */
static void put_json_string(Buf *b, const uint8_t *s, size_t n) {
        put_str(b, "\"");
        for (size_t i = 0; i < n; i++) {
                char e[8];
                if (s[i] == '"' || s[i] == '\\' || s[i] < 0x20) {
                        snprintf(e, sizeof e, "\\u%04x", s[i]);
                        put_str(b, e);
                } else
                        put(b, &s[i], 1);
        }
        put_str(b, "\"");
}

typedef struct Input {
        const uint8_t *p, *end;
} Input;

static uint8_t take_u8(Input *in) {
        return in->p < in->end ? *in->p++ : 0;
}

static size_t take_bytes(Input *in, size_t n, const uint8_t **ret) {
        n = MIN(n, (size_t) (in->end - in->p));
        *ret = in->p;
        in->p += n;
        return n;
}

static const char * const methods[] = {
        "GetStatus", "SetLevel", "Confirm", "Reload", "ListLevels", "ListProfiles", "Diff", "Check",
        "NoSuchMethod",
};

static const char * const fields[] = {
        "level", "confirmSeconds", "noBlock", "allowInteractiveAuthentication", "x", "", "level", "more",
};

static void put_value(Buf *b, Input *in, unsigned type) {
        const uint8_t *s;
        size_t n;
        char num[64];
        uint64_t u = 0;

        switch (type) {
        case 0: /* a string from the input */
                n = take_bytes(in, take_u8(in), &s);
                put_json_string(b, s, n);
                break;
        case 1: { /* oversized */
                size_t len = MAX_STRING / 256 * (take_u8(in) + 1u);
                put_str(b, "\"");
                for (size_t i = 0; i < len; i++)
                        put_str(b, "a");
                put_str(b, "\"");
                break;
        }
        case 2:
                n = take_bytes(in, 8, &s);
                memcpy(&u, s, n);
                snprintf(num, sizeof num, "%" PRIu64, u);
                put_str(b, num);
                break;
        case 3:
                snprintf(num, sizeof num, "-%u", take_u8(in));
                put_str(b, num);
                break;
        case 4:
                put_str(b, take_u8(in) & 1 ? "1.5e300" : "0.5");
                break;
        case 5:
                put_str(b, take_u8(in) & 1 ? "true" : "false");
                break;
        case 6:
                put_str(b, "null");
                break;
        case 7:
                put_str(b, "[\"strict\",1]");
                break;
        default:
                put_str(b, "{\"level\":\"strict\"}");
                break;
        }
}

static void append_message(Buf *out, Input *in) {
        uint8_t sel = take_u8(in);
        const char *method = methods[(sel & 0x0f) % ELEMENTSOF(methods)];

        put_str(out, "{\"method\":");
        if ((sel & 0x0f) >= ELEMENTSOF(methods)) {
                /* A name from the input. */
                const uint8_t *s;
                size_t n = take_bytes(in, take_u8(in) % 64, &s);
                put_json_string(out, s, n);
        } else {
                put_str(out, "\"org.aalevel.Manager.");
                put_str(out, method);
                put_str(out, "\"");
        }
        if (sel & 0x10)
                put_str(out, ",\"more\":true");
        if (sel & 0x20)
                put_str(out, ",\"oneway\":true");
        if (!(sel & 0x80)) {
                put_str(out, ",\"parameters\":");
                if (sel & 0x40) {
                        const uint8_t *s;
                        size_t n = take_bytes(in, take_u8(in), &s);
                        /* Raw: any bytes but the NUL that ends a message. */
                        for (size_t i = 0; i < n; i++)
                                put(out, s[i] ? (const char *) &s[i] : " ", 1);
                        if (n == 0)
                                put_str(out, "{}");
                } else {
                        uint8_t nf = take_u8(in) % 5;
                        put_str(out, "{");
                        for (uint8_t i = 0; i < nf; i++) {
                                uint8_t f = take_u8(in);
                                if (i > 0)
                                        put_str(out, ",");
                                put_str(out, "\"");
                                put_str(out, fields[f & 7]);
                                put_str(out, "\":");
                                put_value(out, in, (f >> 3) % 9);
                        }
                        put_str(out, "}");
                }
        }
        put_str(out, "}");
        put(out, "", 1);
}

/* ---- one run ---- */

static void drain(int fd) {
        static int debug = -1;
        char buf[65536];
        ssize_t n;

        if (debug < 0)
                debug = getenv("FUZZ_VARLINK_DEBUG") != NULL;
        while ((n = read(fd, buf, sizeof buf)) > 0)
                if (debug)
                        for (ssize_t i = 0; i < n; i++)
                                fputc(buf[i] ? buf[i] : '\n', stderr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static Buf out;
        static const char * const labels[] = { "unconfined", "some_confined_app", "allowed_label", NULL };
        _cleanup_(manager_freep) Manager *m = NULL;
        _cleanup_(varlink_freep) Varlink *v = NULL;
        _cleanup_close_ int client = -1;
        Input in = { data, data + size };
        Caller peer;
        size_t written = 0;
        int fds[2];

        if (size > FUZZ_INPUT_MAX)
                return 0;
        if (!dir)
                setup();

        mode = take_u8(&in);
        if (manager_new(config_file, &m) < 0 || varlink_new(m, NULL, &v) < 0)
                abort();
        manager_set_job_runner(m, &(const JobRunner) { runner_submit, runner_busy, NULL });
        fill_status(m);
        if (mode & 0x10)
                pend_confirmation(m);

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0)
                abort();
        client = fds[1];
        peer = (Caller) { .uid = (mode & 1) ? 1000 : 0, .pid = getpid(),
                          .label = labels[(mode >> 1) & 3] ? xstrdup(labels[(mode >> 1) & 3]) : NULL };
        if (varlink_add_connection(v, fds[0], &peer) < 0)
                abort();

        out.n = 0;
        for (unsigned i = 0; i < MAX_MESSAGES && in.p < in.end; i++)
                append_message(&out, &in);

        /* Written as the server reads (the socket buffer is smaller than
         * an oversized message), every job answered, the replies read
         * away so that the server never waits on a full socket. */
        for (unsigned rounds = 0; rounds < 100000; rounds++) {
                ssize_t w = 0;
                int r;
                if (written < out.n) {
                        w = write(client, out.data + written, out.n - written);
                        if (w > 0)
                                written += (size_t) w;
                }
                r = sd_event_run(m->event, 0);
                FUZZ_ASSERT(r >= 0);
                drain(client);
                if (r == 0 && n_queued == 0 && written >= out.n)
                        break;
                finish_jobs(m);
        }
        finish_jobs(m);
        drain(client);
        return 0;
}
