#!/bin/sh
# Configures and builds podd into BUILD_DIR (default: build). Extra
# arguments go to cmake, e.g. -DPODD_SANITIZE=ON.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > /dev/null
cmake --build "$build" -j"$(nproc)"
