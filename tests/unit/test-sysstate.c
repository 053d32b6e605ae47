/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runtime state: its detection (sysstate.h), on roots made in
 * temporary directories: os-release variants and attacks, session files,
 * display-manager links, PCI devices; and the values it fills
 * (statevars.h): names, the word check, the text written for the
 * parser, a level's pins over what is detected. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "fileio.h"
#include "level.h"
#include "strv.h"
#include "sysstate.h"
#include "util.h"

static char *root;

static void make_root(void) {
        root = strdup("/tmp/aalevel-test-sysstate-XXXXXX");
        cr_assert_not_null(mkdtemp(root));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(path);
}

static void remove_root(void) {
        if (root)
                nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(root);
        root = NULL;
}

TestSuite(sysstate, .init = make_root, .fini = remove_root);

static char *at(const char *rel) {
        char *p = path_join(root, rel);
        cr_assert_not_null(p);
        return p;
}

static void mkdirs(const char *rel) {
        char *p = at(rel);
        cr_assert_eq(mkdir_p(p, 0755), 0, "%s", p);
        free(p);
}

static void put_size(const char *rel, const char *text, size_t size) {
        char *p = at(rel), *d = strdup(p);
        *strrchr(d, '/') = '\0';
        cr_assert_eq(mkdir_p(d, 0755), 0);
        cr_assert_eq(write_file_atomic(p, text, size, 0644), 0, "%s", p);
        free(p);
        free(d);
}

static void put(const char *rel, const char *text) {
        put_size(rel, text, strlen(text));
}

static void link_to(const char *rel, const char *target) {
        char *p = at(rel), *d = strdup(p);
        *strrchr(d, '/') = '\0';
        cr_assert_eq(mkdir_p(d, 0755), 0);
        cr_assert_eq(symlink(target, p), 0, "%s", p);
        free(p);
        free(d);
}

static void values_free(StateValues *s) {
        state_values_done(s);
        free(s);
}

/* Detection sets the detected variables, each with a source, and
 * nothing else. */
static StateValues *detect(void) {
        StateValues *s = calloc(1, sizeof *s);
        cr_assert_not_null(s);
        cr_assert_eq(sysstate_detect(root, s), 0);
        for (StateVar v = 0; v < _STATE_VAR_MAX; v++) {
                bool detected = v >= STATE_OS_FAMILY && v <= STATE_GPU;
                cr_assert_eq(!!s->source[v], detected, "%s: source %s", state_var_to_string(v), s->source[v]);
                if (!detected)
                        cr_assert_null(s->values[v], "%s set", state_var_to_string(v));
        }
        return s;
}

static StateVar var(const char *name) {
        StateVar v = state_var_from_string(name);
        cr_assert_geq(v, 0, "%s", name);
        return v;
}

/* The words joined with spaces ("" when unset), for short assertions. */
static char *words(const StateValues *s, const char *name) {
        char * const *w = s->values[var(name)];
        return w ? strv_join(w, " ") : strdup("");
}

#define expect_words(s, name, want)                                                          \
        do {                                                                                  \
                char *_w = words((s), (name));                                                \
                cr_expect_str_eq(_w, (want), "%s: got '%s', want '%s' (source: %s)", (name), _w, \
                                 (want), (s)->source[var(name)]);                             \
                free(_w);                                                                     \
        } while (0)

#define expect_source(s, name, part)                                                          \
        do {                                                                                  \
                const char *_src = (s)->source[var(name)];                                    \
                cr_expect(_src && strstr(_src, (part)), "%s: source '%s' lacks '%s'", (name), _src, (part)); \
        } while (0)

/* ---- os-release ---- */

static StateValues *with_os_release(const char *text) {
        put("etc/os-release", text);
        return detect();
}

Test(sysstate, os_release_quoted_unquoted) {
        StateValues *s = with_os_release("PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\n"
                                         "NAME=\"Debian GNU/Linux\"\n"
                                         "VERSION_ID=\"13\"\n"
                                         "VERSION=\"13 (trixie)\"\n"
                                         "VERSION_CODENAME=trixie\n"
                                         "ID=debian\n"
                                         "HOME_URL=\"https://www.debian.org/\"\n");
        expect_words(s, "OS_ID", "debian");
        expect_words(s, "OS_VERSION_ID", "13");
        expect_words(s, "OS_FAMILY", "apt");
        expect_source(s, "OS_ID", "/etc/os-release ID");
        expect_source(s, "OS_VERSION_ID", "/etc/os-release VERSION_ID");
        expect_source(s, "OS_FAMILY", "/etc/os-release ID debian");
        values_free(s);
}

Test(sysstate, os_release_single_quotes_comments_last_wins) {
        StateValues *s = with_os_release("# a comment\n"
                                         "\n"
                                         "ID=fedora\n"
                                         "  ID='ubuntu'   # the second one wins\n"
                                         "VERSION_ID=24.04\n"
                                         "VERSION_ID=\"24\"'.'10\n");
        expect_words(s, "OS_ID", "ubuntu");
        expect_words(s, "OS_VERSION_ID", "24.10");
        expect_words(s, "OS_FAMILY", "apt");
        values_free(s);
}

Test(sysstate, os_release_id_like) {
        static const struct {
                const char *text, *family, *source;
        } cases[] = {
                { "ID=zorin\nID_LIKE=\"ubuntu debian\"\n", "apt", "ID_LIKE ubuntu" },
                { "ID=linuxmint\n", "apt", "ID linuxmint" },
                { "ID=garuda\nID_LIKE=arch\n", "pacman", "ID_LIKE arch" },
                { "ID=arch\nBUILD_ID=rolling\n", "pacman", "ID arch" },
                { "ID=manjaro-arm\n", "pacman", "ID manjaro-arm" },
                { "ID=\"opensuse-tumbleweed\"\nID_LIKE=\"opensuse suse\"\n", "zypper", "ID opensuse-tumbleweed" },
                { "ID=\"sles\"\nID_LIKE=\"suse\"\n", "zypper", "ID sles" },
                { "ID=mydistro\nID_LIKE=\"rhel   fedora\tsuse\"\n", "zypper", "ID_LIKE suse" },
                { "ID=fedora\n", "", "neither ID nor ID_LIKE" },
                { "ID=rocky\nID_LIKE=\"rhel centos fedora\"\n", "", "neither ID nor ID_LIKE" },
                /* A bad word in ID_LIKE is no family, and never injected. */
                { "ID=x\nID_LIKE=\"debian,/**\"\n", "", "neither ID nor ID_LIKE" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                StateValues *s;
                char *p = at("etc/os-release");
                unlink(p);
                free(p);
                s = with_os_release(cases[i].text);
                expect_words(s, "OS_FAMILY", cases[i].family);
                expect_source(s, "OS_FAMILY", cases[i].source);
                values_free(s);
        }
}

Test(sysstate, os_release_missing_and_fallback) {
        StateValues *s = detect();
        for (StateVar v = STATE_OS_FAMILY; v <= STATE_OS_VERSION_ID; v++) {
                cr_expect_null(s->values[v]);
                cr_expect(strstr(s->source[v], "unset (neither /etc/os-release nor /usr/lib/os-release"),
                          "%s", s->source[v]);
        }
        values_free(s);

        /* /usr/lib/os-release when /etc has none. */
        put("usr/lib/os-release", "ID=arch\nVERSION_ID=rolling\n");
        s = detect();
        expect_words(s, "OS_ID", "arch");
        expect_words(s, "OS_VERSION_ID", "rolling");
        expect_source(s, "OS_ID", "/usr/lib/os-release ID");
        values_free(s);

        /* Debian's relative link /etc/os-release -> ../usr/lib/os-release. */
        mkdirs("etc");
        link_to("etc/os-release", "../usr/lib/os-release");
        s = detect();
        expect_words(s, "OS_ID", "arch");
        expect_source(s, "OS_ID", "/etc/os-release ID");
        values_free(s);

        /* An absolute link is resolved inside the root, not on the host. */
        char *p = at("etc/os-release");
        cr_assert_eq(unlink(p), 0);
        free(p);
        put("usr/lib/os-release", "ID=pureimage\n");
        link_to("etc/os-release", "/usr/lib/os-release");
        s = detect();
        expect_words(s, "OS_ID", "pureimage");
        values_free(s);

        /* A dangling /etc/os-release: the /usr/lib one, as os-release(5) says. */
        p = at("etc/os-release");
        cr_assert_eq(unlink(p), 0);
        free(p);
        link_to("etc/os-release", "/nonexistent");
        s = detect();
        expect_words(s, "OS_ID", "pureimage");
        expect_source(s, "OS_ID", "/usr/lib/os-release");
        values_free(s);
}

Test(sysstate, os_release_no_version_id) {
        StateValues *s = with_os_release("ID=debian\nVERSION_CODENAME=forky\n");
        expect_words(s, "OS_ID", "debian");
        expect_words(s, "OS_VERSION_ID", "");
        expect_source(s, "OS_VERSION_ID", "unset (/etc/os-release has no VERSION_ID)");
        values_free(s);
}

/* '+' is one of a word's characters (statevars.h): a version such as
 * "13+ci1" is taken, not refused. */
Test(sysstate, os_release_plus) {
        StateValues *s = with_os_release("ID=debian\nVERSION_ID=\"13+ci1\"\n");
        expect_words(s, "OS_VERSION_ID", "13+ci1");
        expect_source(s, "OS_VERSION_ID", "/etc/os-release VERSION_ID");
        values_free(s);
}

Test(sysstate, os_release_garbage) {
        StateValues *s = with_os_release("this is not an os-release file\n"
                                         "=\n"
                                         "ID\n"
                                         "VERSION_ID=\"unterminated\n"
                                         "ID_LIKE='also unterminated\n");
        expect_words(s, "OS_ID", "");
        expect_source(s, "OS_ID", "unset (/etc/os-release has no ID)");
        expect_words(s, "OS_VERSION_ID", "");
        expect_source(s, "OS_VERSION_ID", "line 4: VERSION_ID is not a valid assignment");
        expect_words(s, "OS_FAMILY", "");
        values_free(s);

        /* Binary data. */
        static const char bin[] = "ID=debian\n\0\x01\x02VERSION_ID=1\n";
        char *p = at("etc/os-release");
        unlink(p);
        free(p);
        put_size("etc/os-release", bin, sizeof bin - 1);
        s = detect();
        expect_words(s, "OS_ID", "");
        expect_source(s, "OS_ID", "/etc/os-release: binary data");
        values_free(s);

        /* A directory where the file should be: no fallback, a reason. */
        p = at("etc/os-release");
        unlink(p);
        free(p);
        mkdirs("etc/os-release");
        put("usr/lib/os-release", "ID=debian\n");
        s = detect();
        expect_words(s, "OS_ID", "");
        expect_source(s, "OS_ID", "/etc/os-release: Is a directory");
        values_free(s);
}

Test(sysstate, os_release_huge) {
        size_t size = 200 * 1024;
        char *big = malloc(size + 1);
        memset(big, '#', size);
        memcpy(big, "ID=debian\n", 10);
        big[size] = '\0';
        put_size("etc/os-release", big, size);
        StateValues *s = detect();
        expect_words(s, "OS_ID", "");
        expect_source(s, "OS_ID", "/etc/os-release: too large");
        values_free(s);
        free(big);

        /* A line longer than the cap is skipped; the others count. */
        size = 10000;
        big = malloc(size + 64);
        strcpy(big, "ID=debian\nNAME=");
        memset(big + strlen(big), 'x', size);
        strcpy(big + 15 + size, "\nVERSION_ID=12\n");
        char *p = at("etc/os-release");
        unlink(p);
        free(p);
        put("etc/os-release", big);
        s = detect();
        expect_words(s, "OS_ID", "debian");
        expect_words(s, "OS_VERSION_ID", "12");
        values_free(s);
        free(big);
}

Test(sysstate, os_release_injection) {
        static const char * const attacks[] = {
                "ID=\"debian, /** rwx\"\n",
                "ID='debian /** rwx,'\n",
                "ID=debian\\ /**\\ rwx,\n",
                "ID=\"debian\\\"x\"\n",
                "ID=\"debian\n/** rwx,\"\n",
                "ID=$(touch /tmp/pwned)\n",
                "ID=`id`\n",
                "ID=debian;/**\n",
                "ID=\"@{HOME}\"\n",
                "ID=\"deb}ian\"\n",
                "ID=\"\"\n",
                "ID=\"d\xc3\xa9" "bian\"\n",
                "ID=\"debian\x01\"\n",
                "ID=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(attacks); i++) {
                char *p = at("etc/os-release"), *text = NULL;
                StateValues *s;

                unlink(p);
                free(p);
                s = with_os_release(attacks[i]);
                cr_expect_null(s->values[STATE_OS_ID], "case %zu taken: %s", i,
                               s->values[STATE_OS_ID] ? s->values[STATE_OS_ID][0] : "");
                cr_expect(strstr(s->source[STATE_OS_ID], "unset (/etc/os-release"), "case %zu: %s", i,
                          s->source[STATE_OS_ID]);
                text = state_values_file_text(s, "default");
                cr_assert_not_null(text);
                cr_expect_null(strstr(text, "OS_ID"), "case %zu rendered: %s", i, text);
                cr_expect_null(strstr(text, "rwx"), "case %zu rendered: %s", i, text);
                free(text);
                values_free(s);
        }
}

/* ---- sessions ---- */

Test(sysstate, sessions_none) {
        StateValues *s = detect();
        expect_words(s, "DE", "none");
        expect_words(s, "DS", "none");
        expect_source(s, "DE", "default (");
        expect_source(s, "DS", "default (no session file");
        values_free(s);

        /* Empty directories are no different. */
        mkdirs("usr/share/wayland-sessions");
        mkdirs("usr/share/xsessions");
        s = detect();
        expect_words(s, "DE", "none");
        expect_words(s, "DS", "none");
        values_free(s);
}

Test(sysstate, sessions_gnome_and_kde) {
        put("usr/share/wayland-sessions/gnome.desktop",
            "[Desktop Entry]\nName=GNOME\nExec=/usr/bin/gnome-session\nDesktopNames=GNOME\n");
        put("usr/share/xsessions/gnome-xorg.desktop", "[Desktop Entry]\nName=GNOME on Xorg\nDesktopNames=GNOME\n");
        put("usr/share/wayland-sessions/plasma.desktop", "[Desktop Entry]\nName=Plasma (Wayland)\nDesktopNames=KDE\n");
        put("usr/share/xsessions/plasmax11.desktop", "[Desktop Entry]\nName=Plasma (X11)\n");
        put("usr/share/xsessions/README", "not a session");
        StateValues *s = detect();
        expect_words(s, "DE", "gnome kde");
        expect_words(s, "DS", "wayland x11");
        expect_source(s, "DE", "gnome: /usr/share/wayland-sessions/gnome.desktop");
        expect_source(s, "DE", "kde: /usr/share/wayland-sessions/plasma.desktop");
        expect_source(s, "DS", "wayland: /usr/share/wayland-sessions/gnome.desktop");
        expect_source(s, "DS", "x11: /usr/share/xsessions/gnome-xorg.desktop");
        values_free(s);
}

Test(sysstate, sessions_wayland_only) {
        put("usr/share/wayland-sessions/cosmic.desktop", "[Desktop Entry]\nName=COSMIC\n");
        put("usr/share/wayland-sessions/sway.desktop", "[Desktop Entry]\nName=Sway\n");
        mkdirs("usr/share/xsessions");
        StateValues *s = detect();
        expect_words(s, "DE", "cosmic");
        expect_words(s, "DS", "wayland");
        values_free(s);
}

Test(sysstate, sessions_x11_only) {
        put("usr/share/xsessions/xfce.desktop", "[Desktop Entry]\nName=Xfce Session\nDesktopNames=XFCE\n");
        put("usr/share/xsessions/i3.desktop", "[Desktop Entry]\nName=i3\n");
        StateValues *s = detect();
        expect_words(s, "DE", "xfce");
        expect_words(s, "DS", "x11");
        values_free(s);
}

Test(sysstate, sessions_other_wm_only) {
        put("usr/share/wayland-sessions/sway.desktop", "[Desktop Entry]\nName=Sway\nDesktopNames=sway\n");
        StateValues *s = detect();
        expect_words(s, "DE", "none");
        expect_words(s, "DS", "wayland");
        values_free(s);
}

Test(sysstate, sessions_desktop_names) {
        /* Ubuntu's session: named after the distribution, GNOME inside. */
        put("usr/share/wayland-sessions/ubuntu.desktop",
            "[Desktop Entry]\nName=Ubuntu\nDesktopNames = ubuntu:GNOME\n");
        /* DesktopNames of another group does not count. */
        put("usr/share/xsessions/odd.desktop",
            "[Desktop Entry]\nName=Odd\n[Desktop Action x]\nDesktopNames=KDE\n");
        put("usr/share/xsessions/flashback.desktop",
            "[Desktop Entry]\nDesktopNames=GNOME-Flashback;GNOME;\n");
        StateValues *s = detect();
        expect_words(s, "DE", "gnome");
        expect_source(s, "DE", "gnome: /usr/share/wayland-sessions/ubuntu.desktop");
        expect_words(s, "DS", "wayland x11");
        values_free(s);
}

Test(sysstate, sessions_bad_entries) {
        /* A directory, a broken link, a huge file, a name with a newline:
         * none crashes, the good one counts, the bad ones are named. */
        mkdirs("usr/share/wayland-sessions/gnome.desktop");
        link_to("usr/share/wayland-sessions/plasma.desktop", "/nonexistent");
        link_to("usr/share/wayland-sessions/loop.desktop", "loop.desktop");
        char *big = calloc(1, 100 * 1024 + 1);
        memset(big, 'x', 100 * 1024);
        put("usr/share/xsessions/xfce.desktop", big);
        free(big);
        put("usr/share/xsessions/evil\nname.desktop", "[Desktop Entry]\nDesktopNames=COSMIC\n");
        StateValues *s = detect();
        expect_words(s, "DE", "cosmic");
        expect_words(s, "DS", "x11");
        expect_source(s, "DE", "cosmic: /usr/share/xsessions/evil\\x0aname.desktop");
        cr_expect_null(strchr(s->source[STATE_DE], '\n'));
        values_free(s);
}

Test(sysstate, sessions_capped) {
        mkdirs("usr/share/xsessions");
        for (int i = 0; i < 1100; i++) {
                char name[64];
                snprintf(name, sizeof name, "usr/share/xsessions/s%04d.desktop", i);
                put(name, "[Desktop Entry]\n");
        }
        StateValues *s = detect();
        expect_words(s, "DS", "x11");
        expect_words(s, "DE", "none");
        expect_source(s, "DE", "only the first 1024 entries");
        values_free(s);
}

/* ---- the display manager ---- */

static StateValues *with_dm_link(const char *target) {
        link_to("etc/systemd/system/display-manager.service", target);
        return detect();
}

Test(sysstate, dm_gdm3) {
        /* Debian: an absolute link through the /lib -> usr/lib of merged /usr. */
        link_to("lib", "usr/lib");
        put("usr/lib/systemd/system/gdm.service", "[Unit]\n");
        link_to("usr/lib/systemd/system/gdm3.service", "gdm.service");
        StateValues *s = with_dm_link("/lib/systemd/system/gdm3.service");
        expect_words(s, "DM", "gdm");
        expect_source(s, "DM", "display-manager.service -> gdm3.service");
        values_free(s);
}

Test(sysstate, dm_sddm_and_lightdm) {
        put("usr/lib/systemd/system/sddm.service", "[Unit]\n");
        StateValues *s = with_dm_link("/usr/lib/systemd/system/sddm.service");
        expect_words(s, "DM", "sddm");
        values_free(s);

        char *p = at("etc/systemd/system/display-manager.service");
        cr_assert_eq(unlink(p), 0);
        free(p);
        put("usr/lib/systemd/system/lightdm.service", "[Unit]\n");
        s = with_dm_link("../../../usr/lib/systemd/system/lightdm.service");
        expect_words(s, "DM", "lightdm");
        expect_source(s, "DM", "display-manager.service -> lightdm.service");
        values_free(s);
}

Test(sysstate, dm_missing) {
        StateValues *s = detect();
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "default (no /etc/systemd/system/display-manager.service)");
        values_free(s);

        mkdirs("etc/systemd/system");
        s = detect();
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "default (no /etc/systemd/system/display-manager.service)");
        values_free(s);
}

Test(sysstate, dm_broken) {
        StateValues *s = with_dm_link("/usr/lib/systemd/system/gdm.service");
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "broken link");
        values_free(s);
}

Test(sysstate, dm_loop) {
        link_to("usr/lib/systemd/system/gdm.service", "gdm.service");
        StateValues *s = with_dm_link("/usr/lib/systemd/system/gdm.service");
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "too many levels of symbolic links");
        values_free(s);
}

Test(sysstate, dm_unknown) {
        put("usr/lib/systemd/system/greetd.service", "[Unit]\n");
        StateValues *s = with_dm_link("/usr/lib/systemd/system/greetd.service");
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "greetd.service: not gdm, sddm or lightdm");
        values_free(s);
}

Test(sysstate, dm_masked_and_not_a_link) {
        StateValues *s = with_dm_link("/dev/null");
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "masked");
        values_free(s);

        char *p = at("etc/systemd/system/display-manager.service");
        cr_assert_eq(unlink(p), 0);
        free(p);
        put("etc/systemd/system/display-manager.service", "[Service]\nExecStart=/usr/sbin/gdm3\n");
        s = detect();
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "not a symlink");
        values_free(s);
}

/* ---- PCI ---- */

/* A device as sysfs has it: the devices/ entry a relative link to the
 * device's directory. */
static void pci_device(const char *addr, const char *class, const char *vendor) {
        char dev[256], entry[512], target[512];

        snprintf(dev, sizeof dev, "sys/devices/pci0000:00/%s", addr);
        mkdirs(dev);
        if (class) {
                snprintf(entry, sizeof entry, "%s/class", dev);
                put(entry, class);
        }
        if (vendor) {
                snprintf(entry, sizeof entry, "%s/vendor", dev);
                put(entry, vendor);
        }
        snprintf(entry, sizeof entry, "sys/bus/pci/devices/%s", addr);
        snprintf(target, sizeof target, "../../../devices/pci0000:00/%s", addr);
        link_to(entry, target);
}

Test(sysstate, gpu_nvidia_and_intel) {
        pci_device("0000:00:00.0", "0x060000\n", "0x8086\n");   /* host bridge */
        pci_device("0000:00:02.0", "0x030000\n", "0x8086\n");   /* Intel VGA */
        pci_device("0000:01:00.0", "0x030200\n", "0x10DE\n");   /* NVIDIA 3D controller */
        pci_device("0000:01:00.1", "0x040300\n", "0x10de\n");   /* its HDMI audio */
        StateValues *s = detect();
        expect_words(s, "GPU", "intel nvidia");
        expect_source(s, "GPU", "PCI 0000:00:02.0 vendor 0x8086");
        expect_source(s, "GPU", "PCI 0000:01:00.0 vendor 0x10de");
        cr_expect_null(strstr(s->source[STATE_GPU], "0000:01:00.1"));
        values_free(s);
}

Test(sysstate, gpu_amd) {
        pci_device("0000:03:00.0", "0x038000\n", "0x1002\n");
        StateValues *s = detect();
        expect_words(s, "GPU", "amd");
        values_free(s);
}

Test(sysstate, gpu_non_display_ignored) {
        pci_device("0000:00:1f.3", "0x040300\n", "0x8086\n");
        pci_device("0000:02:00.0", "0x020000\n", "0x10de\n");
        StateValues *s = detect();
        expect_words(s, "GPU", "none");
        expect_source(s, "GPU", "default (no nvidia, amd or intel PCI display controller)");
        values_free(s);
}

Test(sysstate, gpu_bad_attributes) {
        pci_device("0000:00:02.0", "0x030000\n", NULL);                 /* no vendor */
        pci_device("0000:00:03.0", "0x030000\n", "nvidia\n");           /* not a number */
        pci_device("0000:00:04.0", "0x030000\n", "0x1234\n");           /* QEMU's VGA */
        pci_device("0000:00:05.0", NULL, "0x10de\n");                   /* no class */
        pci_device("0000:00:06.0", "\x01\x02garbage", "0x10de\n");
        mkdirs("sys/devices/pci0000:00/0000:00:07.0/vendor");           /* a directory */
        pci_device("0000:00:07.0", "0x030000\n", NULL);
        pci_device("0000:00:08.0", "0x030000\n", "0x10de\n");           /* the good one */
        mkdirs("sys/bus/pci/devices/not;an;address");
        StateValues *s = detect();
        expect_words(s, "GPU", "nvidia");
        expect_source(s, "GPU", "PCI 0000:00:08.0 vendor 0x10de");
        expect_source(s, "GPU", "PCI 0000:00:02.0 vendor No such file or directory");
        expect_source(s, "GPU", "PCI 0000:00:03.0 vendor not a number");
        expect_source(s, "GPU", "PCI 0000:00:04.0 vendor 0x1234: not nvidia, amd or intel");
        expect_source(s, "GPU", "PCI 0000:00:07.0 vendor Is a directory");
        values_free(s);
}

Test(sysstate, gpu_no_sysfs) {
        StateValues *s = detect();
        expect_words(s, "GPU", "none");
        expect_source(s, "GPU", "default (/sys/bus/pci/devices: does not exist)");
        values_free(s);
}

/* ---- the whole state: rendering, pins, comparison ---- */

static StateValues *desktop_system(void) {
        put("etc/os-release", "ID=debian\nVERSION_ID=\"13\"\n");
        put("usr/share/wayland-sessions/gnome.desktop", "[Desktop Entry]\nDesktopNames=GNOME\n");
        put("usr/share/wayland-sessions/plasma.desktop", "[Desktop Entry]\nDesktopNames=KDE\n");
        put("usr/share/xsessions/plasmax11.desktop", "[Desktop Entry]\nDesktopNames=KDE\n");
        put("usr/lib/systemd/system/gdm.service", "[Unit]\n");
        link_to("etc/systemd/system/display-manager.service", "/usr/lib/systemd/system/gdm.service");
        pci_device("0000:00:02.0", "0x030000\n", "0x8086\n");
        pci_device("0000:01:00.0", "0x030000\n", "0x10de\n");
        return detect();
}

/* What the parser reads: the header's comment, then the lines. */
static const char *lines_of(const char *text) {
        const char *l = strstr(text, "\n@");
        if (!l)
                l = strstr(text, "\n$");
        return l ? l + 1 : "";
}

Test(sysstate, file_text) {
        StateValues *s = desktop_system();
        char *text;

        text = state_values_file_text(s, "default");
        cr_assert_not_null(text);
        cr_expect(startswith(text, "# Written by aalevel(8) for the level default:"), "%s", text);
        cr_expect_str_eq(lines_of(text), "@{OS_FAMILY} := apt\n"
                                         "@{OS_ID} := debian\n"
                                         "@{OS_VERSION_ID} := 13\n"
                                         "@{DE} := gnome kde\n"
                                         "@{DM} := gdm\n"
                                         "@{DS} := wayland x11\n"
                                         "@{GPU} := intel nvidia\n");
        free(text);

        /* Unset values are left to the tree's own definition. */
        cr_assert_eq(state_values_set(s, STATE_OS_VERSION_ID, NULL, "unset (test)"), 0);
        text = state_values_file_text(s, "default");
        cr_expect_null(strstr(text, "OS_VERSION_ID"));
        free(text);

        /* The level's own variables: ${FSP} and ${RBAC} are booleans. */
        cr_assert_eq(state_values_set(s, STATE_LEVEL, (char *[]) { "1", NULL }, "level strict"), 0);
        cr_assert_eq(state_values_set(s, STATE_FSP, (char *[]) { "false", NULL }, "level strict"), 0);
        text = state_values_file_text(s, "strict");
        cr_expect(startswith(lines_of(text), "@{LEVEL} := 1\n${FSP} := false\n@{OS_FAMILY} := apt\n"), "%s", text);
        free(text);

        /* A word that would not be plain in policy never gets in. */
        cr_expect_eq(state_values_set(s, STATE_DE, (char *[]) { "kde", "x, /** rwx", NULL }, "test"), -EINVAL);
        cr_expect_str_eq(s->source[STATE_DE], "gnome: /usr/share/wayland-sessions/gnome.desktop; "
                                              "kde: /usr/share/wayland-sessions/plasma.desktop");
        cr_expect(strv_equal(s->values[STATE_DE], (char *[]) { "gnome", "kde", NULL }));
        values_free(s);

        /* Nothing at all: every variable but the unset OS ones. */
        remove_root();
        make_root();
        s = detect();
        text = state_values_file_text(s, "default");
        cr_expect_str_eq(lines_of(text), "@{DE} := none\n@{DM} := none\n@{DS} := none\n@{GPU} := none\n");
        free(text);
        values_free(s);
}

/* The cache keys cover only the variables a profile uses, and their
 * words, not where they came from. */
Test(sysstate, key_text_and_equal) {
        StateValues *a = desktop_system(), b = {};
        uint32_t mask = (UINT32_C(1) << STATE_DE) | (UINT32_C(1) << STATE_LEVEL);
        char *ka, *kb, *names;

        cr_assert_eq(state_values_copy(a, &b), 0);
        cr_expect(state_values_equal(a, &b));
        cr_assert_eq(state_values_set(&b, STATE_DE, a->values[STATE_DE], "somewhere else"), 0);
        cr_expect(state_values_equal(a, &b), "sources count");
        ka = state_values_key_text(a, mask);
        kb = state_values_key_text(&b, mask);
        cr_expect_str_eq(ka, "LEVEL=(tree)\nDE= gnome kde\n");
        cr_expect_str_eq(ka, kb);
        free(kb);

        cr_assert_eq(state_values_set(&b, STATE_DE, (char *[]) { "kde", NULL }, "level x"), 0);
        cr_expect_not(state_values_equal(a, &b));
        kb = state_values_key_text(&b, mask);
        cr_expect_str_neq(ka, kb);
        free(kb);
        free(ka);
        cr_expect_null(state_values_key_text(a, 0));

        /* Unset and set differ, even to nothing the policy would see. */
        cr_assert_eq(state_values_set(&b, STATE_DE, NULL, "unset"), 0);
        cr_expect_not(state_values_equal(a, &b));

        names = state_var_mask_to_string(mask);
        cr_expect_str_eq(names, "LEVEL DE");
        free(names);
        state_values_done(&b);
        values_free(a);
}

/* A level's pins over the detected values (runstate.c). */
Test(sysstate, level_pins) {
        StateValues *detected = desktop_system(), v = {};
        ResolvedLevel rl = { .name = (char *) "headless" };

        rl.state[STATE_LEVEL] = (char *[]) { "1", NULL };
        rl.state_from[STATE_LEVEL] = (char *) "strict";
        rl.state[STATE_RBAC] = (char *[]) { "false", NULL };
        rl.state[STATE_DE] = (char *[]) { "none", NULL };
        rl.state_from[STATE_DE] = (char *) "headless";
        rl.state[STATE_OS_VERSION_ID] = (char *[]) { "rolling", NULL };
        rl.state_from[STATE_OS_VERSION_ID] = (char *) "headless";

        cr_assert_eq(engine_state_for_level(detected, &rl, &v), 0);
        expect_words(&v, "LEVEL", "1");
        cr_expect_str_eq(v.source[STATE_LEVEL], "level strict");
        expect_words(&v, "RBAC", "false");
        cr_expect_str_eq(v.source[STATE_RBAC], "aalevel's default: no level of headless sets it");
        expect_words(&v, "DE", "none");
        cr_expect_str_eq(v.source[STATE_DE], "level headless");
        expect_words(&v, "OS_VERSION_ID", "rolling");
        /* Not pinned: as detected, source and all. */
        expect_words(&v, "GPU", "intel nvidia");
        cr_expect_str_eq(v.source[STATE_GPU], detected->source[STATE_GPU]);
        cr_expect_null(v.values[STATE_FSP]);
        state_values_done(&v);
        values_free(detected);
}

Test(sysstate, names_and_words) {
        size_t len;

        for (StateVar v = 0; v < _STATE_VAR_MAX; v++) {
                char ref[32];
                cr_expect_eq(state_var_from_string(state_var_to_string(v)), v);
                snprintf(ref, sizeof ref, "%s{%s} := x", state_var_is_boolean(v) ? "$" : "@",
                         state_var_to_string(v));
                cr_expect_eq(state_var_reference(ref, strlen(ref), &len), v, "%s", ref);
                cr_expect_eq(len, strlen(state_var_to_string(v)) + 3);
        }
        cr_expect_eq(state_var_from_string("OS"), _STATE_VAR_INVALID);
        cr_expect_eq(state_var_from_string("DEX"), _STATE_VAR_INVALID);
        cr_expect_eq(state_var_from_string("de"), _STATE_VAR_INVALID);
        cr_expect_eq(state_var_from_string("@{DE}"), _STATE_VAR_INVALID);
        cr_expect_eq(state_var_from_string(NULL), _STATE_VAR_INVALID);
        cr_expect_null(state_var_to_string(_STATE_VAR_MAX));
        cr_expect_eq(state_var_reference("${DE}", 5, NULL), _STATE_VAR_INVALID, "the sigil must match");
        cr_expect_eq(state_var_reference("@{FSP}", 6, NULL), _STATE_VAR_INVALID);
        cr_expect_eq(state_var_reference("@{}", 3, NULL), _STATE_VAR_INVALID);
        cr_expect_eq(state_var_reference("@{DE", 4, NULL), _STATE_VAR_INVALID);

        cr_expect(state_word_is_valid("opensuse-tumbleweed"));
        cr_expect(state_word_is_valid("24.04"));
        cr_expect(state_word_is_valid("a_B-9"));
        cr_expect(state_word_is_valid("1.0+deb13"), "'+' is a literal to AppArmor");
        cr_expect(state_word_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        cr_expect_not(state_word_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        cr_expect_not(state_word_is_valid(""));
        cr_expect_not(state_word_is_valid(NULL));
        cr_expect_not(state_word_is_valid("a b"));
        cr_expect_not(state_word_is_valid("a,"));
        cr_expect_not(state_word_is_valid("@{x}"));
        cr_expect_not(state_word_is_valid("a*"));
        cr_expect_not(state_word_is_valid("a}"));
        cr_expect_not(state_word_is_valid("a\n"));
        cr_expect_not(state_word_is_valid("d\xc3\xa9"));
}

Test(sysstate, watch_paths) {
        char **l = sysstate_watch_paths("/");
        cr_expect(strv_equal(l, (char *[]) { "/etc/os-release", "/usr/lib/os-release", "/usr/share/wayland-sessions",
                                             "/usr/share/xsessions", "/etc/systemd/system/display-manager.service",
                                             NULL }));
        strv_free(l);
        l = sysstate_watch_paths("/image/");
        cr_expect_str_eq(l[0], "/image/etc/os-release");
        cr_expect_str_eq(l[4], "/image/etc/systemd/system/display-manager.service");
        strv_free(l);
        l = sysstate_watch_paths(NULL);
        cr_expect_str_eq(l[0], "/etc/os-release");
        strv_free(l);
}

/* The machine the tests run on: whatever it has, every detected value is
 * set or says why not, and what is written is plain words. */
Test(sysstate, this_system) {
        StateValues s = {};
        char *text;

        cr_assert_eq(sysstate_detect("/", &s), 0);
        for (StateVar v = STATE_OS_FAMILY; v <= STATE_GPU; v++) {
                cr_expect_not_null(s.source[v]);
                STRV_FOREACH(w, s.values[v])
                        cr_expect(state_word_is_valid(*w));
        }
        text = state_values_file_text(&s, "default");
        cr_assert_not_null(text);
        cr_expect(strstr(text, "@{GPU} := "), "%s", text);
        free(text);
        state_values_done(&s);
}

/* The manager's watch drops the events of aalevel's own writes of its
 * state file (statevars.h): the same path holding what aalevel wrote. */
Test(sysstate, own_write_of_the_state_file) {
        _cleanup_free_ char *file = at("state.d/aalevel"), *other = at("state.d/other");
        const char *text = "# aalevel\n@{LEVEL} := 1\n";

        put("state.d/aalevel", text);
        put("state.d/other", text);
        cr_assert(state_file_is_own_write(file, file, text));
        cr_assert_not(state_file_is_own_write(other, file, text), "another file");
        cr_assert_not(state_file_is_own_write(file, NULL, NULL), "nothing written yet");
        cr_assert_not(state_file_is_own_write(file, file, NULL));
        put("state.d/aalevel", "# aalevel\n@{LEVEL} := 3\n");
        cr_assert_not(state_file_is_own_write(file, file, text), "edited by someone else");
        cr_assert_eq(unlink(file), 0);
        cr_assert_not(state_file_is_own_write(file, file, text), "removed");
}
