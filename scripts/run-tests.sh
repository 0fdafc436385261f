#!/usr/bin/env bash
# Runs the test suites against the sanitizer build (build/asan) and prints one summary line:
#   summary: N passed, N failed
# Usage: run-tests.sh [--only unit|integration|fuzz] [--fuzz-seconds N]
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

only=""
fuzz_seconds="${FUZZ_SECONDS:-12}" # per target: 11 targets take a little over two minutes
while [ $# -gt 0 ]; do
    case "$1" in
        --only) only="$2"; shift 2 ;;
        --fuzz-seconds) fuzz_seconds="$2"; shift 2 ;;
        *) echo "run-tests: unknown argument $1" >&2; exit 2 ;;
    esac
done

bin_dir=build/asan
out_dir=build/test-output
mkdir -p "$out_dir"
passed=0
failed=0
failures=()

# Sanitizer reports must fail the run, leaks included.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

if want unit; then
    echo "== unit tests"
    for t in "$bin_dir"/tests/test_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        log="$out_dir/$name.log"
        "$t" >"$log" 2>&1
        rc=$?
        ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
        bad=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
        ok=${ok:-0}
        bad=${bad:-0}
        if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
            bad=1 # crashed, or a sanitizer stopped it
        fi
        passed=$((passed + ok))
        failed=$((failed + bad))
        if [ "$bad" -gt 0 ]; then
            failures+=("$name (see $log)")
            echo "   FAIL $name: $ok passed, $bad failed"
            tail -n 30 "$log" | sed 's/^/      /'
        else
            echo "   ok   $name: $ok passed"
        fi
    done
fi

if want integration; then
    echo "== integration tests (real processes: mesos-sim, mesos-kafka)"
    junit="$out_dir/integration.xml"
    MK_BIN_DIR="$PWD/$bin_dir" python3 -m pytest -q -p no:cacheprovider -o junit_family=legacy \
        --junitxml="$junit" tests/integration 2>&1 | tee "$out_dir/integration.log"
    rc=${PIPESTATUS[0]}
    if [ -f "$junit" ]; then
        read -r ok bad < <(python3 - "$junit" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root)
tests = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(tests - bad - skipped, bad)
PY
        )
    else
        ok=0
        bad=1
    fi
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1 # pytest failed without a counted failure (collection error, no tests)
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    [ "$bad" -gt 0 ] && failures+=("integration (see $out_dir/integration.log)")
fi

if want fuzz; then
    echo "== fuzz targets (${fuzz_seconds}s each)"
    for f in build/fuzz/fuzz_*; do
        [ -x "$f" ] || continue
        name=$(basename "$f")
        corpus="$out_dir/corpus-$name"
        mkdir -p "$corpus"
        [ -d "tests/fuzz/corpus/$name" ] && cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
        log="$out_dir/$name.log"
        rm -f "$out_dir/$name"-crash-* "$out_dir/$name"-leak-* "$out_dir/$name"-timeout-* \
            "$out_dir/$name"-oom-*
        "$f" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -artifact_prefix="$out_dir/$name-" \
            "$corpus" >"$log" 2>&1
        rc=$?
        # libFuzzer stops at the first finding and writes it as <prefix>crash-|leak-|timeout-|oom-.
        crashes=$(find "$out_dir" -maxdepth 1 \( -name "$name-crash-*" -o -name "$name-leak-*" \
            -o -name "$name-timeout-*" -o -name "$name-oom-*" \) | wc -l)
        runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -n 1)
        if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]; then
            echo "   ok   $name: ${runs:-done}, 0 crashes"
            passed=$((passed + 1))
        else
            echo "   FAIL $name: ${runs:-stopped}, $crashes crash(es), exit $rc (see $log)"
            tail -n 30 "$log" | sed 's/^/      /'
            failed=$((failed + 1))
            failures+=("$name (see $log)")
        fi
    done
fi

echo
if [ "${#failures[@]}" -gt 0 ]; then
    echo "failed:"
    printf '  %s\n' "${failures[@]}"
fi
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
