/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Open-addressing string hash map with tombstones. */
#include "hashmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

#define TOMBSTONE ((char *) 1)

typedef struct Entry {
        char *key;              /* NULL empty, TOMBSTONE deleted */
        void *value;
} Entry;

struct Hashmap {
        Entry *entries;
        size_t capacity;        /* power of two */
        size_t size;            /* live entries */
        size_t used;            /* live + tombstones */
        HashmapFreeFunc free_value;
};

static uint64_t hash_string(const char *s) {
        /* FNV-1a, 64 bit. */
        uint64_t h = 0xcbf29ce484222325ULL;
        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= 0x100000001b3ULL;
        }
        return h;
}

Hashmap *hashmap_new(HashmapFreeFunc free_value) {
        Hashmap *h = calloc(1, sizeof(Hashmap));
        if (!h)
                return NULL;
        h->free_value = free_value;
        return h;
}

void hashmap_free(Hashmap *h) {
        if (!h)
                return;
        for (size_t i = 0; i < h->capacity; i++) {
                Entry *e = &h->entries[i];
                if (e->key && e->key != TOMBSTONE) {
                        free(e->key);
                        if (h->free_value)
                                h->free_value(e->value);
                }
        }
        free(h->entries);
        free(h);
}

static Entry *find(const Hashmap *h, const char *key) {
        size_t mask, i;

        if (h->capacity == 0)
                return NULL;
        mask = h->capacity - 1;
        for (i = hash_string(key) & mask;; i = (i + 1) & mask) {
                Entry *e = &h->entries[i];
                if (!e->key)
                        return NULL;
                if (e->key != TOMBSTONE && streq(e->key, key))
                        return e;
        }
}

static int resize(Hashmap *h, size_t capacity) {
        Entry *old = h->entries, *n;
        size_t old_capacity = h->capacity;

        n = calloc(capacity, sizeof(Entry));
        if (!n)
                return -ENOMEM;
        h->entries = n;
        h->capacity = capacity;
        h->used = h->size;
        for (size_t i = 0; i < old_capacity; i++) {
                Entry *e = &old[i];
                size_t j;
                if (!e->key || e->key == TOMBSTONE)
                        continue;
                for (j = hash_string(e->key) & (capacity - 1); n[j].key; j = (j + 1) & (capacity - 1))
                        ;
                n[j] = *e;
        }
        free(old);
        return 0;
}

int hashmap_put(Hashmap *h, const char *key, void *value) {
        Entry *e = find(h, key);
        size_t mask, i;
        char *k;

        if (e) {
                if (h->free_value && e->value != value)
                        h->free_value(e->value);
                e->value = value;
                return 0;
        }
        if ((h->used + 1) * 4 >= h->capacity * 3) {
                size_t c = h->capacity ? h->capacity : 16;
                while ((h->size + 1) * 2 >= c)
                        c *= 2;
                if (resize(h, c) < 0)
                        return -ENOMEM;
        }
        k = strdup(key);
        if (!k)
                return -ENOMEM;
        mask = h->capacity - 1;
        for (i = hash_string(key) & mask; h->entries[i].key && h->entries[i].key != TOMBSTONE; i = (i + 1) & mask)
                ;
        if (!h->entries[i].key)
                h->used++;
        h->entries[i].key = k;
        h->entries[i].value = value;
        h->size++;
        return 0;
}

void *hashmap_get(const Hashmap *h, const char *key) {
        Entry *e = find(h, key);
        return e ? e->value : NULL;
}

bool hashmap_contains(const Hashmap *h, const char *key) {
        return find(h, key) != NULL;
}

void *hashmap_steal(Hashmap *h, const char *key) {
        Entry *e = find(h, key);
        void *v;

        if (!e)
                return NULL;
        v = e->value;
        free(e->key);
        e->key = TOMBSTONE;
        e->value = NULL;
        h->size--;
        return v;
}

bool hashmap_remove(Hashmap *h, const char *key) {
        Entry *e = find(h, key);
        void *v;

        if (!e)
                return false;
        v = hashmap_steal(h, key);
        if (h->free_value)
                h->free_value(v);
        return true;
}

size_t hashmap_size(const Hashmap *h) {
        return h ? h->size : 0;
}

bool hashmap_iterate(const Hashmap *h, size_t *i, const char **ret_key, void **ret_value) {
        for (; h && *i < h->capacity; (*i)++) {
                Entry *e = &h->entries[*i];
                if (e->key && e->key != TOMBSTONE) {
                        if (ret_key)
                                *ret_key = e->key;
                        if (ret_value)
                                *ret_value = e->value;
                        (*i)++;
                        return true;
                }
        }
        return false;
}

char **hashmap_keys_sorted(const Hashmap *h) {
        char **l = calloc(hashmap_size(h) + 1, sizeof(char *));
        size_t i = 0, n = 0;
        const char *k;

        if (!l)
                return NULL;
        while (hashmap_iterate(h, &i, &k, NULL)) {
                l[n] = strdup(k);
                if (!l[n]) {
                        strv_free(l);
                        return NULL;
                }
                n++;
        }
        strv_sort(l);
        return l;
}

int hashmap_put_strv(Hashmap *h, char * const *l) {
        for (char * const *p = l; p && *p; p++) {
                int r = hashmap_put(h, *p, (void *) 1);
                if (r < 0)
                        return r;
        }
        return 0;
}
