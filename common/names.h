/* SPDX-License-Identifier: BSD-3-Clause */
/* Drop reasons and other enums shared by the data plane, controller and dmvpnctl. */
#ifndef DMVPN_NAMES_H
#define DMVPN_NAMES_H

enum drop_reason {
#define DROP(e, name, help) DROP_##e,
#include "drops.def"
#undef DROP
	DROP__MAX
};

/* First ESP engine reason: engine error e (1..) is DROP_ESP_FIRST + e - 1. */
#define DROP_ESP_FIRST DROP_ESP_TRUNCATED

const char *drop_name(unsigned int reason);
const char *drop_help(unsigned int reason);

#endif
