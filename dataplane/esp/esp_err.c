/* SPDX-License-Identifier: BSD-3-Clause */
#include "esp.h"

static const char *const esp_err_names[ESP_E__MAX] = {
	[ESP_OK] = "ok",
#define ESP_ERR(e, name, desc) [ESP_E_##e] = name,
#include "esp_err.def"
#undef ESP_ERR
};

static const char *const esp_err_descs[ESP_E__MAX] = {
	[ESP_OK] = "no error",
#define ESP_ERR(e, name, desc) [ESP_E_##e] = desc,
#include "esp_err.def"
#undef ESP_ERR
};

const char *esp_err_name(unsigned int err)
{
	return err < ESP_E__MAX ? esp_err_names[err] : "esp-unknown";
}

const char *esp_err_desc(unsigned int err)
{
	return err < ESP_E__MAX ? esp_err_descs[err] : "unknown ESP error";
}
