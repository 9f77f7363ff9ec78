#!/usr/bin/env bash
# Runs every unit test binary and every integration test, then prints one
# closing line "tests: N passed, N failed, N skipped".  Exit code 77 = skipped
# (automake's convention), used by tests that need ../shared when it is absent.
set -uo pipefail
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build} PYTHON=${PYTHON:-/usr/bin/python3}
export CGNF_ROOT=$PWD SHARED=${SHARED:-$PWD/../shared}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0 skipped=0 failures=()
log_dir=$BUILD/test-logs
mkdir -p "$log_dir/unit" "$log_dir/integration"

run_one() {
	local name=$1; shift
	local log=$log_dir/$name.log start=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	local took=$((SECONDS - start))
	if ((rc == 0)); then
		passed=$((passed + 1)); printf 'PASS  %-40s %3ds\n' "$name" "$took"
	elif ((rc == 77)); then
		skipped=$((skipped + 1)); printf 'SKIP  %-40s %s\n' "$name" "$(tail -n 1 "$log")"
	else
		failed=$((failed + 1)); failures+=("$name")
		printf 'FAIL  %-40s (exit %d, log %s)\n' "$name" "$rc" "$log"
		tail -n 20 "$log" | sed 's/^/      /'
	fi
}

for bin in "$BUILD"/tests/test_*; do
	[[ -x $bin ]] || continue
	run_one "unit/$(basename "$bin")" "$bin"
done
for script in tests/integration/test_*; do
	[[ -x $script ]] || continue
	run_one "integration/$(basename "$script")" "$script"
done

echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
