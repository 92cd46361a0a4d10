#!/usr/bin/env bash
# Build the extension with AddressSanitizer + UndefinedBehaviorSanitizer in its
# own virtual environment and run the test suite under them.
#   bash tools/sanitize.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv build/sanitize-venv
# shellcheck disable=SC1091
. build/sanitize-venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet ".[test]" -Cbuild-dir=build/sanitize \
  -Ccmake.define.RIDGEBOOT_SANITIZE=ON -Ccmake.build-type=RelWithDebInfo
# Python itself is not built with ASan: preload the runtime, and leave leak
# checking off (the interpreter keeps memory alive at exit by design).
preload="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)"
# Reports go to files: pytest captures stderr, and a halting sanitizer would take
# its report with it.
reports="$PWD/build/sanitize-reports"
rm -rf "$reports" && mkdir -p "$reports"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
# time budgets in tests/test_fuzz.py scale with the sanitizer's slowdown
export RIDGEBOOT_TEST_SLOWDOWN=30
status=0
LD_PRELOAD="$preload" python -m pytest -q -p no:cacheprovider "${@:-tests}" || status=$?
if compgen -G "$reports/*" > /dev/null; then
  echo "sanitizer reports:" && cat "$reports"/* && exit 1
fi
exit $status
