#!/bin/sh
# The main job: install what podd needs, build it (which also builds the
# bundled busybox image, build/busybox-oci.tar, from Debian's
# busybox-static), load that image and run containers from it. Run as root
# on Debian 12.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
"$src/scripts/install-deps.sh"
"$src/scripts/build.sh"

demo=$(mktemp -d /tmp/podd-demo.XXXXXX)
podctl="$src/build/bin/podctl --root $demo/root --runroot $demo/run"

cleanup() {
	$podctl rm -a -f > /dev/null 2>&1 || true
	rm -rf "$demo"
}
trap cleanup EXIT

echo "\$ podctl load -i build/busybox-oci.tar"
$podctl load -i "$src/build/busybox-oci.tar"
echo "\$ podctl images"
$podctl images
echo "\$ podctl run --rm busybox echo hello from podd"
$podctl run --rm busybox echo hello from podd
echo "\$ podctl run -d --name demo busybox sh -c 'echo started; sleep 60'"
$podctl run -d --name demo busybox sh -c 'echo started; sleep 60'
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
