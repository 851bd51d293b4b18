#!/bin/bash
# --user names, resolved against the container's own /etc/passwd and
# /etc/group as podman resolves them, for run and exec; the files are read
# inside the rootfs only (an absolute symlink never reaches the host's).
. "$(dirname "$0")/lib.sh"

cat >> "$ROOTFS/etc/passwd" <<'PW'
bob:x:1000:1000:Bob:/home/bob:/bin/sh
PW
cat > "$ROOTFS/etc/group.real" <<'GR'
root:x:0:
bob:x:1000:
staff:x:50:alice,bob
wheel:x:10:bob
GR
# An absolute symlink: it must resolve inside the rootfs, where the file is.
ln -sfn /etc/group.real "$ROOTFS/etc/group"
ids='echo $(id -u) $(id -g) $(id -G) $HOME'

eq "run -u NAME takes the passwd entry, its groups and home" \
	"$($P run --rm -u bob --rootfs "$ROOTFS" /bin/sh -c "$ids")" "1000 1000 1000 10 50 /home/bob"
eq "run -u UID finds the same entry" \
	"$($P run --rm -u 1000 --rootfs "$ROOTFS" /bin/sh -c "$ids")" "1000 1000 1000 10 50 /home/bob"
eq "run -u NAME:GROUP takes only that group" \
	"$($P run --rm -u bob:staff --rootfs "$ROOTFS" /bin/sh -c "$ids")" "1000 50 50 /home/bob"
eq "a uid without an entry runs with group 0 and HOME /" \
	"$($P run --rm -u 4242 --rootfs "$ROOTFS" /bin/sh -c "$ids")" "4242 0 0 /"
eq "the default user is root with HOME /root" \
	"$($P run --rm --rootfs "$ROOTFS" /bin/sh -c "$ids")" "0 0 0 /root"
expect_fail "an unknown user exits 126" 126 \
	"unable to find user nosuch: no matching entries in passwd file" \
	$P run --rm -u nosuch --rootfs "$ROOTFS" /bin/true
expect_fail "an unknown group exits 126" 126 \
	"unable to find group nogroup: no matching entries in group file" \
	$P run --rm -u bob:nogroup --rootfs "$ROOTFS" /bin/true
eq "and leaves nothing behind" "$($P ps -a -q)" ""

$P run -d --name box --rootfs "$ROOTFS" /bin/sleep 1000 > /dev/null
eq "exec -u NAME" "$($P exec -u bob box /bin/sh -c "$ids")" "1000 1000 1000 10 50 /home/bob"
expect_fail "exec -u with an unknown user exits 126" 126 "unable to find user nosuch" \
	$P exec -u nosuch box /bin/true
eq "run -u NAME stored, resolved at start" \
	"$($P create --name later -u bob --rootfs "$ROOTFS" /bin/sh -c "$ids" > /dev/null && $P start -a later)" \
	"1000 1000 1000 10 50 /home/bob"

# A passwd that points at a host file: resolved inside the rootfs, where
# there is no such file, so the host's entries are never seen.
printf 'evil:x:4321:4321::/:/bin/sh\n' > "$T/host-passwd"
ln -sfn "$T/host-passwd" "$ROOTFS/etc/passwd"
expect_fail "an absolute passwd symlink does not reach the host" 126 "unable to find user evil" \
	$P run --rm -u evil --rootfs "$ROOTFS" /bin/true
finish
