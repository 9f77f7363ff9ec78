/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * When EAL refuses to start, one line on stderr saying what is wrong and
 * what to do, told from the EAL options and the system (CPUs online,
 * hugepages, the runtime directory's lock), instead of "EAL initialisation
 * failed: Permission denied" or "...: Success".
 */
#ifndef CGNF_EAL_ADVICE_H
#define CGNF_EAL_ADVICE_H

/*
 * Call right after rte_eal_init() fails, with main's argc / argv and
 * rte_errno: prints one line "cgnf: EAL initialisation failed: ..." naming
 * the cause when it can be told (lcores beyond the CPUs online, no
 * hugepages without --no-huge, --no-huge with --in-memory, a --file-prefix
 * another DPDK process holds, not root), else rte_strerror(rte_errno_value).
 */
void eal_explain_failure(int argc, char **argv, int rte_errno_value);

/*
 * Call before rte_eal_init(): an lcore list naming CPUs that are not online
 * makes EAL print its whole usage text around the error.  Returns 0, or
 * -EINVAL after the same one line as eal_explain_failure() (then exit).
 */
int eal_check_lcores(int argc, char **argv);

#endif
