/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The system state detection, on roots made in temporary directories:
 * os-release variants and attacks, session files, display-manager links,
 * PCI devices, pins and the rendered policy text. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
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

static SysState *detect(void) {
        SysState *s = NULL;
        cr_assert_eq(sysstate_detect(root, &s), 0);
        cr_assert_not_null(s);
        for (SysStateVar v = 0; v < _SYSSTATE_VAR_MAX; v++)
                cr_assert_not_null(s->values[v].source, "%s has no source", sysstate_var_to_string(v));
        return s;
}

/* The words joined with spaces ("" when unset), for short assertions. */
static char *words(const SysState *s, const char *name) {
        const SysStateValue *v = sysstate_get(s, name);
        cr_assert_not_null(v, "%s", name);
        return v->words ? strv_join(v->words, " ") : strdup("");
}

#define expect_words(s, name, want)                                                          \
        do {                                                                                  \
                char *_w = words((s), (name));                                                \
                cr_expect_str_eq(_w, (want), "%s: got '%s', want '%s' (source: %s)", (name), _w, \
                                 (want), sysstate_get((s), (name))->source);                  \
                free(_w);                                                                     \
        } while (0)

#define expect_source(s, name, part)                                                          \
        do {                                                                                  \
                const char *_src = sysstate_get((s), (name))->source;                         \
                cr_expect(_src && strstr(_src, (part)), "%s: source '%s' lacks '%s'", (name), _src, (part)); \
        } while (0)

/* ---- os-release ---- */

static SysState *with_os_release(const char *text) {
        put("etc/os-release", text);
        return detect();
}

Test(sysstate, os_release_quoted_unquoted) {
        SysState *s = with_os_release("PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\n"
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
        sysstate_free(s);
}

Test(sysstate, os_release_single_quotes_comments_last_wins) {
        SysState *s = with_os_release("# a comment\n"
                                      "\n"
                                      "ID=fedora\n"
                                      "  ID='ubuntu'   # the second one wins\n"
                                      "VERSION_ID=24.04\n"
                                      "VERSION_ID=\"24\"'.'10\n");
        expect_words(s, "OS_ID", "ubuntu");
        expect_words(s, "OS_VERSION_ID", "24.10");
        expect_words(s, "OS_FAMILY", "apt");
        sysstate_free(s);
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
                SysState *s;
                char *p = at("etc/os-release");
                unlink(p);
                free(p);
                s = with_os_release(cases[i].text);
                expect_words(s, "OS_FAMILY", cases[i].family);
                expect_source(s, "OS_FAMILY", cases[i].source);
                sysstate_free(s);
        }
}

Test(sysstate, os_release_missing_and_fallback) {
        SysState *s = detect();
        for (SysStateVar v = SYSSTATE_OS_FAMILY; v <= SYSSTATE_OS_VERSION_ID; v++) {
                cr_expect_null(s->values[v].words);
                cr_expect(strstr(s->values[v].source, "unset (neither /etc/os-release nor /usr/lib/os-release"),
                          "%s", s->values[v].source);
        }
        sysstate_free(s);

        /* /usr/lib/os-release when /etc has none. */
        put("usr/lib/os-release", "ID=arch\nVERSION_ID=rolling\n");
        s = detect();
        expect_words(s, "OS_ID", "arch");
        expect_words(s, "OS_VERSION_ID", "rolling");
        expect_source(s, "OS_ID", "/usr/lib/os-release ID");
        sysstate_free(s);

        /* Debian's relative link /etc/os-release -> ../usr/lib/os-release. */
        mkdirs("etc");
        link_to("etc/os-release", "../usr/lib/os-release");
        s = detect();
        expect_words(s, "OS_ID", "arch");
        expect_source(s, "OS_ID", "/etc/os-release ID");
        sysstate_free(s);

        /* An absolute link is resolved inside the root, not on the host. */
        char *p = at("etc/os-release");
        cr_assert_eq(unlink(p), 0);
        free(p);
        put("usr/lib/os-release", "ID=pureimage\n");
        link_to("etc/os-release", "/usr/lib/os-release");
        s = detect();
        expect_words(s, "OS_ID", "pureimage");
        sysstate_free(s);

        /* A dangling /etc/os-release: the /usr/lib one, as os-release(5) says. */
        p = at("etc/os-release");
        cr_assert_eq(unlink(p), 0);
        free(p);
        link_to("etc/os-release", "/nonexistent");
        s = detect();
        expect_words(s, "OS_ID", "pureimage");
        expect_source(s, "OS_ID", "/usr/lib/os-release");
        sysstate_free(s);
}

Test(sysstate, os_release_no_version_id) {
        SysState *s = with_os_release("ID=debian\nVERSION_CODENAME=forky\n");
        expect_words(s, "OS_ID", "debian");
        expect_words(s, "OS_VERSION_ID", "");
        expect_source(s, "OS_VERSION_ID", "unset (/etc/os-release has no VERSION_ID)");
        sysstate_free(s);
}

Test(sysstate, os_release_garbage) {
        SysState *s = with_os_release("this is not an os-release file\n"
                                      "=\n"
                                      "ID\n"
                                      "VERSION_ID=\"unterminated\n"
                                      "ID_LIKE='also unterminated\n");
        expect_words(s, "OS_ID", "");
        expect_source(s, "OS_ID", "unset (/etc/os-release has no ID)");
        expect_words(s, "OS_VERSION_ID", "");
        expect_source(s, "OS_VERSION_ID", "line 4: VERSION_ID is not a valid assignment");
        expect_words(s, "OS_FAMILY", "");
        sysstate_free(s);

        /* Binary data. */
        static const char bin[] = "ID=debian\n\0\x01\x02VERSION_ID=1\n";
        char *p = at("etc/os-release");
        unlink(p);
        free(p);
        put_size("etc/os-release", bin, sizeof bin - 1);
        s = detect();
        expect_words(s, "OS_ID", "");
        expect_source(s, "OS_ID", "/etc/os-release: binary data");
        sysstate_free(s);

        /* A directory where the file should be: no fallback, a reason. */
        p = at("etc/os-release");
        unlink(p);
        free(p);
        mkdirs("etc/os-release");
        put("usr/lib/os-release", "ID=debian\n");
        s = detect();
        expect_words(s, "OS_ID", "");
        expect_source(s, "OS_ID", "/etc/os-release: Is a directory");
        sysstate_free(s);
}

Test(sysstate, os_release_huge) {
        size_t size = 200 * 1024;
        char *big = malloc(size + 1);
        memset(big, '#', size);
        memcpy(big, "ID=debian\n", 10);
        big[size] = '\0';
        put_size("etc/os-release", big, size);
        SysState *s = detect();
        expect_words(s, "OS_ID", "");
        expect_source(s, "OS_ID", "/etc/os-release: too large");
        sysstate_free(s);
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
        sysstate_free(s);
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
                SysState *s;

                unlink(p);
                free(p);
                s = with_os_release(attacks[i]);
                cr_expect_null(s->values[SYSSTATE_OS_ID].words, "case %zu taken: %s", i,
                               s->values[SYSSTATE_OS_ID].words ? s->values[SYSSTATE_OS_ID].words[0] : "");
                cr_expect(strstr(s->values[SYSSTATE_OS_ID].source, "unset (/etc/os-release"), "case %zu: %s", i,
                          s->values[SYSSTATE_OS_ID].source);
                cr_assert_eq(sysstate_render(s, &text), 0);
                cr_expect_null(strstr(text, "OS_ID"), "case %zu rendered: %s", i, text);
                cr_expect_null(strstr(text, "rwx"), "case %zu rendered: %s", i, text);
                free(text);
                sysstate_free(s);
        }
}

/* ---- sessions ---- */

Test(sysstate, sessions_none) {
        SysState *s = detect();
        expect_words(s, "DE", "none");
        expect_words(s, "DS", "none");
        expect_source(s, "DE", "default (");
        expect_source(s, "DS", "default (no session file");
        sysstate_free(s);

        /* Empty directories are no different. */
        mkdirs("usr/share/wayland-sessions");
        mkdirs("usr/share/xsessions");
        s = detect();
        expect_words(s, "DE", "none");
        expect_words(s, "DS", "none");
        sysstate_free(s);
}

Test(sysstate, sessions_gnome_and_kde) {
        put("usr/share/wayland-sessions/gnome.desktop",
            "[Desktop Entry]\nName=GNOME\nExec=/usr/bin/gnome-session\nDesktopNames=GNOME\n");
        put("usr/share/xsessions/gnome-xorg.desktop", "[Desktop Entry]\nName=GNOME on Xorg\nDesktopNames=GNOME\n");
        put("usr/share/wayland-sessions/plasma.desktop", "[Desktop Entry]\nName=Plasma (Wayland)\nDesktopNames=KDE\n");
        put("usr/share/xsessions/plasmax11.desktop", "[Desktop Entry]\nName=Plasma (X11)\n");
        put("usr/share/xsessions/README", "not a session");
        SysState *s = detect();
        expect_words(s, "DE", "gnome kde");
        expect_words(s, "DS", "wayland x11");
        expect_source(s, "DE", "gnome: /usr/share/wayland-sessions/gnome.desktop");
        expect_source(s, "DE", "kde: /usr/share/wayland-sessions/plasma.desktop");
        expect_source(s, "DS", "wayland: /usr/share/wayland-sessions/gnome.desktop");
        expect_source(s, "DS", "x11: /usr/share/xsessions/gnome-xorg.desktop");
        sysstate_free(s);
}

Test(sysstate, sessions_wayland_only) {
        put("usr/share/wayland-sessions/cosmic.desktop", "[Desktop Entry]\nName=COSMIC\n");
        put("usr/share/wayland-sessions/sway.desktop", "[Desktop Entry]\nName=Sway\n");
        mkdirs("usr/share/xsessions");
        SysState *s = detect();
        expect_words(s, "DE", "cosmic");
        expect_words(s, "DS", "wayland");
        sysstate_free(s);
}

Test(sysstate, sessions_x11_only) {
        put("usr/share/xsessions/xfce.desktop", "[Desktop Entry]\nName=Xfce Session\nDesktopNames=XFCE\n");
        put("usr/share/xsessions/i3.desktop", "[Desktop Entry]\nName=i3\n");
        SysState *s = detect();
        expect_words(s, "DE", "xfce");
        expect_words(s, "DS", "x11");
        sysstate_free(s);
}

Test(sysstate, sessions_other_wm_only) {
        put("usr/share/wayland-sessions/sway.desktop", "[Desktop Entry]\nName=Sway\nDesktopNames=sway\n");
        SysState *s = detect();
        expect_words(s, "DE", "none");
        expect_words(s, "DS", "wayland");
        sysstate_free(s);
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
        SysState *s = detect();
        expect_words(s, "DE", "gnome");
        expect_source(s, "DE", "gnome: /usr/share/wayland-sessions/ubuntu.desktop");
        expect_words(s, "DS", "wayland x11");
        sysstate_free(s);
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
        SysState *s = detect();
        expect_words(s, "DE", "cosmic");
        expect_words(s, "DS", "x11");
        expect_source(s, "DE", "cosmic: /usr/share/xsessions/evil\\x0aname.desktop");
        cr_expect_null(strchr(sysstate_get(s, "DE")->source, '\n'));
        sysstate_free(s);
}

Test(sysstate, sessions_capped) {
        mkdirs("usr/share/xsessions");
        for (int i = 0; i < 1100; i++) {
                char name[64];
                snprintf(name, sizeof name, "usr/share/xsessions/s%04d.desktop", i);
                put(name, "[Desktop Entry]\n");
        }
        SysState *s = detect();
        expect_words(s, "DS", "x11");
        expect_words(s, "DE", "none");
        expect_source(s, "DE", "only the first 1024 entries");
        sysstate_free(s);
}

/* ---- the display manager ---- */

static SysState *with_dm_link(const char *target) {
        link_to("etc/systemd/system/display-manager.service", target);
        return detect();
}

Test(sysstate, dm_gdm3) {
        /* Debian: an absolute link through the /lib -> usr/lib of merged /usr. */
        link_to("lib", "usr/lib");
        put("usr/lib/systemd/system/gdm.service", "[Unit]\n");
        link_to("usr/lib/systemd/system/gdm3.service", "gdm.service");
        SysState *s = with_dm_link("/lib/systemd/system/gdm3.service");
        expect_words(s, "DM", "gdm");
        expect_source(s, "DM", "display-manager.service -> gdm3.service");
        sysstate_free(s);
}

Test(sysstate, dm_sddm_and_lightdm) {
        put("usr/lib/systemd/system/sddm.service", "[Unit]\n");
        SysState *s = with_dm_link("/usr/lib/systemd/system/sddm.service");
        expect_words(s, "DM", "sddm");
        sysstate_free(s);

        char *p = at("etc/systemd/system/display-manager.service");
        cr_assert_eq(unlink(p), 0);
        free(p);
        put("usr/lib/systemd/system/lightdm.service", "[Unit]\n");
        s = with_dm_link("../../../usr/lib/systemd/system/lightdm.service");
        expect_words(s, "DM", "lightdm");
        expect_source(s, "DM", "display-manager.service -> lightdm.service");
        sysstate_free(s);
}

Test(sysstate, dm_missing) {
        SysState *s = detect();
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "default (no /etc/systemd/system/display-manager.service)");
        sysstate_free(s);

        mkdirs("etc/systemd/system");
        s = detect();
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "default (no /etc/systemd/system/display-manager.service)");
        sysstate_free(s);
}

Test(sysstate, dm_broken) {
        SysState *s = with_dm_link("/usr/lib/systemd/system/gdm.service");
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "broken link");
        sysstate_free(s);
}

Test(sysstate, dm_loop) {
        link_to("usr/lib/systemd/system/gdm.service", "gdm.service");
        SysState *s = with_dm_link("/usr/lib/systemd/system/gdm.service");
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "too many levels of symbolic links");
        sysstate_free(s);
}

Test(sysstate, dm_unknown) {
        put("usr/lib/systemd/system/greetd.service", "[Unit]\n");
        SysState *s = with_dm_link("/usr/lib/systemd/system/greetd.service");
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "greetd.service: not gdm, sddm or lightdm");
        sysstate_free(s);
}

Test(sysstate, dm_masked_and_not_a_link) {
        SysState *s = with_dm_link("/dev/null");
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "masked");
        sysstate_free(s);

        char *p = at("etc/systemd/system/display-manager.service");
        cr_assert_eq(unlink(p), 0);
        free(p);
        put("etc/systemd/system/display-manager.service", "[Service]\nExecStart=/usr/sbin/gdm3\n");
        s = detect();
        expect_words(s, "DM", "none");
        expect_source(s, "DM", "not a symlink");
        sysstate_free(s);
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
        SysState *s = detect();
        expect_words(s, "GPU", "intel nvidia");
        expect_source(s, "GPU", "PCI 0000:00:02.0 vendor 0x8086");
        expect_source(s, "GPU", "PCI 0000:01:00.0 vendor 0x10de");
        cr_expect_null(strstr(sysstate_get(s, "GPU")->source, "0000:01:00.1"));
        sysstate_free(s);
}

Test(sysstate, gpu_amd) {
        pci_device("0000:03:00.0", "0x038000\n", "0x1002\n");
        SysState *s = detect();
        expect_words(s, "GPU", "amd");
        sysstate_free(s);
}

Test(sysstate, gpu_non_display_ignored) {
        pci_device("0000:00:1f.3", "0x040300\n", "0x8086\n");
        pci_device("0000:02:00.0", "0x020000\n", "0x10de\n");
        SysState *s = detect();
        expect_words(s, "GPU", "none");
        expect_source(s, "GPU", "default (no nvidia, amd or intel PCI display controller)");
        sysstate_free(s);
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
        SysState *s = detect();
        expect_words(s, "GPU", "nvidia");
        expect_source(s, "GPU", "PCI 0000:00:08.0 vendor 0x10de");
        expect_source(s, "GPU", "PCI 0000:00:02.0 vendor No such file or directory");
        expect_source(s, "GPU", "PCI 0000:00:03.0 vendor not a number");
        expect_source(s, "GPU", "PCI 0000:00:04.0 vendor 0x1234: not nvidia, amd or intel");
        expect_source(s, "GPU", "PCI 0000:00:07.0 vendor Is a directory");
        sysstate_free(s);
}

Test(sysstate, gpu_no_sysfs) {
        SysState *s = detect();
        expect_words(s, "GPU", "none");
        expect_source(s, "GPU", "default (/sys/bus/pci/devices: does not exist)");
        sysstate_free(s);
}

/* ---- the whole state: rendering, pins, comparison ---- */

static SysState *desktop_system(void) {
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

Test(sysstate, render) {
        SysState *s = desktop_system();
        char *text = NULL;

        cr_assert_eq(sysstate_render(s, &text), 0);
        cr_expect_str_eq(text, "@{OS_FAMILY} := apt\n"
                               "@{OS_ID} := debian\n"
                               "@{OS_VERSION_ID} := 13\n"
                               "@{DE} := gnome kde\n"
                               "@{DM} := gdm\n"
                               "@{DS} := wayland x11\n"
                               "@{GPU} := intel nvidia\n");
        free(text);

        /* Unset values are left to the tree's own definition. */
        s->values[SYSSTATE_OS_VERSION_ID].words = (strv_free(s->values[SYSSTATE_OS_VERSION_ID].words), NULL);
        cr_assert_eq(sysstate_render(s, &text), 0);
        cr_expect_null(strstr(text, "OS_VERSION_ID"));
        free(text);

        /* A word that got in anyway is refused, not written. */
        cr_assert_eq(strv_extend(&s->values[SYSSTATE_DE].words, "x, /** rwx"), 0);
        cr_expect_eq(sysstate_render(s, &text), -EINVAL);
        sysstate_free(s);

        /* Nothing at all: every variable but the unset OS ones. */
        remove_root();
        make_root();
        s = detect();
        cr_assert_eq(sysstate_render(s, &text), 0);
        cr_expect_str_eq(text, "@{DE} := none\n@{DM} := none\n@{DS} := none\n@{GPU} := none\n");
        free(text);
        sysstate_free(s);
}

Test(sysstate, pins) {
        SysState *s = desktop_system(), *orig = sysstate_copy(s);
        char *error = NULL, *text = NULL, **changed = NULL;

        cr_assert_not_null(orig);
        cr_assert(sysstate_equal(s, orig));
        cr_assert_eq(sysstate_pin(s, "@{GPU}", (char *[]) { "none", NULL }, "strict", &error), 0);
        cr_assert_eq(sysstate_pin(s, "DE", (char *[]) { "xfce", "gnome", "xfce", NULL }, "strict", &error), 0);
        expect_words(s, "GPU", "none");
        expect_words(s, "DE", "gnome xfce");
        cr_expect_str_eq(sysstate_get(s, "DE")->source, "level strict");
        cr_assert_not(sysstate_equal(s, orig));
        cr_assert_eq(sysstate_changed(orig, s, &changed), 0);
        cr_expect(strv_equal(changed, (char *[]) { "DE", "GPU", NULL }));
        strv_free(changed);

        /* OS_VERSION_ID had no value: a pin gives it one. */
        cr_assert_eq(sysstate_pin(s, "OS_VERSION_ID", (char *[]) { "rolling", NULL }, "fsp", NULL), 0);
        cr_assert_eq(sysstate_render(s, &text), 0);
        cr_expect(strstr(text, "@{OS_VERSION_ID} := rolling\n"), "%s", text);
        cr_expect(strstr(text, "@{GPU} := none\n"), "%s", text);
        free(text);

        /* Bad pins change nothing and say why. */
        SysState *before = sysstate_copy(s);
        static const struct {
                const char *name;
                char *words[4];
                const char *want;
        } bad[] = {
                { "LEVEL", { "1", NULL }, "unknown state variable 'LEVEL'" },
                { "@{DE", { "kde", NULL }, "unknown state variable" },
                { "de", { "kde", NULL }, "unknown state variable" },
                { "DE", { NULL }, "DE: no words" },
                { "DE", { "kde", "x, /** rwx", NULL }, "DE: 'x, /** rwx' is not a plain word" },
                { "DM", { "", NULL }, "is not a plain word" },
                { "DM", { "gdm\n/**", NULL }, "DM: 'gdm\\x0a/**' is not a plain word" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                cr_expect_eq(sysstate_pin(s, bad[i].name, (char **) bad[i].words, "strict", &error), -EINVAL,
                             "case %zu", i);
                cr_expect(error && strstr(error, bad[i].want), "case %zu: got '%s', want '%s'", i, error,
                          bad[i].want);
                free(error);
                error = NULL;
                cr_expect(sysstate_equal(s, before));
        }
        sysstate_free(before);
        sysstate_free(orig);
        sysstate_free(s);
}

Test(sysstate, compare_and_names) {
        SysState *a = desktop_system(), *b = sysstate_copy(a);
        char **changed = NULL;

        /* Sources do not count: what the policy sees is the same. */
        free(b->values[SYSSTATE_OS_ID].source);
        b->values[SYSSTATE_OS_ID].source = strdup("/usr/lib/os-release ID");
        cr_expect(sysstate_equal(a, b));
        cr_assert_eq(sysstate_changed(a, b, &changed), 0);
        cr_expect_eq(strv_length(changed), 0);
        strv_free(changed);
        cr_assert_eq(sysstate_changed(NULL, b, &changed), 0);
        cr_expect_eq(strv_length(changed), _SYSSTATE_VAR_MAX);
        strv_free(changed);
        cr_expect_not(sysstate_equal(a, NULL));
        cr_expect(sysstate_equal(NULL, NULL));

        for (SysStateVar v = 0; v < _SYSSTATE_VAR_MAX; v++) {
                char braced[32];
                cr_expect_eq(sysstate_var_from_string(sysstate_var_to_string(v)), v);
                snprintf(braced, sizeof braced, "@{%s}", sysstate_var_to_string(v));
                cr_expect_eq(sysstate_var_from_string(braced), v);
        }
        cr_expect_eq(sysstate_var_from_string("@{}"), _SYSSTATE_VAR_INVALID);
        cr_expect_eq(sysstate_var_from_string("OS"), _SYSSTATE_VAR_INVALID);
        cr_expect_eq(sysstate_var_from_string("DEX"), _SYSSTATE_VAR_INVALID);
        cr_expect_eq(sysstate_var_from_string(NULL), _SYSSTATE_VAR_INVALID);
        cr_expect_null(sysstate_var_to_string(_SYSSTATE_VAR_MAX));
        cr_expect_null(sysstate_get(a, "LEVEL"));

        cr_expect(sysstate_word_is_valid("opensuse-tumbleweed"));
        cr_expect(sysstate_word_is_valid("24.04"));
        cr_expect(sysstate_word_is_valid("a_B-9"));
        cr_expect_not(sysstate_word_is_valid(""));
        cr_expect_not(sysstate_word_is_valid(NULL));
        cr_expect_not(sysstate_word_is_valid("a b"));
        cr_expect_not(sysstate_word_is_valid("a,"));
        cr_expect_not(sysstate_word_is_valid("@{x}"));
        cr_expect_not(sysstate_word_is_valid("a*"));
        sysstate_free(a);
        sysstate_free(b);
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

/* The machine the tests run on: whatever it has, every value is set or
 * says why not, and what is rendered is plain words. */
Test(sysstate, this_system) {
        SysState *s = NULL;
        char *text = NULL;

        cr_assert_eq(sysstate_detect("/", &s), 0);
        for (SysStateVar v = 0; v < _SYSSTATE_VAR_MAX; v++) {
                cr_expect_not_null(s->values[v].source);
                STRV_FOREACH(w, s->values[v].words)
                        cr_expect(sysstate_word_is_valid(*w));
        }
        cr_assert_eq(sysstate_render(s, &text), 0);
        cr_expect(strstr(text, "@{GPU} := "), "%s", text);
        free(text);
        sysstate_free(s);
}
