/* The daemon's top-level object: owns the configuration, the event loop,
 * the bus servers and the current status. The main thread runs the event
 * loop; long work (compiling, loading) runs on the engine's worker thread
 * and reports back through the loop. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "level.h"

typedef struct Manager Manager;

typedef enum ManagerState {
        MANAGER_STARTING,
        MANAGER_IDLE,
        MANAGER_COMPILING,
        MANAGER_LOADING,
        MANAGER_WAITING_CONFIRM,
        MANAGER_FAILED,
        _MANAGER_STATE_MAX,
        _MANAGER_STATE_INVALID = -EINVAL,
} ManagerState;

const char *manager_state_to_string(ManagerState s);

struct Manager {
        sd_event *event;
        Config *config;
        char *config_file;
        LevelSet *levels;

        char *level;            /* the level in the kernel now */
        char *pending_level;    /* being applied, or awaiting confirmation */
        ManagerState state;

        /* D-Bus: the private socket's listener and its connections, and
         * the system bus when it is up. */
        int listen_fd;
        sd_event_source *listen_source;
        sd_bus **connections;
        size_t n_connections;
        sd_bus *system_bus;
};

int manager_new(const char *config_file, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

int manager_start(Manager *m);
int manager_run(Manager *m);
