/* Requests from clients, and the manager's state names: what the bus
 * handlers need from the manager without the rest of it (the D-Bus fuzz
 * target links these with its own stubs of the manager). */
#include "manager.h"

#include <stdlib.h>

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
