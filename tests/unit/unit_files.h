/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CGNF_UNIT_FILES_H
#define CGNF_UNIT_FILES_H

#include <stdio.h>

#include <CUnit/Basic.h>

/* Writes text to path, replacing what was there; the test stops if it cannot. */
static inline void write_text_file(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	fputs(text, file);
	fclose(file);
}

#endif /* CGNF_UNIT_FILES_H */
