/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IDL of org.aalevel.Manager. Every method, field and error has a
 * comment: `varlinkctl introspect` prints them, and tests/docs/check
 * holds doc/varlink-api.md to this file. */
#include "varlink-idl.h"

static SD_VARLINK_DEFINE_STRUCT_TYPE(
                Progress,
                SD_VARLINK_FIELD_COMMENT("What is being done: compile or load."),
                SD_VARLINK_DEFINE_FIELD(phase, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("How many pieces of work of the phase are done."),
                SD_VARLINK_DEFINE_FIELD(done, SD_VARLINK_INT, 0),
                SD_VARLINK_FIELD_COMMENT("How many pieces of work the phase has in all."),
                SD_VARLINK_DEFINE_FIELD(total, SD_VARLINK_INT, 0),
                SD_VARLINK_FIELD_COMMENT("The file being worked on, or an empty string."),
                SD_VARLINK_DEFINE_FIELD(current, SD_VARLINK_STRING, 0));

static SD_VARLINK_DEFINE_STRUCT_TYPE(
                Level,
                SD_VARLINK_FIELD_COMMENT("The level's name."),
                SD_VARLINK_DEFINE_FIELD(name, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("The level it inherits from, or an empty string for a root level."),
                SD_VARLINK_DEFINE_FIELD(inherits, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("What the level is for, from its file."),
                SD_VARLINK_DEFINE_FIELD(description, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("The file that defines it."),
                SD_VARLINK_DEFINE_FIELD(file, SD_VARLINK_STRING, 0));

static SD_VARLINK_DEFINE_STRUCT_TYPE(
                Profile,
                SD_VARLINK_FIELD_COMMENT("The profile's name; empty for a file that failed and never loaded."),
                SD_VARLINK_DEFINE_FIELD(name, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("Its mode as the kernel reports it (enforce, complain, kill, unconfined), "
                                         "empty when it is not in the kernel."),
                SD_VARLINK_DEFINE_FIELD(mode, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("The profile file it comes from."),
                SD_VARLINK_DEFINE_FIELD(file, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("loaded, failed (did not compile), modified (replaced in the kernel by "
                                         "someone else) or missing (not in the kernel)."),
                SD_VARLINK_DEFINE_FIELD(status, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("For a failed file, FILE:LINE: error; else empty."),
                SD_VARLINK_DEFINE_FIELD(message, SD_VARLINK_STRING, 0));

static SD_VARLINK_DEFINE_STRUCT_TYPE(
                Change,
                SD_VARLINK_FIELD_COMMENT("The profile's name."),
                SD_VARLINK_DEFINE_FIELD(name, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("add, remove, mode or recompile."),
                SD_VARLINK_DEFINE_FIELD(change, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("For a mode change, from and to (complain -> enforce); else empty."),
                SD_VARLINK_DEFINE_FIELD(detail, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("The profile file."),
                SD_VARLINK_DEFINE_FIELD(file, SD_VARLINK_STRING, 0));

static SD_VARLINK_DEFINE_STRUCT_TYPE(
                Failure,
                SD_VARLINK_FIELD_COMMENT("The profile file that failed to compile."),
                SD_VARLINK_DEFINE_FIELD(file, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("The profile's name when known, else empty."),
                SD_VARLINK_DEFINE_FIELD(name, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("The file the parser blamed (the profile or one it includes)."),
                SD_VARLINK_DEFINE_FIELD(errorFile, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("The line the parser blamed, 0 when unknown."),
                SD_VARLINK_DEFINE_FIELD(line, SD_VARLINK_INT, 0),
                SD_VARLINK_FIELD_COMMENT("The parser's message."),
                SD_VARLINK_DEFINE_FIELD(message, SD_VARLINK_STRING, 0));

static SD_VARLINK_DEFINE_METHOD(
                GetStatus,
                SD_VARLINK_FIELD_COMMENT("The daemon's version."),
                SD_VARLINK_DEFINE_OUTPUT(version, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("The level whose policy is in the kernel; empty until the first is applied."),
                SD_VARLINK_DEFINE_OUTPUT(level, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("The level being applied, or applied and awaiting Confirm; empty when none."),
                SD_VARLINK_DEFINE_OUTPUT(pendingLevel, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("starting, idle, compiling, loading, waiting-confirm or failed."),
                SD_VARLINK_DEFINE_OUTPUT(state, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("Where the selection came from: default, config, set or kernel-cmdline."),
                SD_VARLINK_DEFINE_OUTPUT(levelSource, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("CLOCK_REALTIME microseconds at which the pending level reverts; 0 when none."),
                SD_VARLINK_DEFINE_OUTPUT(confirmDeadline, SD_VARLINK_INT, 0),
                SD_VARLINK_FIELD_COMMENT("The level a missing confirmation returns to; empty when nothing waits."),
                SD_VARLINK_DEFINE_OUTPUT(revertLevel, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("Profiles aalevel has in the kernel for the current level."),
                SD_VARLINK_DEFINE_OUTPUT(profilesLoaded, SD_VARLINK_INT, 0),
                SD_VARLINK_FIELD_COMMENT("Profile files that failed to compile (their previous version stays loaded)."),
                SD_VARLINK_DEFINE_OUTPUT(profilesFailed, SD_VARLINK_INT, 0),
                SD_VARLINK_FIELD_COMMENT("Profiles replaced in the kernel by someone else since aalevel loaded them."),
                SD_VARLINK_DEFINE_OUTPUT(profilesModified, SD_VARLINK_INT, 0),
                SD_VARLINK_FIELD_COMMENT("CLOCK_REALTIME microseconds of the end of the last apply or reload; 0 if none."),
                SD_VARLINK_DEFINE_OUTPUT(lastReload, SD_VARLINK_INT, 0),
                SD_VARLINK_FIELD_COMMENT("How long the last apply or reload took, in microseconds."),
                SD_VARLINK_DEFINE_OUTPUT(lastReloadDuration, SD_VARLINK_INT, 0),
                SD_VARLINK_FIELD_COMMENT("Configuration problems in force, each FILE:LINE: message."),
                SD_VARLINK_DEFINE_OUTPUT(errors, SD_VARLINK_STRING, SD_VARLINK_ARRAY));

static SD_VARLINK_DEFINE_METHOD_FULL(
                SetLevel,
                SD_VARLINK_SUPPORTS_MORE,
                SD_VARLINK_FIELD_COMMENT("The level to switch to."),
                SD_VARLINK_DEFINE_INPUT(level, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("Seconds after which the daemon reverts unless Confirm is called; 0 no "
                                         "confirmation; absent (or 4294967295) the level's own confirm: setting."),
                SD_VARLINK_DEFINE_INPUT(confirmSeconds, SD_VARLINK_INT, SD_VARLINK_NULLABLE),
                SD_VARLINK_FIELD_COMMENT("Reply once the request is accepted, not when the level is in the kernel."),
                SD_VARLINK_DEFINE_INPUT(noBlock, SD_VARLINK_BOOL, SD_VARLINK_NULLABLE),
                SD_VARLINK_FIELD_COMMENT("polkit may ask the caller to authenticate."),
                SD_VARLINK_DEFINE_INPUT(allowInteractiveAuthentication, SD_VARLINK_BOOL, SD_VARLINK_NULLABLE),
                SD_VARLINK_FIELD_COMMENT("With more: the work running now, one reply each; absent in the last reply."),
                SD_VARLINK_DEFINE_OUTPUT_BY_TYPE(progress, Progress, SD_VARLINK_NULLABLE));

static SD_VARLINK_DEFINE_METHOD(
                Confirm,
                SD_VARLINK_FIELD_COMMENT("polkit may ask the caller to authenticate."),
                SD_VARLINK_DEFINE_INPUT(allowInteractiveAuthentication, SD_VARLINK_BOOL, SD_VARLINK_NULLABLE));

static SD_VARLINK_DEFINE_METHOD_FULL(
                Reload,
                SD_VARLINK_SUPPORTS_MORE,
                SD_VARLINK_FIELD_COMMENT("Reply once the request is accepted, not when the reload is done."),
                SD_VARLINK_DEFINE_INPUT(noBlock, SD_VARLINK_BOOL, SD_VARLINK_NULLABLE),
                SD_VARLINK_FIELD_COMMENT("polkit may ask the caller to authenticate."),
                SD_VARLINK_DEFINE_INPUT(allowInteractiveAuthentication, SD_VARLINK_BOOL, SD_VARLINK_NULLABLE),
                SD_VARLINK_FIELD_COMMENT("With more: the work running now, one reply each; absent in the last reply."),
                SD_VARLINK_DEFINE_OUTPUT_BY_TYPE(progress, Progress, SD_VARLINK_NULLABLE));

static SD_VARLINK_DEFINE_METHOD(
                ListLevels,
                SD_VARLINK_FIELD_COMMENT("Every level known, sorted by name."),
                SD_VARLINK_DEFINE_OUTPUT_BY_TYPE(levels, Level, SD_VARLINK_ARRAY));

static SD_VARLINK_DEFINE_METHOD(
                ListProfiles,
                SD_VARLINK_FIELD_COMMENT("What aalevel manages for the current level."),
                SD_VARLINK_DEFINE_OUTPUT_BY_TYPE(profiles, Profile, SD_VARLINK_ARRAY));

static SD_VARLINK_DEFINE_METHOD_FULL(
                Diff,
                SD_VARLINK_SUPPORTS_MORE,
                SD_VARLINK_FIELD_COMMENT("The level to compare the current one with."),
                SD_VARLINK_DEFINE_INPUT(level, SD_VARLINK_STRING, 0),
                SD_VARLINK_FIELD_COMMENT("With more: the work running now, one reply each; absent in the last reply."),
                SD_VARLINK_DEFINE_OUTPUT_BY_TYPE(progress, Progress, SD_VARLINK_NULLABLE),
                SD_VARLINK_FIELD_COMMENT("In the last reply: what switching to the level would change."),
                SD_VARLINK_DEFINE_OUTPUT_BY_TYPE(changes, Change, SD_VARLINK_ARRAY|SD_VARLINK_NULLABLE));

static SD_VARLINK_DEFINE_METHOD_FULL(
                Check,
                SD_VARLINK_SUPPORTS_MORE,
                SD_VARLINK_FIELD_COMMENT("The level to compile without loading; absent or empty: the current one."),
                SD_VARLINK_DEFINE_INPUT(level, SD_VARLINK_STRING, SD_VARLINK_NULLABLE),
                SD_VARLINK_FIELD_COMMENT("With more: the work running now, one reply each; absent in the last reply."),
                SD_VARLINK_DEFINE_OUTPUT_BY_TYPE(progress, Progress, SD_VARLINK_NULLABLE),
                SD_VARLINK_FIELD_COMMENT("In the last reply: how many profile files compiled."),
                SD_VARLINK_DEFINE_OUTPUT(compiled, SD_VARLINK_INT, SD_VARLINK_NULLABLE),
                SD_VARLINK_FIELD_COMMENT("In the last reply: how many failed."),
                SD_VARLINK_DEFINE_OUTPUT(failed, SD_VARLINK_INT, SD_VARLINK_NULLABLE),
                SD_VARLINK_FIELD_COMMENT("In the last reply: each failure."),
                SD_VARLINK_DEFINE_OUTPUT_BY_TYPE(failures, Failure, SD_VARLINK_ARRAY|SD_VARLINK_NULLABLE));

static SD_VARLINK_DEFINE_ERROR(
                AccessDenied,
                SD_VARLINK_FIELD_COMMENT("Why: not root and no polkit authorization, or a confined caller lowering the level."),
                SD_VARLINK_DEFINE_FIELD(message, SD_VARLINK_STRING, 0));

static SD_VARLINK_DEFINE_ERROR(
                NoSuchLevel,
                SD_VARLINK_FIELD_COMMENT("Which level is not defined."),
                SD_VARLINK_DEFINE_FIELD(message, SD_VARLINK_STRING, 0));

static SD_VARLINK_DEFINE_ERROR(
                Failed,
                SD_VARLINK_FIELD_COMMENT("Why the operation failed (also: too many checks and diffs waiting)."),
                SD_VARLINK_DEFINE_FIELD(message, SD_VARLINK_STRING, 0));

static SD_VARLINK_DEFINE_ERROR(
                NothingPending,
                SD_VARLINK_FIELD_COMMENT("Says that no level waits for confirmation."),
                SD_VARLINK_DEFINE_FIELD(message, SD_VARLINK_STRING, 0));

SD_VARLINK_DEFINE_INTERFACE(
                org_aalevel_Manager,
                "org.aalevel.Manager",
                SD_VARLINK_INTERFACE_COMMENT("aalevel: AppArmor security levels on a running system. Reading is open "
                                             "to everyone; SetLevel, Confirm and Reload need root or polkit's "
                                             "org.aalevel1.set-level, and a caller confined by AppArmor may not "
                                             "lower the level."),
                SD_VARLINK_SYMBOL_COMMENT("What a long operation is doing (streamed with more)."),
                &vl_type_Progress,
                SD_VARLINK_SYMBOL_COMMENT("A level definition."),
                &vl_type_Level,
                SD_VARLINK_SYMBOL_COMMENT("A profile aalevel manages."),
                &vl_type_Profile,
                SD_VARLINK_SYMBOL_COMMENT("A change a switch would make."),
                &vl_type_Change,
                SD_VARLINK_SYMBOL_COMMENT("A profile file that failed to compile."),
                &vl_type_Failure,
                SD_VARLINK_SYMBOL_COMMENT("The daemon's status (the D-Bus properties)."),
                &vl_method_GetStatus,
                SD_VARLINK_SYMBOL_COMMENT("Switches to a level: everything compiled first, then loaded; with "
                                          "confirmSeconds the switch reverts by itself unless confirmed."),
                &vl_method_SetLevel,
                SD_VARLINK_SYMBOL_COMMENT("Makes the level awaiting confirmation permanent."),
                &vl_method_Confirm,
                SD_VARLINK_SYMBOL_COMMENT("Rereads the configuration, the levels and the policy tree and applies "
                                          "what changed."),
                &vl_method_Reload,
                SD_VARLINK_SYMBOL_COMMENT("The levels known."),
                &vl_method_ListLevels,
                SD_VARLINK_SYMBOL_COMMENT("The profiles aalevel manages for the current level."),
                &vl_method_ListProfiles,
                SD_VARLINK_SYMBOL_COMMENT("What switching to a level would do, compiling but loading nothing."),
                &vl_method_Diff,
                SD_VARLINK_SYMBOL_COMMENT("Compiles a level without loading it and reports the failures."),
                &vl_method_Check,
                SD_VARLINK_SYMBOL_COMMENT("Not root and no polkit authorization, or a confined caller lowering the "
                                          "level."),
                &vl_error_AccessDenied,
                SD_VARLINK_SYMBOL_COMMENT("The level is not defined."),
                &vl_error_NoSuchLevel,
                SD_VARLINK_SYMBOL_COMMENT("The operation failed; the message says why."),
                &vl_error_Failed,
                SD_VARLINK_SYMBOL_COMMENT("Confirm with nothing to confirm."),
                &vl_error_NothingPending);
