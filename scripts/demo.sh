#!/bin/sh
# The main job: install what podd needs, build it, and show a container
# made from the bundled busybox root filesystem. Run as root on Debian 12.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
"$src/scripts/install-deps.sh"
"$src/scripts/build.sh"

demo=$(mktemp -d /tmp/podd-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
"$src/scripts/make-rootfs.sh" "$demo/rootfs"
podctl="$src/build/bin/podctl --root $demo/root --runroot $demo/run"

echo "\$ podctl create --name demo --rootfs ROOTFS /bin/echo hello from podd"
$podctl create --name demo --rootfs "$demo/rootfs" /bin/echo hello from podd
echo "\$ podctl ps -a"
$podctl ps -a
echo "\$ podctl inspect --format '{{.Name}} {{.State.Status}} {{.Config.Cmd}}' demo"
$podctl inspect --format '{{.Name}} {{.State.Status}} {{.Config.Cmd}}' demo
echo "\$ podctl system sandbox"
$podctl system sandbox
echo "\$ podctl rm demo"
$podctl rm demo
