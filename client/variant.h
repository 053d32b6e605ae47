/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Any D-Bus value as JSON or as text, for GetLevel's a{sv}: the client
 * prints every key the daemon sends, including keys added after this
 * client was written. */
#pragma once

#include <systemd/sd-bus.h>

#include "json.h"

/* Reads the next complete value of m, of any type, and writes it as
 * JSON: numbers, strings, booleans; arrays and structs as arrays;
 * dictionaries as objects (keys as strings); variants unwrapped. */
int variant_to_json(sd_bus_message *m, JsonWriter *w);

/* Reads the next complete value of m as text: basic values as they are
 * (booleans "yes"/"no", translated), array elements one a line, struct
 * members separated by spaces, dictionary entries as "key=value". *ret
 * is "" for an empty array. */
int variant_to_text(sd_bus_message *m, char **ret);
