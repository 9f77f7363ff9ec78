#!/usr/bin/env bash
# Runs the unit test binaries and the integration tests, then prints one
# closing line "tests: N passed, N failed, N skipped".  Exit code 77 = skipped
# (automake's convention), used by tests that need ../shared when it is absent.
#
#   tests/run-tests.sh                     every test
#   tests/run-tests.sh unit | integration  one kind only
#   tests/run-tests.sh test_pipeline ...   only the tests of these names, unit
#                                          or integration (unit/NAME and
#                                          integration/NAME also work)
# The same filter can come from $T (make test T=test_pipeline).  A name that
# matches no test is an error, so that a typo cannot pass as "0 failed".
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

kinds=() names=()
for word in "$@" ${T:-}; do
	case $word in
	unit | integration) kinds+=("$word") ;;
	*) names+=("${word#*/}") ;;
	esac
done
((${#kinds[@]} > 0)) || kinds=(unit integration)

# Whether kind/name is selected; marks the names that matched something.
declare -A matched=()
selected() {
	local kind=$1 name=$2 wanted
	[[ " ${kinds[*]} " == *" $kind "* ]] || return 1
	((${#names[@]} == 0)) && return 0
	for wanted in "${names[@]}"; do
		if [[ $name == "$wanted" ]]; then
			matched[$wanted]=1
			return 0
		fi
	done
	return 1
}

tests=()
for bin in "$BUILD"/tests/test_*; do
	[[ -x $bin && $bin != *.d ]] || continue
	selected unit "$(basename "$bin")" && tests+=("unit/$(basename "$bin")" "$bin")
done
for script in tests/integration/test_*; do
	[[ -x $script ]] || continue
	selected integration "$(basename "$script")" && tests+=("integration/$(basename "$script")" "$script")
done
for wanted in "${names[@]}"; do
	if [[ -z ${matched[$wanted]:-} ]]; then
		echo "run-tests: no ${kinds[*]} test named '$wanted' (unit: $BUILD/tests/, integration: tests/integration/)" >&2
		exit 2
	fi
done

for ((i = 0; i < ${#tests[@]}; i += 2)); do
	run_one "${tests[i]}" "${tests[i + 1]}"
done

echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
