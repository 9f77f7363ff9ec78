/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SHA-256 against FIPS 180-2's examples and sha256sum on buffers of every
 * length around the padding's edges (55, 56, 63, 64 bytes...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "sha256.h"
#include "unit_main.h"

static void check(const void *data, size_t len, const char *expected)
{
	char hex[SHA256_HEX_LEN];

	sha256_hex(data, len, hex);
	CU_ASSERT_STRING_EQUAL(hex, expected);
}

static void test_standard_examples(void)
{
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* Every length from 0 to 300 bytes against sha256sum, so that each padding case is met. */
static void test_against_sha256sum(void)
{
	char path[] = "/tmp/cgnf-sha256-XXXXXX", command[128], expected[SHA256_HEX_LEN];
	unsigned char buffer[300];
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	for (size_t i = 0; i < sizeof(buffer); i++)
		buffer[i] = (unsigned char)(i * 7 + 3);
	for (size_t len = 0; len <= sizeof(buffer); len += len < 130 ? 1 : 17) {
		FILE *file = fopen(path, "wb"), *pipe;

		CU_ASSERT_FATAL(file != NULL);
		fwrite(buffer, 1, len, file);
		fclose(file);
		snprintf(command, sizeof(command), "sha256sum %s", path);
		pipe = popen(command, "r");
		CU_ASSERT_FATAL(pipe != NULL);
		CU_ASSERT_EQUAL(fscanf(pipe, "%64s", expected), 1);
		pclose(pipe);
		check(buffer, len, expected);
	}
	unlink(path);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{"FIPS 180-2 examples", test_standard_examples},
		{"every length around the padding, against sha256sum", test_against_sha256sum},
	};

	return unit_run_suite("sha256", NULL, NULL, tests, UNIT_COUNT(tests));
}
