#!/usr/bin/env bash
# Runs the libFuzzer targets that `make fuzz-build` builds (with clang, ASan
# and UBSan, from tests/fuzz/fuzz_NAME.c and lib/*.c) as $BUILD/fuzz/fuzz_NAME:
#   tests/fuzz/run.sh [SECONDS]  fuzzes each target SECONDS (default 30) on a
#                                copy of tests/fuzz/corpus/NAME in
#                                $BUILD/fuzz/corpus-NAME (the committed corpus
#                                stays small), and prints the executions;
#   tests/fuzz/run.sh --replay   only runs the committed corpora once (what the
#                                test suite does).
# `make fuzz` and `make test` build the targets first.  Exits 1 on a crash
# (the input is kept as $BUILD/fuzz/NAME-crash-*) or a target not built, 77
# when clang or libFuzzer is missing.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
out=$BUILD/fuzz

mode=fuzz seconds=30
case ${1:-} in
--replay) mode=replay ;;
"") ;;
*[!0-9]* | 0)
	echo "usage: $0 [SECONDS | --replay]" >&2
	exit 2
	;;
*) seconds=$1 ;;
esac

CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null; then
	echo "skipped: $CLANG not found (scripts/install-deps.sh installs clang and libclang-rt-14-dev)"
	exit 77
fi
mkdir -p "$out"
probe_source='int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }'
if ! echo "$probe_source" | "$CLANG" -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
	echo "skipped: $CLANG cannot link libFuzzer (install libclang-rt-14-dev)"
	exit 77
fi

failed=0 passed=0 failures=0
for source in tests/fuzz/fuzz_*.c; do
	name=$(basename "$source" .c)
	name=${name#fuzz_}
	binary=$out/fuzz_$name
	if [[ ! -x $binary ]]; then
		echo "FAIL  fuzz_$name: $binary not built (make fuzz-build BUILD=$BUILD)"
		failed=1 failures=$((failures + 1))
		continue
	fi

	committed=tests/fuzz/corpus/$name
	log=$out/$name.log
	if [[ $mode == replay ]]; then
		if [[ ! -d $committed ]]; then
			echo "PASS  fuzz_$name: no committed corpus to replay"
			continue
		fi
		"$binary" -runs=0 -artifact_prefix="$out/$name-" "$committed" >"$log" 2>&1
		rc=$?
		summary="$(find "$committed" -type f | wc -l) committed inputs replayed"
	else
		corpus=$out/corpus-$name
		mkdir -p "$corpus"
		[[ -d $committed ]] && cp -n "$committed"/* "$corpus"/ 2>/dev/null
		"$binary" -max_total_time="$seconds" -print_final_stats=1 \
			-artifact_prefix="$out/$name-" "$corpus" >"$log" 2>&1
		rc=$?
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		summary="${runs:-?} executions in ${seconds} s, corpus of $(find "$corpus" -type f | wc -l) inputs in $corpus"
	fi
	if ((rc == 0)); then
		passed=$((passed + 1))
		echo "PASS  fuzz_$name: $summary"
	else
		failed=1 failures=$((failures + 1))
		echo "FAIL  fuzz_$name (exit $rc, log $log)"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 10 | sed 's/^/      /'
	fi
done
echo "fuzz: $passed passed, $failures failed"
exit $failed
