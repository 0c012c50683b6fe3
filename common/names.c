/* SPDX-License-Identifier: BSD-3-Clause */
#include "names.h"

static const char *const drop_names[] = {
#define DROP(e, name, help) [DROP_##e] = name,
#include "drops.def"
#undef DROP
};

static const char *const drop_helps[] = {
#define DROP(e, name, help) [DROP_##e] = help,
#include "drops.def"
#undef DROP
};

const char *drop_name(unsigned int reason)
{
	return reason < DROP__MAX ? drop_names[reason] : "?";
}

const char *drop_help(unsigned int reason)
{
	return reason < DROP__MAX ? drop_helps[reason] : "?";
}
