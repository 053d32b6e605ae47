/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Any D-Bus value as JSON or as text. */
#include "variant.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "macro.h"

typedef union BasicValue {
        uint8_t u8;
        int b;
        int16_t i16;
        uint16_t u16;
        int32_t i32;
        uint32_t u32;
        int64_t i64;
        uint64_t u64;
        double d;
        const char *s;
        int fd;
} BasicValue;

static int read_basic(sd_bus_message *m, char type, BasicValue *ret) {
        int r = sd_bus_message_read_basic(m, type, ret);
        return r < 0 ? r : 0;
}

/* A basic value as text, for both outputs (dictionary keys in JSON). */
static int basic_to_text(char type, const BasicValue *v, char **ret) {
        char *s = NULL;
        int r;

        switch (type) {
        case 's': case 'o': case 'g':
                s = strdup(v->s);
                r = s ? 0 : -1;
                break;
        case 'b':
                s = strdup(v->b ? _("yes") : _("no"));
                r = s ? 0 : -1;
                break;
        case 'y': r = asprintf(&s, "%" PRIu8, v->u8); break;
        case 'n': r = asprintf(&s, "%" PRIi16, v->i16); break;
        case 'q': r = asprintf(&s, "%" PRIu16, v->u16); break;
        case 'i': r = asprintf(&s, "%" PRIi32, v->i32); break;
        case 'u': r = asprintf(&s, "%" PRIu32, v->u32); break;
        case 'x': r = asprintf(&s, "%" PRIi64, v->i64); break;
        case 't': r = asprintf(&s, "%" PRIu64, v->u64); break;
        case 'h': r = asprintf(&s, "%i", v->fd); break;
        case 'd': r = asprintf(&s, "%g", v->d); break;
        default:
                return -EINVAL;
        }
        if (r < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int basic_to_json(char type, const BasicValue *v, JsonWriter *w) {
        switch (type) {
        case 's': case 'o': case 'g': json_string(w, v->s); break;
        case 'b': json_bool(w, v->b); break;
        case 'y': json_unsigned(w, v->u8); break;
        case 'n': json_signed(w, v->i16); break;
        case 'q': json_unsigned(w, v->u16); break;
        case 'i': json_signed(w, v->i32); break;
        case 'u': json_unsigned(w, v->u32); break;
        case 'x': json_signed(w, v->i64); break;
        case 't': json_unsigned(w, v->u64); break;
        case 'h': json_signed(w, v->fd); break;
        case 'd': json_double(w, v->d); break;
        default:
                return -EINVAL;
        }
        return 0;
}

int variant_to_json(sd_bus_message *m, JsonWriter *w) {
        const char *contents;
        BasicValue v;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r <= 0)
                return r < 0 ? r : -ENXIO;

        if (!contents) {
                r = read_basic(m, type, &v);
                return r < 0 ? r : basic_to_json(type, &v, w);
        }

        r = sd_bus_message_enter_container(m, type, contents);
        if (r < 0)
                return r;
        if (type == 'a' && contents[0] == '{') {
                /* A dictionary: its entries become an object's members. */
                json_object_begin(w);
                while ((r = sd_bus_message_at_end(m, false)) == 0) {
                        _cleanup_free_ char *key = NULL;
                        const char *entry;
                        char key_type;

                        r = sd_bus_message_peek_type(m, NULL, &entry);
                        if (r <= 0)
                                return r < 0 ? r : -EBADMSG;
                        r = sd_bus_message_enter_container(m, 'e', entry);
                        if (r <= 0)
                                return r < 0 ? r : -EBADMSG;
                        r = sd_bus_message_peek_type(m, &key_type, NULL);
                        if (r <= 0)
                                return r < 0 ? r : -EBADMSG;
                        r = read_basic(m, key_type, &v);
                        if (r < 0)
                                return r;
                        r = basic_to_text(key_type, &v, &key);
                        if (r < 0)
                                return r;
                        json_key(w, key);
                        r = variant_to_json(m, w);
                        if (r < 0)
                                return r;
                        r = sd_bus_message_exit_container(m);
                        if (r < 0)
                                return r;
                }
                if (r < 0)
                        return r;
                json_object_end(w);
        } else if (type == 'v') {
                r = variant_to_json(m, w);
                if (r < 0)
                        return r;
        } else {
                json_array_begin(w);
                while ((r = sd_bus_message_at_end(m, false)) == 0) {
                        r = variant_to_json(m, w);
                        if (r < 0)
                                return r;
                }
                if (r < 0)
                        return r;
                json_array_end(w);
        }
        r = sd_bus_message_exit_container(m);
        return r < 0 ? r : 0;
}

static int append(char **s, const char *separator, const char *part) {
        char *n;

        if (!*s) {
                n = strdup(part);
        } else if (asprintf(&n, "%s%s%s", *s, separator, part) < 0)
                n = NULL;
        if (!n)
                return -ENOMEM;
        free(*s);
        *s = n;
        return 0;
}

int variant_to_text(sd_bus_message *m, char **ret) {
        _cleanup_free_ char *text = NULL;
        const char *contents, *separator;
        BasicValue v;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r <= 0)
                return r < 0 ? r : -ENXIO;

        if (!contents) {
                r = read_basic(m, type, &v);
                return r < 0 ? r : basic_to_text(type, &v, ret);
        }

        r = sd_bus_message_enter_container(m, type, contents);
        if (r < 0)
                return r;
        separator = type == 'a' ? "\n" : type == 'e' ? "=" : " ";
        while ((r = sd_bus_message_at_end(m, false)) == 0) {
                _cleanup_free_ char *part = NULL;

                r = variant_to_text(m, &part);
                if (r < 0)
                        return r;
                r = append(&text, separator, part);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        if (!text) {
                text = strdup("");
                if (!text)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(text);
        return 0;
}
