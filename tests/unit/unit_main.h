/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every unit test program's main does: one CUnit suite named after the
 * module, its tests registered in the order of a table, run verbosely.
 */
#ifndef CGNF_UNIT_MAIN_H
#define CGNF_UNIT_MAIN_H

#include <stddef.h>
#include <stdio.h>

#include <CUnit/Basic.h>

struct unit_test {
	const char *name;
	CU_TestFunc run;
};

#define UNIT_COUNT(array) (sizeof(array) / sizeof((array)[0]))

/*
 * Runs the suite and returns the exit code: 0 when every test passed, 1 when
 * any failed, 2 when CUnit could not register the suite or a test (or two
 * tests share a name).
 */
static int unit_run_suite(const char *suite_name, CU_InitializeFunc init, CU_CleanupFunc cleanup,
			  const struct unit_test *tests, size_t count)
{
	unsigned int failures;
	CU_pSuite suite;
	size_t i;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "%s: %s\n", suite_name, CU_get_error_msg());
		return 2;
	}
	suite = CU_add_suite(suite_name, init, cleanup);
	/* CUnit registers a duplicate test name but says so in CU_get_error(). */
	for (i = 0; suite != NULL && i < count; i++)
		if (CU_add_test(suite, tests[i].name, tests[i].run) == NULL ||
		    CU_get_error() != CUE_SUCCESS)
			suite = NULL;
	if (suite == NULL) {
		fprintf(stderr, "%s: %s\n", suite_name, CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	/* A failed suite set-up runs no test and fails no assertion, so it counts on its own. */
	failures = CU_get_number_of_failure_records() + CU_get_number_of_tests_failed() +
		   CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}

#endif /* CGNF_UNIT_MAIN_H */
