#!/usr/bin/env bash
# Every static check, failing on any problem: ruff (lint and format), mypy, and
# clang-format over the C++ sources. The tools are the lint extra's pinned versions:
#   pip install -e ".[lint]" && bash tools/lint.sh
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
run() {
  echo "+ $*"
  "$@" || status=1
}
python_dirs=(python tests benchmarks tools examples)
run ruff check "${python_dirs[@]}"
run ruff format --check "${python_dirs[@]}"
run mypy
shopt -s globstar nullglob
run clang-format --dry-run --Werror cpp/**/*.hpp cpp/**/*.cpp examples/*.cpp
if [ "$status" -ne 0 ]; then
  echo "lint: FAILED (see above)"
else
  echo "lint: all checks passed"
fi
exit "$status"
