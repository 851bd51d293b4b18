#!/bin/sh
# Builds a minimal root filesystem from Debian's busybox-static: the local
# image podd's demo and tests run (no registry on the internet is reachable).
# Usage: make-rootfs.sh DIR
set -eu
dir=${1:?usage: make-rootfs.sh DIR}
busybox=/bin/busybox
case "$(ldd "$busybox" 2>&1 || true)" in
*"not a dynamic executable"*|*"statically linked"*) ;;
*) echo "Error: $busybox is not static; install busybox-static" >&2; exit 1 ;;
esac
mkdir -p "$dir/bin" "$dir/etc" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp" "$dir/root"
cp "$busybox" "$dir/bin/busybox"
for applet in sh echo cat ls true false sleep id env hostname ps uname; do
	ln -sf busybox "$dir/bin/$applet"
done
echo "root:x:0:0:root:/root:/bin/sh" > "$dir/etc/passwd"
echo "root:x:0:" > "$dir/etc/group"
