/* SPDX-License-Identifier: BSD-3-Clause */
#include "drop_reason.h"

static const char *const drop_reason_names[DROP_REASON_COUNT] = {[DROP_NONE] = "none",
#define CGNF_DROP_NAME(id, name) [DROP_##id] = name,
								 CGNF_DROP_REASONS(CGNF_DROP_NAME)
#undef CGNF_DROP_NAME
};

const char *drop_reason_name(enum drop_reason reason)
{
	if ((unsigned int)reason >= DROP_REASON_COUNT)
		return "unknown";
	return drop_reason_names[reason];
}
