#!/bin/sh
# Installs what podd needs, builds it twice (plain, and with ASan+UBSan),
# runs the whole test suite through ctest on both, then builds the libFuzzer
# targets with clang and runs each for a few seconds. Run as root.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
"$src/scripts/install-deps.sh"

echo "== build"
"$src/scripts/build.sh"
echo "== ctest"
(cd "$src/build" && ctest --output-on-failure)

echo "== build with AddressSanitizer and UndefinedBehaviorSanitizer"
BUILD_DIR="$src/build-asan" "$src/scripts/build.sh" -DPODD_SANITIZE=ON
echo "== ctest (sanitized; unit and system tests)"
# Leak checking at exit needs ptrace, which every sandbox forbids.
(cd "$src/build-asan" && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure -L 'unit|system|harness')

echo "== build the libFuzzer targets (clang) and run each briefly"
CC=clang BUILD_DIR="$src/build-fuzz" BUILD_TARGET=fuzz "$src/scripts/build.sh" \
	-DPODD_FUZZ=ON -DPODD_FUZZ_SECONDS=5
(cd "$src/build-fuzz" && ctest --output-on-failure -L fuzz)
