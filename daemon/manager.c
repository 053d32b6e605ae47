/* The daemon's top-level object. */
#include "manager.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "bus.h"
#include "log.h"
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

int manager_new(const char *config_file, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return log_oom();
        m->listen_fd = -1;
        m->state = MANAGER_STARTING;
        m->config_file = strdup(config_file);
        if (!m->config_file)
                return log_oom();

        r = config_load(config_file, NULL, &m->config, &error);
        if (r < 0)
                return log_error_errno(r, "Invalid configuration: %s", error ? error : strerror(-r));

        r = level_set_load(m->config->vendor_levels_dir, m->config->levels_dir, &m->levels);
        if (r < 0)
                return log_error_errno(r, "Failed to load the level definitions: %m");
        STRV_FOREACH(e, m->levels->errors)
                log_error("Level definition left out: %s", *e);

        m->level = strdup(m->config->level ? m->config->level : "default");
        if (!m->level)
                return log_oom();

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to create the event loop: %m");
        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        bus_close_all(m);
        sd_event_unref(m->event);
        config_free(m->config);
        level_set_free(m->levels);
        free(m->config_file);
        free(m->level);
        free(m->pending_level);
        free(m);
        return NULL;
}

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        (void) sd_notify(false, "STOPPING=1");
        log_info("Stopping; the policy in the kernel stays loaded.");
        return sd_event_exit(m->event, 0);
}

int manager_start(Manager *m) {
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "Failed to block signals: %m");
        r = sd_event_add_signal(m->event, NULL, SIGTERM, on_sigterm, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, on_sigterm, m);
        if (r < 0)
                return log_error_errno(r, "Failed to handle signals: %m");

        r = bus_listen(m);
        if (r < 0)
                return r;

        m->state = MANAGER_IDLE;
        (void) sd_notifyf(false, "READY=1\nSTATUS=Level %s", m->level);
        log_info("Serving on %s/bus, level %s.", m->config->runtime_dir, m->level);
        return 0;
}

int manager_run(Manager *m) {
        return sd_event_loop(m->event);
}
