#!/bin/bash
# podctl top and podctl export, against real conmon and runc: podman's
# columns and errors, and the two ways a hostile rootfs could reach host
# files through the privileged side (symlinks in an exported tree, a
# symlinked /etc/passwd read for top's user names).
. "$(dirname "$0")/lib.sh"

# --- top ---------------------------------------------------------------
id=$($P run -d --name topper --rootfs "$ROOTFS" sleep 1000)
hpid=$($P inspect --format '{{.State.Pid}}' topper)
$P top topper > "$T/top" 2> "$T/top.err"
eq "top exits 0" "$?" 0
eq "top prints podman's default header" "$(head -1 "$T/top" | tr -s ' ')" \
	"USER PID PPID %CPU ELAPSED TTY TIME COMMAND"
row=$(grep 'sleep 1000' "$T/top")
eq "top shows the sleep as root, container pid 1, parent 0" \
	"$(awk '{print $1, $2, $3}' <<< "$row")" "root 1 0"
check "top's ELAPSED is a Go duration, TTY ? without -t" \
	grep -Eq '^root +1 +0 +[0-9]+\.[0-9]{3} +[0-9.hms]+s +\? +[0-9hms.]+s +sleep 1000 ?$' <<< "$row"
eq "hpid is the host pid inspect reports" "$($P top topper hpid | tail -n +2 | tr -d ' ')" "$hpid"
eq "descriptors: several arguments" "$($P top topper pid user comm | tail -1 | tr -s ' ')" \
	"1 root sleep"
eq "descriptors: comma-separated and AIX forms" "$($P top topper pid,%U %c | tr -s ' ')" \
	"PID USER COMMAND
1 root sleep"
eq "container top is the same command" "$($P container top topper pid hpid | tail -1 | tr -s ' ')" \
	"1 $hpid"
# An exec session's process joins the container: it is listed, with
# conmon (outside the container) as its parent, so PPID 0.
$P exec -d topper sleep 600 > /dev/null
for _ in $(seq 50); do $P top topper | grep -q 'sleep 600' && break; sleep 0.1; done
check "top lists an exec session's process, its parent outside (PPID 0)" \
	bash -c "$P top topper pid ppid args | grep -Eq '^[0-9]+ +0 +sleep 600 ?\$'"
check "... under its own container pid" \
	bash -c "$P top topper pid args | grep 'sleep 600' | grep -Eqv '^1 '"
expect_fail "an unknown descriptor" 125 "'nosuch': unknown descriptor" $P top topper pid nosuch
expect_fail "top of a missing container" 125 "no container with name or ID" $P top nosuchctr

# Children: PPID is the container's own pid of the parent.
$P run -d --name family --rootfs "$ROOTFS" sh -c 'sleep 900 & wait' > /dev/null
for _ in $(seq 50); do $P top family | grep -q 'sleep 900' && break; sleep 0.1; done
eq "a child's PPID is its parent's container pid" \
	"$($P top family pid ppid args | awk '$3 == "sleep" {print $2}')" "1"
check "the child has a pid of its own" bash -c "$P top family pid args | awk '\$2 == \"sleep\" {print \$1}' | grep -Eqv '^1\$'"

# Many processes with long command lines: the answer no longer fits one
# frame and is streamed in chunks; each command line is cut at 4 KiB.
$P run -d --name crowd --rootfs "$ROOTFS" sh -c '
	x=xxxxxxxx; for _ in 1 2 3 4 5 6 7 8 9; do x=$x$x; done
	i=0; while [ $i -lt 40 ]; do sh -c "sleep 1000; true $x" & i=$((i + 1)); done; wait' > /dev/null
for _ in $(seq 50); do
	[ "$($P top crowd args | grep -c 'sh -c sleep 1000; true')" = 40 ] && break
	sleep 0.1
done
$P top crowd pid args > "$T/crowd"
eq "top lists every process of a crowd (streamed)" "$(grep -c 'sh -c sleep 1000; true' "$T/crowd")" 40
eq "... with command lines cut at 4 KiB" "$(awk 'length($0) > m {m = length($0)} END {print (m > 4000 && m < 4200) ? "cut" : m}' "$T/crowd")" "cut"
$P rm -f crowd > /dev/null

# USER comes from the container's /etc/passwd, read inside its root.
cp -a "$ROOTFS" "$T/rootfs-users"
echo "alice:x:1234:1234::/:/bin/sh" >> "$T/rootfs-users/etc/passwd"
echo "staff:x:1234:" >> "$T/rootfs-users/etc/group"
$P run -d --name alice -u 1234:1234 --rootfs "$T/rootfs-users" sleep 800 > /dev/null
eq "USER and GROUP are names from the container's files" \
	"$($P top alice user group ruser | tail -1 | tr -s ' ')" "alice staff alice"

# A process that set 3,000 supplementary groups: its /proc/PID/status is
# over 20 KiB, with NSpid after the long Groups line. (A static helper,
# built here: busybox has no applet that calls setgroups.)
cat > "$T/manygroups.c" <<'EOF_C'
#include <grp.h>
#include <unistd.h>
int main(void)
{
	static gid_t g[3000];
	for (int i = 0; i < 3000; i++)
		g[i] = 100000 + i;
	if (setgroups(3000, g) < 0)
		return 1;
	pause();
	return 0;
}
EOF_C
if cc -static -O2 -o "$T/rootfs-users/bin/manygroups" "$T/manygroups.c"; then
	$P run -d --name groups --rootfs "$T/rootfs-users" /bin/manygroups > /dev/null
	for _ in $(seq 50); do
		[ "$(grep -c 100000 "/proc/$($P inspect --format '{{.State.Pid}}' groups)/status" 2>/dev/null)" = 1 ] && break
		sleep 0.1
	done
	eq "a process with 3,000 groups is listed" \
		"$($P top groups pid args 2>&1 | tail -1 | tr -s ' ')" "1 /bin/manygroups "
	$P rm -f groups > /dev/null
else
	not_ok "a static test helper could not be built (cc -static)"
fi

# A rootfs whose /etc/passwd is an absolute symlink to a host file: the
# launcher must resolve it inside the container's root (where it does not
# exist), so the uid stays a number and the host file's name never shows.
cp -a "$ROOTFS" "$T/rootfs-evil"
echo "hostonly:x:4321:4321::/:/bin/sh" > "$T/host-passwd"
rm "$T/rootfs-evil/etc/passwd"
ln -s "$T/host-passwd" "$T/rootfs-evil/etc/passwd"
$P run -d --name evil -u 4321 --rootfs "$T/rootfs-evil" sleep 700 > /dev/null
eq "an absolute /etc/passwd symlink does not reach the host's file" \
	"$($P top evil user | tail -1 | tr -d ' ')" "4321"
ln -sf ../../../../../../../../"$T/host-passwd" "$T/rootfs-evil/etc/passwd"
eq "nor does a ../ chain out of the root" "$($P top evil user | tail -1 | tr -d ' ')" "4321"

# A symlink that stays inside the root is followed, as in the container.
mv "$T/rootfs-users/etc/passwd" "$T/rootfs-users/etc/passwd.real"
ln -s /etc/passwd.real "$T/rootfs-users/etc/passwd"
eq "an /etc/passwd symlink inside the root is followed there" \
	"$($P top alice user | tail -1 | tr -d ' ')" "alice"

$P stop -t 0 topper > /dev/null
expect_fail "top of a stopped container" 125 "top can only be used on running containers" \
	$P top topper

# --- export ------------------------------------------------------------
echo "written from the host" > "$ROOTFS/root/marker"
$P run --name writer --rootfs "$ROOTFS" sh -c 'echo written inside > /tmp/inside' > /dev/null
$P export -o "$T/writer.tar" writer
eq "export -o of a stopped container exits 0" "$?" 0
check "the tar lists bin/busybox" grep -qx 'bin/busybox' <(tar -tf "$T/writer.tar")
eq "bin/busybox has the rootfs's content" \
	"$(tar -xOf "$T/writer.tar" bin/busybox | sha256sum | cut -d' ' -f1)" \
	"$(sha256sum < "$ROOTFS/bin/busybox" | cut -d' ' -f1)"
eq "a file written through the rootfs is in it" "$(tar -xOf "$T/writer.tar" root/marker)" \
	"written from the host"
eq "a file the container wrote is in it" "$(tar -xOf "$T/writer.tar" tmp/inside)" \
	"written inside"
eq "every file of the rootfs is listed" \
	"$(tar -tf "$T/writer.tar" | sed 's:/$::' | sort)" \
	"$(cd "$ROOTFS" && find . -mindepth 1 | sed 's:^\./::' | sort)"
eq "symlinks stay symlinks" "$(tar -tvf "$T/writer.tar" | awk '$6 == "bin/sh" {print $1, $7, $8}')" \
	"lrwxrwxrwx -> busybox"

$P export family | tar -tf - > "$T/piped"
check "export of a running container to a pipe" grep -qx bin/busybox "$T/piped"
# runc mounts /proc, /sys, /dev and the etc files in the container's own
# mount namespace: the rootfs holds only their mount points.
eq "a running container's /proc, /sys and /dev mounts are not in the tar" \
	"$(grep -c -e '^proc/.' -e '^sys/.' -e '^dev/.' "$T/piped")" "0"
check "... their mount points are" bash -c "grep -qx proc/ '$T/piped' && grep -qx dev/ '$T/piped'"
$P container export family | tar -tf - > "$T/piped"
check "container export is the same command" grep -qx bin/sleep "$T/piped"
expect_fail "a reader that goes away is a write error" 125 "Broken pipe" \
	bash -c "set -o pipefail; $P export family | head -c 1 > /dev/null"

# Hostile symlinks in the rootfs are archived as links, never followed.
ln -s /etc/shadow "$ROOTFS/root/shadow-link"
ln -s ../../../../../../etc "$ROOTFS/root/up-link"
$P export -o "$T/links.tar" writer
eq "an absolute symlink to /etc/shadow is exported as a link" \
	"$(tar -tvf "$T/links.tar" | awk '$6 == "root/shadow-link" {print substr($1, 1, 1), $7, $8}')" \
	"l -> /etc/shadow"
eq "a ../ symlink out of the root is exported as a link" \
	"$(tar -tvf "$T/links.tar" | awk '$6 == "root/up-link" {print substr($1, 1, 1), $7, $8}')" \
	"l -> ../../../../../../etc"
eq "nothing beneath the links is in the tar" "$(tar -tf "$T/links.tar" | grep -c -e '^root/up-link/' -e '^root/shadow-link/')" "0"
check "no host file reaches the tar (no passwd entry but the rootfs's own)" \
	bash -c "[ \"\$(tar -tf '$T/links.tar' | grep -c passwd)\" = 1 ]"

# A device node in the rootfs (a container with CAP_MKNOD could make one)
# is archived as a node and never opened: the export reads a nodev clone.
mknod "$ROOTFS/root/null-node" c 1 3
mknod "$ROOTFS/root/disk-node" b 7 0
$P export -o "$T/nodes.tar" writer
check "device nodes are exported as nodes" \
	bash -c "tar -tvf '$T/nodes.tar' | grep -q '^b.* root/disk-node' && tar -tvf '$T/nodes.tar' | grep -q '^c.* root/null-node'"
rm -f "$ROOTFS/root/null-node" "$ROOTFS/root/disk-node"

# The child that writes the tar, caught while its reader is not reading:
# one capability, no_new_privs, a seccomp filter, and the rootfs as its /.
export_child_of() {
	local pid p
	for pid in $(pgrep -x podd-export); do
		p=$pid
		for _ in 1 2 3 4; do
			p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
			[ "$p" = "$1" ] && { echo "$pid"; return; }
		done
	done
}
mknod "$ROOTFS/root/null-node" c 1 3
$P export writer > >(for _ in $(seq 300); do [ -e "$T/go" ] && break; sleep 0.1; done
	cat > /dev/null) &
pc=$!
child=
for _ in $(seq 200); do child=$(export_child_of "$pc"); [ -n "$child" ] && break; sleep 0.05; done
status_of() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$child/status" 2>/dev/null; }
eq "the export child keeps CAP_DAC_READ_SEARCH alone" "$(status_of CapEff) $(status_of CapBnd)" \
	"0000000000000004 0000000000000004"
eq "... with no_new_privs and a seccomp filter" "$(status_of NoNewPrivs) $(status_of Seccomp)" "1 2"
check "... and the container's rootfs as its root" \
	bash -c "[ -e /proc/$child/root/bin/busybox ] && [ ! -e /proc/$child/root/usr ]"
# Seen through the child's root (a detached clone: its mountinfo is
# empty), the rootfs is read-only and its device nodes do not open.
expect_fail "... which is read-only there" 1 "Read-only file system" touch "/proc/$child/root/tmp/x"
expect_fail "... and nodev" 1 "Permission denied" head -c 1 "/proc/$child/root/root/null-node"
check "... while the host opens the same node" head -c 0 "$ROOTFS/root/null-node"
touch "$T/go"
wait "$pc"
rm -f "$ROOTFS/root/null-node"

tty_out=$(script -qec "$P export writer; echo \"rc=\$?\"" /dev/null | tr -d '\r')
check "export to a terminal is refused" \
	grep -q 'Error: refusing to export to terminal. Use -o flag or redirect' <<< "$tty_out"
check "... with exit code 125" grep -q 'rc=125' <<< "$tty_out"
expect_fail "export to a device other than /dev/null" 125 "not a regular file, pipe, socket" \
	bash -c "$P export writer > /dev/zero"
check "export to /dev/null works" bash -c "$P export writer > /dev/null"
expect_fail "export of a missing container" 125 "no container with name or ID" \
	$P export -o "$T/none.tar" nosuchctr
check "... leaves no output file" test ! -e "$T/none.tar"
expect_fail "export into a missing directory" 125 "failed to create export file" \
	$P export -o "$T/no/such/dir.tar" writer

$P rm -f -a > /dev/null
finish
