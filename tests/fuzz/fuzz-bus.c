/* D-Bus method calls from untrusted peers, through the daemon's own
 * handlers (bus_manager_vtable in daemon/bus.c) and its access check
 * (daemon/access.c), without a kernel and without the rest of the daemon.
 *
 * Each input becomes raw D-Bus traffic on a socketpair whose other end is
 * a peer-to-peer sd-bus server set up as bus.c sets up a connection on the
 * private socket: the bytes are framed as method calls (header written
 * here; member, signature, flags and body from the input), so that
 * sd-bus's own checks and every handler's argument reading and validation
 * (level names, flags, confirm seconds, GetLevel/Diff/Check arguments,
 * properties, the access decision for uid 0, other users and confined
 * labels) see hostile input. Requests and the counts the handlers read
 * are daemon/manager-view.c's own. The Manager is a plain struct filled
 * here; what the handlers hand on (manager_set_level, manager_confirm,
 * manager_reload, manager_check) is stubbed below and answers every
 * request the way the worker's results are answered, including
 * bus_reply_check() for Check and Diff. The target links with
 * --allow-multiple-definition, these stubs first: a manager function that
 * bus.c starts to call and that is not stubbed here still links (the real
 * one, from manager.o) instead of breaking the build; stub it here.
 *
 * Input: byte 0 picks who calls (uid 0 or not; label unconfined,
 * confined, allowed to lower, or unknown) and the manager's state; then
 * messages, each
 *   byte  method (low 5 bits; above the table: a member from the input)
 *         and mode (bit 7: structured body, else raw bytes)
 *   byte  signature: the method's own, one of a list, or from the input
 *   byte  header flags (bit 0: no reply expected)
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

static Manager manager;
static char *apparmorfs_dir;
static uint8_t stub_mode;       /* from the input: how the stubs answer */

/* ---- what the handlers call in manager.c, stubbed ---- */

static Request *pending[64];
static size_t n_pending;

/* Takes over req, as the real entry points do; answered in finish_pending. */
static int queue_request(Request *req) {
        if (n_pending >= ELEMENTSOF(pending)) {
                request_free(req);
                return -EBUSY;
        }
        pending[n_pending++] = req;
        return 0;
}

int manager_set_level(Manager *m, const char *level, Request *req) {
        FUZZ_ASSERT(level_name_is_valid(level) && level_set_find(m->levels, level));
        if (stub_mode & 0x10) {
                request_free(req);
                return -ENOMEM;
        }
        return queue_request(req);
}

int manager_confirm(Manager *m, Request *req) {
        if (!(stub_mode & 0x20)) {
                request_free(req);
                return -ENOENT;
        }
        return queue_request(req);
}

int manager_reload(Manager *m, Request *req) {
        return queue_request(req);
}

/* The level files did not change. */
void manager_reread_levels(Manager *m) {
}

int manager_check(Manager *m, const char *level, Request *req, bool diff) {
        FUZZ_ASSERT(level_name_is_valid(level) && level_set_find(m->levels, level));
        if (m->queued_reads >= 4) {
                request_free(req);
                return -EBUSY;
        }
        m->queued_reads++;
        return queue_request(req);
}

static void finish_pending(void) {
        for (size_t i = 0; i < n_pending; i++) {
                Request *req = pending[i];

                if (req->kind == REQUEST_CHECK || req->kind == REQUEST_DIFF) {
                        UnitFailure failure = { .file = (char *) "/etc/apparmor.d/t-one", .name = NULL,
                                                .error_file = (char *) "/etc/apparmor.d/local/t-one", .line = 2,
                                                .message = (char *) "syntax error" };
                        DiffEntry diff = { .name = (char *) "t-two", .change = (char *) "mode",
                                           .detail = (char *) "complain -> enforce",
                                           .file = (char *) "/etc/apparmor.d/t-two" };
                        EngineResult res = { .ok = !(stub_mode & 0x40), .error = (char *) "t-one failed",
                                             .n_units = 3, .n_failed = 1, .failures = &failure, .n_failures = 1,
                                             .diff = &diff, .n_diff = 1 };
                        Job job = { .type = req->kind == REQUEST_DIFF ? JOB_DIFF : JOB_CHECK,
                                    .r = (stub_mode & 0x80) ? -EIO : 0, .result = &res };
                        bus_reply_check(&manager, &job, req);
                        manager.queued_reads--;
                } else if (req->message) {
                        if (stub_mode & 0x40)
                                (void) sd_bus_reply_method_errorf(req->message, AALEVEL_ERROR_FAILED, "failed");
                        else
                                (void) sd_bus_reply_method_return(req->message, NULL);
                }
                request_free(req);
        }
        n_pending = 0;
}

/* ---- the daemon's state, once ---- */

static char **one(const char *s) {
        char **l = NULL;
        if (strv_extend(&l, s) < 0)
                abort();
        return l;
}

static const char * const level_texts[][2] = {
        { "default.yaml", "description: Profiles as declared\nmode: keep\n" },
        { "extreme.yaml", "inherits: fsp\nusers:\n  namespace: app\n  roles:\n    - user: alice\n      role: confined_user\n" },
        { "fsp.yaml", "inherits: strict\nconfirm: 120\nearly_policy: true\n" },
        { "strict.yaml", "inherits: default\nmode: enforce\nforce_complain: false\nrequires: [t-one]\n" },
        { "strict_server.yaml", "inherits: strict\nprofiles:\n  exclude: ['snap*']\n" },
};

static void setup(void) {
        _cleanup_free_ char *profiles = NULL;
        char tmpl[] = "/tmp/fuzz-bus.XXXXXX";
        LevelSet *s;
        int r;

        log_set_max_level(LOG_CRIT); /* the refusals are expected */

        if (!mkdtemp(tmpl))
                abort();
        apparmorfs_dir = strdup(tmpl);
        profiles = path_join(tmpl, "profiles");
        if (!apparmorfs_dir || !profiles)
                abort();
        r = write_file_atomic(profiles, "t-one (enforce)\nt-two (complain)\nforeign (enforce)\n", 52, 0644);
        if (r < 0)
                abort();

        if (config_new_default(NULL, &manager.config) < 0)
                abort();
        free(manager.config->apparmorfs);
        manager.config->apparmorfs = strdup(apparmorfs_dir);
        if (strv_extend(&manager.config->lower_labels, "allowed_label") < 0)
                abort();

        s = calloc(1, sizeof(LevelSet));
        if (!s)
                abort();
        for (size_t i = 0; i < ELEMENTSOF(level_texts); i++) {
                _cleanup_free_ char *file = path_join("/usr/share/aalevel/levels", level_texts[i][0]);
                Level *l = NULL;
                if (!file || level_parse_string(level_texts[i][1], strlen(level_texts[i][1]), file, &l, NULL) < 0)
                        abort();
                s->levels = realloc(s->levels, sizeof(Level *) * (s->n_levels + 1));
                if (!s->levels)
                        abort();
                s->levels[s->n_levels++] = l; /* sorted already */
        }
        manager.levels = s;

        manager.units = calloc(3, sizeof(UnitStatus));
        if (!manager.units)
                abort();
        manager.units[0] = (UnitStatus) { .file = strdup("/etc/apparmor.d/t-one"), .names = one("t-one") };
        manager.units[1] = (UnitStatus) { .file = strdup("/etc/apparmor.d/t-two"), .names = one("t-two") };
        manager.units[2] = (UnitStatus) { .file = strdup("/etc/apparmor.d/t-bad"), .failed = true,
                                          .error = strdup("/etc/apparmor.d/t-bad:3: syntax error") };
        manager.n_units = 3;
        manager.modified = one("t-two");
        manager.errors = one("/etc/aalevel/levels/broken.yaml:1: YAML syntax error");
        manager.state = MANAGER_IDLE;
        manager.listen_fd = -1;
        manager.revision_fd = -1;
}

static void teardown(void) {
        _cleanup_free_ char *profiles = apparmorfs_dir ? path_join(apparmorfs_dir, "profiles") : NULL;

        if (profiles)
                (void) unlink(profiles);
        if (apparmorfs_dir)
                (void) rmdir(apparmorfs_dir);
        free(apparmorfs_dir);
        for (size_t i = 0; i < manager.n_units; i++) {
                free(manager.units[i].file);
                strv_free(manager.units[i].names);
                free(manager.units[i].error);
        }
        free(manager.units);
        strv_free(manager.modified);
        strv_free(manager.errors);
        level_set_free(manager.levels);
        config_free(manager.config);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        setup();
        atexit(teardown);
        return 0;
}

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static Buf out;
        static const char * const labels[] = { "unconfined", "some_confined_app", "allowed_label", NULL };
        _cleanup_close_ int client = -1;
        sd_bus *server = NULL;
        Input in = { data, data + size };
        Connection conn = {};
        uint8_t who;
        char auth[64];
        int fds[2], r;
        sd_id128_t id = SD_ID128_MAKE(6a, 1e, 2c, 39, 8b, 4f, 41, 0d, 9a, 5b, 7c, 3e, 2f, 10, 64, 21);

        if (size > FUZZ_INPUT_MAX)
                return 0;
        if (!manager.config)
                setup();

        who = take_u8(&in);
        stub_mode = who;
        conn.peer = (Caller) { .uid = (who & 1) ? 1000 : 0, .pid = getpid(),
                               .label = labels[(who >> 1) & 3] ? strdup(labels[(who >> 1) & 3]) : NULL };
        free(manager.level);
        manager.level = (who & 8) ? strdup("strict") : NULL;
        manager.state = (ManagerState) ((who >> 4) % _MANAGER_STATE_MAX);

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0)
                abort();
        client = fds[1];

        /* Set up as bus.c's on_connection() does. */
        r = sd_bus_new(&server);
        if (r >= 0)
                r = sd_bus_set_fd(server, fds[0], fds[0]);
        else
                close(fds[0]);
        if (r >= 0)
                r = sd_bus_set_server(server, 1, id);
        if (r >= 0)
                r = sd_bus_set_anonymous(server, false);
        if (r >= 0)
                r = sd_bus_add_object_vtable(server, NULL, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, bus_manager_vtable,
                                             &manager);
        if (r >= 0)
                r = sd_bus_start(server);
        if (r < 0)
                abort();
        conn.bus = server;
        manager.connections = &conn;
        manager.n_connections = 1;

        /* Authentication, as any sd-bus or libdbus client sends it. */
        {
                char uid[16];
                size_t n = 0;
                snprintf(uid, sizeof uid, "%u", (unsigned) geteuid());
                n += (size_t) snprintf(auth, sizeof auth, "%cAUTH EXTERNAL ", 0);
                for (const char *c = uid; *c; c++)
                        n += (size_t) snprintf(auth + n, sizeof auth - n, "%02x", (unsigned char) *c);
                n += (size_t) snprintf(auth + n, sizeof auth - n, "\r\nBEGIN\r\n");
                out.n = 0;
                out.overflow = false;
                put(&out, auth, n);
        }
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

        /* Everything written is read and dispatched; replies are read
         * away so that the server never waits on a full socket. */
        for (unsigned rounds = 0; rounds < 1000; rounds++) {
                r = sd_bus_process(server, NULL);
                drain(client);
                if (r <= 0)
                        break;
        }
        finish_pending();
        (void) sd_bus_flush(server);
        drain(client);

        manager.connections = NULL;
        manager.n_connections = 0;
        sd_bus_close_unref(server);
        caller_clear(&conn.peer);
        free(manager.level);
        manager.level = NULL;
        return 0;
}
