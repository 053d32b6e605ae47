/* What the bus handlers need of the manager without the rest of it:
 * requests from clients, the state names, the counts they read (the D-Bus
 * fuzz target links these with its own stubs of the manager's actions). */
#include "manager.h"

#include <stdlib.h>

#include "strv.h"

static const char * const state_names[_MANAGER_STATE_MAX] = {
        [MANAGER_STARTING] = "starting",
        [MANAGER_IDLE] = "idle",
        [MANAGER_COMPILING] = "compiling",
        [MANAGER_LOADING] = "loading",
        [MANAGER_WAITING_CONFIRM] = "waiting-confirm",
        [MANAGER_FAILED] = "failed",
};

const char *manager_state_to_string(ManagerState s) {
        return s >= 0 && s < _MANAGER_STATE_MAX ? state_names[s] : "unknown";
}

Request *request_new(RequestKind kind, sd_bus_message *message) {
        Request *r = calloc(1, sizeof(Request));
        if (!r)
                return NULL;
        r->kind = kind;
        r->message = sd_bus_message_ref(message);
        return r;
}

void request_free(Request *r) {
        if (!r)
                return;
        sd_bus_message_unref(r->message);
        free(r->previous);
        free(r);
}

unsigned manager_queued_reads(Manager *m) {
        return m->queued_reads;
}

unsigned manager_profiles_loaded(const Manager *m) {
        unsigned n = 0;
        /* A failed file's previous profiles stay loaded: they count. */
        for (size_t i = 0; i < m->n_units; i++)
                n += (unsigned) strv_length(m->units[i].names);
        return n;
}

unsigned manager_profiles_failed(const Manager *m) {
        unsigned n = 0;
        for (size_t i = 0; i < m->n_units; i++)
                n += m->units[i].failed;
        return n;
}
