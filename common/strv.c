/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NULL-terminated string vectors. */
#include "strv.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

void strv_free(char **l) {
        if (!l)
                return;
        for (char **s = l; *s; s++)
                free(*s);
        free(l);
}

size_t strv_length(char * const *l) {
        size_t n = 0;
        if (l)
                while (l[n])
                        n++;
        return n;
}

bool strv_contains(char * const *l, const char *s) {
        STRV_FOREACH(i, l)
                if (streq(*i, s))
                        return true;
        return false;
}

int strv_consume(char ***l, char *s) {
        size_t n;
        char **c;

        if (!s)
                return -ENOMEM;
        n = strv_length(*l);
        c = realloc(*l, sizeof(char *) * (n + 2));
        if (!c) {
                free(s);
                return -ENOMEM;
        }
        c[n] = s;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *s) {
        return strv_consume(l, strdup(s));
}

int strv_extend_strv(char ***l, char * const *other) {
        size_t n = strv_length(*l), m = strv_length(other);
        char **c;

        /* One allocation for all: appending one by one would count the
         * list again for every item, quadratic in its length. */
        if (m == 0)
                return 0;
        c = realloc(*l, sizeof(char *) * (n + m + 1));
        if (!c)
                return -ENOMEM;
        *l = c;
        for (size_t i = 0; i < m; i++) {
                c[n + i] = strdup(other[i]);
                if (!c[n + i]) {
                        for (size_t k = 0; k < i; k++)
                                free(c[n + k]);
                        c[n] = NULL;
                        return -ENOMEM;
                }
                c[n + i + 1] = NULL;
        }
        return 0;
}

char **strv_copy(char * const *l) {
        char **c = calloc(strv_length(l) + 1, sizeof(char *));
        size_t i = 0;

        if (!c)
                return NULL;
        STRV_FOREACH(s, l) {
                c[i] = strdup(*s);
                if (!c[i]) {
                        strv_free(c);
                        return NULL;
                }
                i++;
        }
        return c;
}

int strv_split(const char *s, const char *separators, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = s;
        size_t count = 0, allocated = 1;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (;;) {
                size_t n;

                p += strspn(p, separators);
                if (!*p)
                        break;
                n = strcspn(p, separators);
                /* Grown by doubling: a line of many fields stays linear. */
                if (count + 2 > allocated) {
                        char **c = realloc(l, sizeof(char *) * allocated * 2);
                        if (!c)
                                return -ENOMEM;
                        l = c;
                        allocated *= 2;
                }
                l[count] = strndup(p, n);
                if (!l[count])
                        return -ENOMEM;
                l[++count] = NULL;
                p += n;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

char *strv_join(char * const *l, const char *separator) {
        size_t n = 0, k = strlen(separator);
        char *r, *p;

        STRV_FOREACH(s, l)
                n += strlen(*s) + k;
        r = malloc(n + 1);
        if (!r)
                return NULL;
        p = r;
        STRV_FOREACH(s, l) {
                if (p != r)
                        p = stpcpy(p, separator);
                p = stpcpy(p, *s);
        }
        *p = '\0';
        return r;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

void strv_sort(char **l) {
        size_t n = strv_length(l);
        if (n > 1)
                qsort(l, n, sizeof(char *), cmp_str);
}

void strv_uniq(char **l) {
        size_t i, j;

        if (!l || !l[0])
                return;
        strv_sort(l);
        for (i = 0, j = 1; l[j]; j++) {
                if (streq(l[i], l[j]))
                        free(l[j]);
                else
                        l[++i] = l[j];
        }
        l[i + 1] = NULL;
}

bool strv_equal(char * const *a, char * const *b) {
        size_t i;
        for (i = 0; a && a[i] && b && b[i]; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return (!a || !a[i]) && (!b || !b[i]);
}

int dirent_cmp_bytes(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}
