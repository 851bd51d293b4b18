#!/bin/sh
# The main job: install what podd needs, build it, and show a container
# made from the bundled busybox root filesystem. Run as root on Debian 12.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
"$src/scripts/install-deps.sh"
"$src/scripts/build.sh"

demo=$(mktemp -d /tmp/podd-demo.XXXXXX)
"$src/scripts/make-rootfs.sh" "$demo/rootfs"
podctl="$src/build/bin/podctl --root $demo/root --runroot $demo/run"

cleanup() {
	$podctl rm -a -f > /dev/null 2>&1 || true
	rm -rf "$demo"
}
trap cleanup EXIT

echo "\$ podctl run --rm --rootfs ROOTFS /bin/echo hello from podd"
$podctl run --rm --rootfs "$demo/rootfs" /bin/echo hello from podd
echo "\$ podctl run -d --name demo --rootfs ROOTFS /bin/sh -c 'echo started; sleep 60'"
$podctl run -d --name demo --rootfs "$demo/rootfs" /bin/sh -c 'echo started; sleep 60'
echo "\$ podctl ps"
$podctl ps
echo "\$ podctl logs demo"
sleep 0.3
$podctl logs demo
echo "\$ podctl exec demo cat /etc/hostname"
$podctl exec demo cat /etc/hostname
echo "\$ podctl system sandbox"
$podctl system sandbox
echo "\$ podctl stop -t 0 demo && podctl rm demo"
$podctl stop -t 0 demo
$podctl rm demo
