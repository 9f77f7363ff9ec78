#!/bin/sh
# ExecStartPre of cgnf.service: fails with one line saying what to do when
# DPDK would find no hugepage.  Arguments: the EAL options (--no-huge: nothing
# to check).  CGNF_MEMINFO / CGNF_MOUNTS replace /proc/meminfo and
# /proc/mounts (tests).
meminfo=${CGNF_MEMINFO:-/proc/meminfo}
mounts=${CGNF_MOUNTS:-/proc/mounts}
for arg in "$@"; do
	[ "$arg" = --no-huge ] && exit 0
done
total=$(awk '/^HugePages_Total:/ { print $2 }' "$meminfo")
free=$(awk '/^HugePages_Free:/ { print $2 }' "$meminfo")
size_kb=$(awk '/^Hugepagesize:/ { print $2 }' "$meminfo")
fix="or run without them: add '--no-huge -m 1024' to CGNF_EAL_ARGS in /etc/cgnf/eal.conf"
if [ "${total:-0}" -eq 0 ]; then
	echo "cgnf: no hugepages reserved (HugePages_Total is 0): reserve them with" \
		"'echo 1024 > /sys/kernel/mm/hugepages/hugepages-${size_kb:-2048}kB/nr_hugepages'" \
		"(vm.nr_hugepages = 1024 in /etc/sysctl.d/cgnf.conf to keep them after a reboot)," \
		"$fix" >&2
	exit 1
fi
if [ "${free:-0}" -eq 0 ]; then
	echo "cgnf: all $total hugepages are in use (HugePages_Free is 0): is another DPDK" \
		"process running? Reserve more in /sys/kernel/mm/hugepages/, $fix" >&2
	exit 1
fi
if ! awk '$3 == "hugetlbfs" { found = 1 } END { exit !found }' "$mounts"; then
	echo "cgnf: $free hugepages free but no hugetlbfs mounted: 'mount -t hugetlbfs nodev" \
		"/dev/hugepages' (systemd's dev-hugepages.mount does it at boot), $fix" >&2
	exit 1
fi
exit 0
