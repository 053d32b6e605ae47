/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compiled AppArmor policy: one validating walk over the element stream,
 * used for reading names, validation and the complain-to-enforce switch. */
#include "blob.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

enum {
        CODE_U8 = 0,
        CODE_U16 = 1,
        CODE_U32 = 2,
        CODE_U64 = 3,
        CODE_NAME = 4,
        CODE_STRING = 5,
        CODE_BLOB = 6,
        CODE_STRUCT = 7,
        CODE_STRUCTEND = 8,
        CODE_LIST = 9,
        CODE_LISTEND = 10,
        CODE_ARRAY = 11,
        CODE_ARRAYEND = 12,
};

/* The kernel's policy_unpack.c: ABI in the low bits of the version word. */
#define VERSION_ABI_MASK 0x3ffU
#define VERSION_ABI_MIN 5U
#define VERSION_ABI_MAX 9U
#define VERSION_FORCE_COMPLAIN 0x800U

#define KMODE_ENFORCE 0U
#define KMODE_COMPLAIN 1U
#define KMODE_MAX 4U             /* "user", newer kernels */

/* The parser nests three deep at most; the cap only keeps the walk's stack
 * bounded on hostile input. */
#define CONTAINER_DEPTH_MAX 32

#define DFA_MAGIC 0x1B5E783DU
#define DFA_HEADER_MIN 16U      /* sizeof(struct table_set_header) */
#define DFA_TABLE_HEADER 12U

typedef struct Reader {
        const uint8_t *data;
        size_t size;
        size_t pos;             /* always <= size */
} Reader;

typedef struct Element {
        uint8_t code;
        const char *name;       /* the NAME tag before it, NUL-terminated, or NULL */
        size_t offset;          /* of the value bytes */
        size_t size;            /* value bytes of U8..U64, STRING (NUL included), BLOB */
        uint16_t count;         /* ARRAY */
} Element;

typedef struct ProfileEntry {
        size_t start, end;      /* the entry's bytes, header included */
        size_t header_end;      /* just after the version element, 0 without one */
        const char *ns;         /* NULL: the header names none */
        const char *name;
        uint32_t version;       /* of the header in effect */
        size_t version_offset;
        uint32_t mode;
        size_t mode_offset;
} ProfileEntry;

typedef int (*profile_fn_t)(const ProfileEntry *p, void *userdata);

typedef struct Container {
        uint8_t end;
        uint16_t count;
        size_t children;
} Container;

static uint16_t le16(const uint8_t *p) {
        return (uint16_t) (p[0] | (unsigned) p[1] << 8);
}

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint32_t be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | (uint32_t) p[3];
}

static uint16_t be16(const uint8_t *p) {
        return (uint16_t) ((unsigned) p[0] << 8 | p[1]);
}

static void put_le32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
        p[2] = (uint8_t) (v >> 16);
        p[3] = (uint8_t) (v >> 24);
}

static bool can_read(const Reader *r, size_t n) {
        return n <= r->size - r->pos;
}

/* A NUL-terminated string of n bytes with no NUL inside: what the parser
 * writes for names, and what strcmp() in the kernel sees whole. */
static bool is_plain_string(const uint8_t *s, size_t n) {
        return n >= 1 && s[n - 1] == '\0' && !memchr(s, '\0', n - 1);
}

static bool code_takes_name(uint8_t code) {
        return code <= CODE_U64 || code == CODE_STRING || code == CODE_BLOB ||
                code == CODE_STRUCT || code == CODE_LIST || code == CODE_ARRAY;
}

static int read_element(Reader *r, Element *ret) {
        Element e = {};
        size_t n;

        if (!can_read(r, 1))
                return -EBADMSG;
        e.code = r->data[r->pos++];

        if (e.code == CODE_NAME) {
                if (!can_read(r, 2))
                        return -EBADMSG;
                n = le16(r->data + r->pos);
                r->pos += 2;
                if (!can_read(r, n) || !is_plain_string(r->data + r->pos, n))
                        return -EBADMSG;
                e.name = (const char *) r->data + r->pos;
                r->pos += n;

                /* A name only ever tags the element after it. */
                if (!can_read(r, 1))
                        return -EBADMSG;
                e.code = r->data[r->pos++];
                if (!code_takes_name(e.code))
                        return -EBADMSG;
        }

        switch (e.code) {
        case CODE_U8:
        case CODE_U16:
        case CODE_U32:
        case CODE_U64:
                n = (size_t) 1 << e.code;
                break;
        case CODE_STRING:
                if (!can_read(r, 2))
                        return -EBADMSG;
                n = le16(r->data + r->pos);
                r->pos += 2;
                /* The kernel insists on the trailing NUL; inner NULs are
                 * legitimate (namespace names in the exec table). */
                if (n == 0 || !can_read(r, n) || r->data[r->pos + n - 1] != '\0')
                        return -EBADMSG;
                break;
        case CODE_BLOB:
                if (!can_read(r, 4))
                        return -EBADMSG;
                n = le32(r->data + r->pos);
                r->pos += 4;
                break;
        case CODE_ARRAY:
                if (!can_read(r, 2))
                        return -EBADMSG;
                e.count = le16(r->data + r->pos);
                r->pos += 2;
                n = 0;
                break;
        case CODE_STRUCT:
        case CODE_STRUCTEND:
        case CODE_LIST:
        case CODE_LISTEND:
        case CODE_ARRAYEND:
                n = 0;
                break;
        default:
                return -EBADMSG;
        }

        if (!can_read(r, n))
                return -EBADMSG;
        e.offset = r->pos;
        e.size = n;
        r->pos += n;
        *ret = e;
        return 0;
}

static bool element_is(const Element *e, uint8_t code, const char *name) {
        return e->code == code && e->name && streq(e->name, name);
}

/* Mirrors aa_dfa_unpack()'s framing checks, so that a DFA cut or shifted
 * by corruption is caught here rather than by the kernel. */
static bool dfa_is_valid(const uint8_t *blob, size_t size) {
        /* The kernel recomputes the padding as size % 8: the parser pads the
         * DFA, itself a multiple of 8 bytes, to an 8-byte boundary. */
        size_t pad = size & 7, hsize, left;
        const uint8_t *p;

        for (size_t i = 0; i < pad; i++)
                if (blob[i] != 0)
                        return false;
        p = blob + pad;
        left = size - pad;
        if (left < DFA_HEADER_MIN || be32(p) != DFA_MAGIC)
                return false;
        hsize = be32(p + 4);
        if (hsize < DFA_HEADER_MIN || hsize > left)
                return false;
        p += hsize;
        left -= hsize;

        while (left > 0) {
                uint16_t width;
                uint64_t tsize;

                if (left < DFA_TABLE_HEADER)
                        return false;
                width = be16(p + 2);
                if (width != 1 && width != 2 && width != 4)
                        return false;
                tsize = DFA_TABLE_HEADER + (uint64_t) be32(p + 8) * width;
                tsize = (tsize + 7) & ~(uint64_t) 7;
                if (tsize > left)
                        return false;
                p += tsize;
                left -= (size_t) tsize;
        }
        return true;
}

static int read_flags(Reader *r, ProfileEntry *p) {
        Element e;
        int k;

        /* hat bit, mode, audit: unnamed, exactly these three */
        for (int i = 0; i < 3; i++) {
                k = read_element(r, &e);
                if (k < 0)
                        return k;
                if (e.code != CODE_U32 || e.name)
                        return -EBADMSG;
                if (i == 1) {
                        p->mode = le32(r->data + e.offset);
                        p->mode_offset = e.offset;
                }
        }
        if (p->mode > KMODE_MAX)
                return -EBADMSG;
        k = read_element(r, &e);
        if (k < 0)
                return k;
        return e.code == CODE_STRUCTEND ? 0 : -EBADMSG;
}

/* Called after NAME "profile" STRUCT; returns after its STRUCTEND. */
static int read_profile(Reader *r, ProfileEntry *p) {
        Container stack[CONTAINER_DEPTH_MAX];
        size_t depth = 0;
        bool have_flags = false;
        Element e;
        int k;

        k = read_element(r, &e);
        if (k < 0)
                return k;
        if (e.code != CODE_STRING || e.name || e.size < 2 || !is_plain_string(r->data + e.offset, e.size))
                return -EBADMSG;
        p->name = (const char *) r->data + e.offset;

        for (;;) {
                k = read_element(r, &e);
                if (k < 0)
                        return k;

                switch (e.code) {
                case CODE_STRUCTEND:
                case CODE_LISTEND:
                case CODE_ARRAYEND: {
                        Container *c;

                        if (depth == 0) {
                                if (e.code != CODE_STRUCTEND)
                                        return -EBADMSG;
                                return have_flags ? 0 : -EBADMSG;
                        }
                        c = &stack[depth - 1];
                        if (c->end != e.code)
                                return -EBADMSG;
                        /* Every entry of a parser array has the same shape
                         * (a string, a u64, fourteen u32...): the element
                         * count must be a whole multiple of the entries. */
                        if (e.code == CODE_ARRAYEND &&
                            (c->count == 0 ? c->children != 0 :
                             c->children < c->count || c->children % c->count != 0))
                                return -EBADMSG;
                        depth--;
                        continue;
                }
                default:
                        break;
                }

                if (depth > 0)
                        stack[depth - 1].children++;

                switch (e.code) {
                case CODE_STRUCT:
                        if (depth == 0 && element_is(&e, CODE_STRUCT, "flags")) {
                                if (have_flags)
                                        return -EBADMSG;
                                k = read_flags(r, p);
                                if (k < 0)
                                        return k;
                                have_flags = true;
                                break;
                        }
                        _fallthrough_;
                case CODE_LIST:
                case CODE_ARRAY:
                        if (depth >= CONTAINER_DEPTH_MAX)
                                return -EBADMSG;
                        stack[depth++] = (Container) {
                                .end = e.code == CODE_STRUCT ? CODE_STRUCTEND :
                                       e.code == CODE_LIST ? CODE_LISTEND : CODE_ARRAYEND,
                                .count = e.count,
                        };
                        break;
                case CODE_BLOB:
                        if (e.name && streq(e.name, "aadfa") && !dfa_is_valid(r->data + e.offset, e.size))
                                return -EBADMSG;
                        break;
                default:
                        break;
                }
        }
}

/* Validates the whole stream; calls fn, when given, for every profile once
 * that profile has been validated. Stops at the first error. */
static int blob_walk(const void *data, size_t size, profile_fn_t fn, void *userdata) {
        Reader r = { .data = data, .size = size };
        uint32_t version = 0;
        size_t version_offset = 0;
        bool first = true;
        int k;

        if (!data || size == 0)
                return -EBADMSG;

        while (r.pos < r.size) {
                ProfileEntry p = { .start = r.pos };
                Element e;

                k = read_element(&r, &e);
                if (k < 0)
                        return k;

                /* The kernel requires the version in the first header only
                 * and keeps using it until another header brings one. */
                if (element_is(&e, CODE_U32, "version")) {
                        version = le32(r.data + e.offset);
                        version_offset = e.offset;
                        p.header_end = r.pos;
                        if ((version & VERSION_ABI_MASK) < VERSION_ABI_MIN ||
                            (version & VERSION_ABI_MASK) > VERSION_ABI_MAX)
                                return -EBADMSG;
                        k = read_element(&r, &e);
                        if (k < 0)
                                return k;
                } else if (first)
                        return -EBADMSG;

                if (element_is(&e, CODE_STRING, "namespace")) {
                        if (e.size < 2 || !is_plain_string(r.data + e.offset, e.size))
                                return -EBADMSG;
                        p.ns = (const char *) r.data + e.offset;
                        k = read_element(&r, &e);
                        if (k < 0)
                                return k;
                }

                if (!element_is(&e, CODE_STRUCT, "profile"))
                        return -EBADMSG;
                k = read_profile(&r, &p);
                if (k < 0)
                        return k;

                p.version = version;
                p.version_offset = version_offset;
                p.end = r.pos;
                if (fn) {
                        k = fn(&p, userdata);
                        if (k < 0)
                                return k;
                }
                first = false;
        }

        return 0;
}

int blob_validate(const void *data, size_t size) {
        return blob_walk(data, size, NULL, NULL);
}

static int collect_name(const ProfileEntry *p, void *userdata) {
        char ***names = userdata;
        char *s;

        /* Children go in and out with their parent. */
        if (strstr(p->name, "//"))
                return 0;
        if (p->ns) {
                if (asprintf(&s, ":%s:%s", p->ns, p->name) < 0)
                        return -ENOMEM;
        } else {
                s = strdup(p->name);
                if (!s)
                        return -ENOMEM;
        }
        return strv_consume(names, s);
}

int blob_profile_names(const void *data, size_t size, char ***ret_names) {
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = blob_walk(data, size, collect_name, &names);
        if (r < 0)
                return r;
        if (!names) {
                names = calloc(1, sizeof(char *));
                if (!names)
                        return -ENOMEM;
        }
        *ret_names = TAKE_PTR(names);
        return 0;
}

typedef struct EnforceContext {
        uint8_t *data;
        unsigned changed;
} EnforceContext;

static int enforce_profile(const ProfileEntry *p, void *userdata) {
        EnforceContext *c = userdata;
        bool force = p->version & VERSION_FORCE_COMPLAIN;

        /* The kernel reads complain from either place: mode word 1, or the
         * flag in the header that applies to this profile. */
        if (p->mode == KMODE_COMPLAIN)
                put_le32(c->data + p->mode_offset, KMODE_ENFORCE);
        if (force)
                /* p->version is the value read before any write, so a header
                 * shared by several profiles still counts for each. */
                put_le32(c->data + p->version_offset, p->version & ~VERSION_FORCE_COMPLAIN);
        if (p->mode == KMODE_COMPLAIN || force)
                c->changed++;
        return 0;
}

int blob_force_enforce(void *data, size_t size, unsigned *ret_changed) {
        EnforceContext c = { .data = data };
        int r;

        /* Validate everything first: a half-rewritten stream is worse than
         * an untouched one. */
        r = blob_validate(data, size);
        if (r < 0)
                return r;
        r = blob_walk(data, size, enforce_profile, &c);
        if (r < 0)
                return r;
        if (ret_changed)
                *ret_changed = c.changed;
        return 0;
}

typedef struct SplitContext {
        const uint8_t *data;
        BlobEntry *entries;
        size_t n;
        int error;
} SplitContext;

static int collect_entry(const ProfileEntry *p, void *userdata) {
        SplitContext *c = userdata;
        BlobEntry *a = realloc(c->entries, sizeof(BlobEntry) * (c->n + 1));
        BlobEntry *e;

        if (!a)
                return -ENOMEM;
        c->entries = a;
        e = &c->entries[c->n];
        *e = (BlobEntry) {
                .offset = p->start,
                .size = p->end - p->start,
                .header_end = p->header_end,
                .name = strdup(p->name),
                .ns = p->ns ? strdup(p->ns) : NULL,
        };
        c->n++;
        if (!e->name || (p->ns && !e->ns))
                return -ENOMEM;
        return 0;
}

void blob_entries_free(BlobEntry *e, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(e[i].name);
                free(e[i].ns);
        }
        free(e);
}

int blob_entries(const void *data, size_t size, BlobEntry **ret, size_t *ret_n) {
        SplitContext c = { .data = data };
        int r;

        r = blob_walk(data, size, collect_entry, &c);
        if (r < 0) {
                blob_entries_free(c.entries, c.n);
                return r;
        }
        *ret = c.entries;
        *ret_n = c.n;
        return 0;
}

bool blob_entries_need_split(const BlobEntry *e, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (e[i].ns)
                        return true;
        return false;
}

int blob_entry_with_namespace(const void *data, const BlobEntry *e, const char *ns, uint8_t **ret,
                              size_t *ret_size) {
        static const uint8_t tag[] = { CODE_NAME, 10, 0, 'n', 'a', 'm', 'e', 's', 'p', 'a', 'c', 'e', 0 };
        const uint8_t *d = data;
        size_t len = strlen(ns) + 1, size;
        uint8_t *b, *o;

        if (e->ns || !ns || e->header_end == 0 || len > UINT16_MAX)
                return -EINVAL;
        /* version element, then the namespace the parser left out, then
         * the rest of the entry */
        size = e->size + sizeof tag + 3 + len;
        b = malloc(size);
        if (!b)
                return -ENOMEM;
        o = b;
        memcpy(o, d + e->offset, e->header_end - e->offset);
        o += e->header_end - e->offset;
        memcpy(o, tag, sizeof tag);
        o += sizeof tag;
        *o++ = CODE_STRING;
        *o++ = (uint8_t) (len & 0xff);
        *o++ = (uint8_t) (len >> 8);
        memcpy(o, ns, len);
        o += len;
        memcpy(o, d + e->header_end, e->offset + e->size - e->header_end);
        *ret = b;
        *ret_size = size;
        return 0;
}

typedef struct ComplainContext {
        size_t *offsets;        /* version words seen */
        size_t n;
} ComplainContext;

static int collect_version(const ProfileEntry *p, void *userdata) {
        ComplainContext *c = userdata;
        size_t *a;

        for (size_t i = 0; i < c->n; i++)
                if (c->offsets[i] == p->version_offset)
                        return 0;
        a = realloc(c->offsets, sizeof(size_t) * (c->n + 1));
        if (!a)
                return -ENOMEM;
        c->offsets = a;
        c->offsets[c->n++] = p->version_offset;
        return 0;
}

int blob_force_complain(void *data, size_t size) {
        ComplainContext c = {};
        uint8_t *d = data;
        int r;

        /* What apparmor_parser -C does: the force-complain bit in every
         * header, the profiles' own modes untouched. Validate first, then
         * write. */
        r = blob_walk(data, size, collect_version, &c);
        if (r >= 0)
                for (size_t i = 0; i < c.n; i++)
                        put_le32(d + c.offsets[i], le32(d + c.offsets[i]) | VERSION_FORCE_COMPLAIN);
        free(c.offsets);
        return r;
}

int blob_apply_mode(void *data, size_t size, ModeOverride mode) {
        switch (mode) {
        case MODE_ENFORCE:
                return blob_force_enforce(data, size, NULL);
        case MODE_COMPLAIN:
                return blob_force_complain(data, size);
        default:
                return 0;
        }
}

int blob_mode_sha1(const void *data, size_t size, uint8_t ret[_MODE_OVERRIDE_MAX][SHA1_DIGEST_SIZE]) {
        _cleanup_free_ uint8_t *copy = malloc(size);

        memset(ret, 0, _MODE_OVERRIDE_MAX * SHA1_DIGEST_SIZE);
        if (!copy)
                return -ENOMEM;
        for (int m = 0; m < _MODE_OVERRIDE_MAX; m++) {
                if (m == MODE_KEEP)
                        continue;
                memcpy(copy, data, size);
                if (blob_apply_mode(copy, size, (ModeOverride) m) >= 0)
                        sha1(copy, size, ret[m]);
        }
        return 0;
}
