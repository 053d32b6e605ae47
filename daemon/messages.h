/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MESSAGE_IDs of the journal entries the daemon writes; the catalog
 * (catalog/aalevel.catalog) explains each. Never change a published ID. */
#pragma once

#define MESSAGE_ID_LEVEL_CHANGED "e6e110b6a581435eb35b2fe747ae14cf"
#define MESSAGE_ID_PROFILE_FAILED "2e4f61e327764908b7424e31e046f797"
#define MESSAGE_ID_PROFILE_LOADED "5e73ec6ae6a34d718c229015ea5e0e6d"
#define MESSAGE_ID_PROFILE_REMOVED "7c9162f5e2d7411e864476bb816b16c5"
#define MESSAGE_ID_RELOAD_DONE "93c737508b644f56b84d01096d049a36"
#define MESSAGE_ID_LEVEL_REVERTED "80d18cbbe5884dacaac62db858e4407b"
#define MESSAGE_ID_MODIFIED_OUTSIDE "80809c533cad45ea9053b012a0ccd2d3"
#define MESSAGE_ID_CONFIG_REJECTED "5059cf03b3fb4e7f9b3cc182b10c25c1"
