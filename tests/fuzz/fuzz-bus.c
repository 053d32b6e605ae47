/* SPDX-License-Identifier: GPL-2.0-or-later */
/* D-Bus method calls from untrusted peers, through the daemon's own
 * Bus (daemon/bus.c: the vtable, the request replies, the access check
 * of daemon/access.c) and its own Manager (daemon/manager.c), without a
 * kernel, a worker thread or a compiler.
 *
 * Each input becomes raw D-Bus traffic on a socketpair whose other end
 * the Bus serves as a connection of its private socket
 * (bus_add_connection()): the bytes are framed as method calls (header
 * written here; member, signature, flags and body from the input), so
 * that sd-bus's own checks and every handler's argument reading and
 * validation (level names, flags, confirm seconds, GetLevel/Diff/Check
 * arguments, properties, the access decision for uid 0, other users and
 * confined labels) see hostile input. The Manager is the real one, made
 * from a configuration and level files written here; its jobs go to the
 * JobRunner below instead of the worker thread, which answers each with
 * a made-up result through manager_job_done(), the way the worker's
 * results come back: the manager's bookkeeping and the bus's replies and
 * signals run as in the daemon. Nothing is linked twice.
 *
 * Input: byte 0 picks who calls (bit 0: uid 0 or not; bits 1-2: label
 * unconfined, confined, allowed to lower, or unknown), the level in the
 * kernel (bit 3: strict, else none), a level waiting for confirmation
 * (bit 4), how jobs end (bit 6: refused, bit 7: failed) and the state
 * (bit 5: idle, else starting); then messages, each
 *   byte  method (low 5 bits; above the table: a member from the input)
 *         and mode (bit 7: structured body, else raw bytes)
 *   byte  signature: the method's own, one of a list, or from the input
 *   byte  header flags (bit 0: no reply expected; bit 7: another path)
 *   u16   body length, then the body: raw bytes, or for a structured body
 *         one value per complete type of the signature (strings: a length
 *         byte, then the bytes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "bus.h"
#include "dbus-api.h"
#include "fileio.h"
#include "level.h"
#include "log.h"
#include "manager.h"
#include "strv.h"
#include "util.h"

#define MAX_MESSAGES 16
#define MAX_BODY 4096

#define FUZZ_MANAGER_TMPL "/tmp/fuzz-bus.XXXXXX"
#include "fuzz-manager.h"

/* ---- writing D-Bus messages by hand ---- */

typedef struct Buf {
        uint8_t data[MAX_BODY * 2 + 1024];
        size_t n;
        bool overflow;
} Buf;

static void put(Buf *b, const void *p, size_t n) {
        if (b->overflow || n > sizeof b->data - b->n) {
                b->overflow = true;
                return;
        }
        memcpy(b->data + b->n, p, n);
        b->n += n;
}

static void put_u8(Buf *b, uint8_t v) {
        put(b, &v, 1);
}

static void align(Buf *b, size_t a) {
        while (!b->overflow && b->n % a != 0)
                put_u8(b, 0);
}

static void put_u32(Buf *b, uint32_t v) {
        uint8_t x[4] = { (uint8_t) v, (uint8_t) (v >> 8), (uint8_t) (v >> 16), (uint8_t) (v >> 24) };
        align(b, 4);
        put(b, x, 4);
}

static void put_string(Buf *b, const char *s, size_t n) {
        put_u32(b, (uint32_t) n);
        put(b, s, n);
        put_u8(b, 0);
}

static void put_signature(Buf *b, const char *s, size_t n) {
        put_u8(b, (uint8_t) n);
        put(b, s, n);
        put_u8(b, 0);
}

/* One header field: (BYTE code, VARIANT value), 8-aligned. */
static void put_field(Buf *b, uint8_t code, char type, const char *s, size_t n) {
        align(b, 8);
        put_u8(b, code);
        put_signature(b, &type, 1);
        if (type == 'g')
                put_signature(b, s, n);
        else
                put_string(b, s, n);
}

typedef struct Input {
        const uint8_t *p, *end;
} Input;

static bool take(Input *in, void *ret, size_t n) {
        if ((size_t) (in->end - in->p) < n) {
                memset(ret, 0, n);
                in->p = in->end;
                return false;
        }
        memcpy(ret, in->p, n);
        in->p += n;
        return true;
}

static uint8_t take_u8(Input *in) {
        uint8_t v = 0;
        (void) take(in, &v, 1);
        return v;
}

/* A body with one value per basic type of the signature, from the input;
 * false when the signature has a container (then the body is raw). */
static bool structured_body(Input *in, const char *sig, Buf *body) {
        for (const char *t = sig; *t; t++) {
                uint8_t tmp[8];
                switch (*t) {
                case 'y':
                        put_u8(body, take_u8(in));
                        break;
                case 'n':
                case 'q':
                        align(body, 2);
                        (void) take(in, tmp, 2);
                        put(body, tmp, 2);
                        break;
                case 'b':
                        put_u32(body, take_u8(in) & 1);
                        break;
                case 'i':
                case 'u':
                case 'h':
                        align(body, 4);
                        (void) take(in, tmp, 4);
                        put(body, tmp, 4);
                        break;
                case 'x':
                case 't':
                case 'd':
                        align(body, 8);
                        (void) take(in, tmp, 8);
                        put(body, tmp, 8);
                        break;
                case 's':
                case 'o':
                case 'g': {
                        uint8_t n = take_u8(in);
                        char s[256];
                        size_t got = MIN((size_t) n, (size_t) (in->end - in->p));
                        (void) take(in, s, got);
                        if (*t == 'g')
                                put_signature(body, s, got);
                        else
                                put_string(body, s, got);
                        break;
                }
                default:
                        return false;
                }
        }
        return true;
}

typedef struct Method {
        const char *interface;
        const char *member;
        const char *signature;
} Method;

static const Method methods[] = {
        { AALEVEL_INTERFACE, "SetLevel", "sut" },
        { AALEVEL_INTERFACE, "Confirm", "" },
        { AALEVEL_INTERFACE, "Reload", "t" },
        { AALEVEL_INTERFACE, "ListLevels", "" },
        { AALEVEL_INTERFACE, "GetLevel", "s" },
        { AALEVEL_INTERFACE, "ListProfiles", "" },
        { AALEVEL_INTERFACE, "Diff", "s" },
        { AALEVEL_INTERFACE, "Check", "s" },
        { "org.freedesktop.DBus.Properties", "Get", "ss" },
        { "org.freedesktop.DBus.Properties", "GetAll", "s" },
        { "org.freedesktop.DBus.Properties", "Set", "ssv" },
        { "org.freedesktop.DBus.Introspectable", "Introspect", "" },
        { "org.freedesktop.DBus.Peer", "Ping", "" },
        { NULL, "SetLevel", "sut" },    /* no interface: sd-bus looks the member up */
        { AALEVEL_INTERFACE, "NoSuchMethod", "" },
};

static const char * const signatures[] = {
        "", "s", "t", "u", "sut", "ss", "ssv", "sus", "suu", "sutt", "st", "b", "o", "g", "as", "a{sv}", "(s)", "v",
};

static void append_message(Buf *out, Input *in, uint32_t serial) {
        static Buf body;
        Buf header = {};
        uint8_t sel = take_u8(in), sigsel = take_u8(in), flags = take_u8(in);
        uint16_t body_len = 0;
        const Method *m;
        char member[64], sig[64];
        size_t member_len, sig_len;
        const char *interface;

        body.n = 0;
        body.overflow = false;
        (void) take(in, &body_len, sizeof body_len);
        body_len %= MAX_BODY;

        if ((sel & 0x1f) < ELEMENTSOF(methods)) {
                m = &methods[sel & 0x1f];
                member_len = strlen(m->member);
                memcpy(member, m->member, member_len);
                interface = m->interface;
        } else {
                /* A member name from the input (sd-bus checks its syntax). */
                member_len = MIN((size_t) take_u8(in) % sizeof member, (size_t) (in->end - in->p));
                (void) take(in, member, member_len);
                m = &methods[0];
                interface = AALEVEL_INTERFACE;
        }

        if (sigsel < 0x80)
                snprintf(sig, sizeof sig, "%s", m->signature);
        else if (sigsel < 0x80 + ELEMENTSOF(signatures))
                snprintf(sig, sizeof sig, "%s", signatures[sigsel - 0x80]);
        else {
                size_t n = MIN((size_t) (sigsel & 0x1f), (size_t) (in->end - in->p));
                (void) take(in, sig, n);
                sig[n] = '\0';
        }
        sig_len = strnlen(sig, sizeof sig - 1);

        if (!(sel & 0x80) || !structured_body(in, sig, &body)) {
                size_t n = MIN((size_t) body_len, (size_t) (in->end - in->p));
                body.n = 0;
                body.overflow = false;
                put(&body, in->p, n);
                in->p += n;
        }
        if (body.overflow)
                body.n = 0;

        /* The fixed header, then the fields. */
        put_u8(&header, 'l');
        put_u8(&header, 1); /* METHOD_CALL */
        put_u8(&header, flags & 0x7);
        put_u8(&header, 1);
        put_u32(&header, (uint32_t) body.n);
        put_u32(&header, serial);
        put_u32(&header, 0); /* fields length, patched below */
        {
                size_t start = header.n;
                uint32_t len;

                put_field(&header, 1, 'o', (flags & 0x80) ? "/org/other" : AALEVEL_OBJECT_PATH,
                          strlen((flags & 0x80) ? "/org/other" : AALEVEL_OBJECT_PATH));
                if (interface)
                        put_field(&header, 2, 's', interface, strlen(interface));
                put_field(&header, 3, 's', member, member_len);
                if (sig_len > 0)
                        put_field(&header, 8, 'g', sig, sig_len);
                len = (uint32_t) (header.n - start);
                memcpy(header.data + 12, &len, 4);
        }
        align(&header, 8);
        put(out, header.data, header.n);
        put(out, body.data, body.n);
}

/* ---- one run ---- */

/* FUZZ_BUS_DEBUG=1 shows what the server answered (printable bytes). */
static void drain(int fd) {
        static int debug = -1;
        uint8_t buf[65536];
        ssize_t n;

        if (debug < 0)
                debug = getenv("FUZZ_BUS_DEBUG") != NULL;
        while ((n = read(fd, buf, sizeof buf)) > 0)
                if (debug) {
                        for (ssize_t i = 0; i < n; i++)
                                fputc(buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '.', stderr);
                        fputc('\n', stderr);
                }
}

/* Authentication, as any sd-bus or libdbus client sends it. */
static void put_auth(Buf *out) {
        char auth[64], uid[16];
        size_t n = 0;

        snprintf(uid, sizeof uid, "%u", (unsigned) geteuid());
        n += (size_t) snprintf(auth, sizeof auth, "%cAUTH EXTERNAL ", 0);
        for (const char *c = uid; *c; c++)
                n += (size_t) snprintf(auth + n, sizeof auth - n, "%02x", (unsigned char) *c);
        n += (size_t) snprintf(auth + n, sizeof auth - n, "\r\nBEGIN\r\n");
        put(out, auth, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static Buf out;
        static const char * const labels[] = { "unconfined", "some_confined_app", "allowed_label", NULL };
        _cleanup_(manager_freep) Manager *m = NULL;
        _cleanup_(bus_freep) Bus *bus = NULL;
        _cleanup_close_ int client = -1;
        Input in = { data, data + size };
        Caller peer;
        int fds[2];

        if (size > FUZZ_INPUT_MAX)
                return 0;
        if (!dir)
                setup();

        mode = take_u8(&in);
        if (manager_new(config_file, &m) < 0 || bus_new(m, &bus) < 0)
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
        if (bus_add_connection(bus, fds[0], &peer) < 0)
                abort();

        out.n = 0;
        out.overflow = false;
        put_auth(&out);
        for (uint32_t serial = 1; serial <= MAX_MESSAGES && in.p < in.end; serial++) {
                size_t before = out.n;
                append_message(&out, &in, serial);
                if (out.overflow) {
                        out.n = before;
                        out.overflow = false;
                        break;
                }
        }
        if (loop_write(client, out.data, out.n) < 0)
                abort();

        /* Everything written is read and dispatched, and every job
         * answered; replies are read away so that the server never waits
         * on a full socket. */
        for (unsigned rounds = 0; rounds < 1000; rounds++) {
                int r = sd_event_run(m->event, 0);
                FUZZ_ASSERT(r >= 0);
                drain(client);
                if (r == 0 && n_queued == 0)
                        break;
                finish_jobs(m);
        }
        finish_jobs(m);
        drain(client);
        return 0;
}
