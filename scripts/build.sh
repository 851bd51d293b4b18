#!/bin/sh
# Configures and builds podd into BUILD_DIR (default: build); BUILD_TARGET
# names one target (default: all). Extra arguments go to cmake, e.g.
# -DPODD_SANITIZE=ON.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > /dev/null
cmake --build "$build" -j"$(nproc)" ${BUILD_TARGET:+--target "$BUILD_TARGET"}
