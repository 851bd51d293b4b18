#!/bin/bash
# crun as the runtime (--runtime crun), with real crun and conmon: a
# container's life from run to rm, exec and its 126/127 exits, cgroup
# limits, rm -f of a container whose runtime state is lost, and
# podd-runtime-ns, crun's own mount namespace: its binary read-only there
# (crun then runs without executing itself again), and on a hybrid cgroup
# host whose v2 hierarchy has controllers (which crun 1.8 refuses) the v2
# mount hidden from crun alone, the host keeping it, and the container in
# its own v2 cgroup as runc puts it.
. "$(dirname "$0")/lib.sh"

CRUN=$(crun_path) || {
	not_ok "crun is installed (scripts/install-deps.sh installs it)"
	finish
}
RUNTIME_NS="$(dirname "$PODCTL")/podd-runtime-ns"
C="$P --runtime crun"

v2_mounted() {
	awk '$5 == "/sys/fs/cgroup/unified" { found = 1 } END { exit !found }' /proc/self/mountinfo
}
refusing_host=false
if v2_mounted && [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] &&
	[ -n "$(tr -d ' \n' < /sys/fs/cgroup/unified/cgroup.controllers)" ]; then
	refusing_host=true
fi

# --- the wrapper itself ---
mkdir -p "$T/bundle"
ln -s "$ROOTFS" "$T/bundle/rootfs"
(cd "$T/bundle" && "$CRUN" spec) &&
	sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' "$T/bundle/config.json"
if $refusing_host; then
	# What podd-runtime-ns is for: crun alone runs nothing here.
	"$CRUN" --root "$T/crun-alone" run --bundle "$T/bundle" alone > /dev/null 2> "$T/err"
	if grep -q "hybrid mode not supported" "$T/err"; then
		ok "crun alone refuses this hybrid host"
	else
		not_ok "crun alone refuses this hybrid host ($(cat "$T/err"))"
	fi
else
	ok "# SKIP not a hybrid host with v2 controllers: no v2 mount to hide from crun"
fi
out=$("$RUNTIME_NS" crun --version 2>&1)
eq "podd-runtime-ns refuses a relative runtime path (exit)" "$?" 1
case $out in
*"usage: podd-runtime-ns /PATH/TO/RUNTIME"*) ok "podd-runtime-ns says why" ;;
*) not_ok "podd-runtime-ns says why ($out)" ;;
esac
cp "$CRUN" "$T/crun-copy"
chmod 0777 "$T/crun-copy"
out=$("$RUNTIME_NS" "$T/crun-copy" --version 2>&1)
eq "podd-runtime-ns refuses a runtime others may write (exit)" "$?" 1
case $out in
*"not a root-owned executable"*) ok "podd-runtime-ns names the writable runtime" ;;
*) not_ok "podd-runtime-ns names the writable runtime ($out)" ;;
esac
case $("$RUNTIME_NS" "$CRUN" --version 2>&1) in
"crun version"*) ok "podd-runtime-ns runs crun" ;;
*) not_ok "podd-runtime-ns runs crun" ;;
esac
# What the runtime sees, through busybox in its place.
mkdir -p "$T/rt"
cp /bin/busybox "$T/rt/busybox"
chmod 0755 "$T/rt/busybox"
out=$("$RUNTIME_NS" "$T/rt/busybox" sh -c \
	'echo "$_LIBCONTAINER_CLONED_BINARY"; touch "$0" 2>&1' "$T/rt/busybox" 2>&1)
eq "the runtime's binary is read-only in its namespace, and crun is told so" "$out" \
	"1
touch: $T/rt/busybox: Read-only file system"
# On a shared mount, as systemd makes /: the read-only bind must not reach
# the test's own namespace while the runtime runs.
mount --bind "$T/rt" "$T/rt" && mount --make-shared "$T/rt"
eq "the read-only mount stays in the runtime's namespace, even on a shared mount" \
	"$("$RUNTIME_NS" "$T/rt/busybox" sh -c 'grep -c " $0 " "$1"' "$T/rt/busybox" "/proc/$$/mountinfo" 2>&1)" 0
umount "$T/rt"
seen=$("$RUNTIME_NS" "$T/rt/busybox" sh -c \
	'grep -c " /sys/fs/cgroup/unified " /proc/self/mountinfo' 2>&1)
if $refusing_host; then
	eq "the runtime does not see the v2 mount" "$seen" 0
else
	eq "the runtime sees the v2 mount crun accepts" "$seen" "$(grep -c " /sys/fs/cgroup/unified " /proc/self/mountinfo)"
fi

# A created container deleted through the wrapper (what podd does with one
# a dead podctl left, or after a failed start): its v2 cgroup goes with it.
if $refusing_host; then
	lid=$(printf 'ab%.0s' $(seq 32))
	crun_cmd create --bundle "$T/bundle" "$lid" < /dev/null > /dev/null 2>&1
	if [ -d "/sys/fs/cgroup/unified/podd/podd-$lid" ]; then
		ok "crun create through the wrapper joins podd/podd-<id> in v2"
	else
		not_ok "crun create through the wrapper joins podd/podd-<id> in v2"
	fi
	crun_cmd delete --force "$lid" > /dev/null 2>&1
	if [ -d "/sys/fs/cgroup/unified/podd/podd-$lid" ]; then
		not_ok "delete --force of the created container removes its v2 cgroup"
		rmdir "/sys/fs/cgroup/unified/podd/podd-$lid" 2> /dev/null
	else
		ok "delete --force of the created container removes its v2 cgroup"
	fi
fi

# --- a container's life ---
check "load the busybox image" $P load -q -i "$PODD_BUSYBOX_ARCHIVE"
eq "run --rm prints the command's output" "$($C run --rm localhost/busybox echo hello 2>&1)" \
	hello
$C run --rm localhost/busybox sh -c 'exit 3' > /dev/null 2>&1
eq "run --rm exits with the container's code" "$?" 3
expect_fail "run of a missing command exits 127, podman's words" 127 \
	"crun: executable file \`/nonexist\` not found in \$PATH: No such file or directory: OCI runtime attempted to invoke a command that was not found" \
	$C run --rm localhost/busybox /nonexist
expect_fail "run of a file that is no program exits 126" 126 \
	"Permission denied: OCI runtime permission denied error" \
	$C run --rm localhost/busybox /etc/passwd

# crun runs through podd-runtime-ns and does not execute itself again.
strace -f -qq -s 512 -e trace=execve,execveat -o "$T/run.trace" \
	$C run --rm localhost/busybox true > /dev/null 2>&1
if grep -q 'execve("[^"]*podd-runtime-ns", \[[^]]*"/[^"]*crun", "--root=[^"]*", "create"' "$T/run.trace"; then
	ok "conmon runs crun create through podd-runtime-ns"
else
	not_ok "conmon runs crun create through podd-runtime-ns"
fi
eq "crun executes itself no second time" "$(grep -c 'execveat(' "$T/run.trace")" 0

id=$($C run -d --name web --memory 64m --pids-limit 50 localhost/busybox sleep 1000)
eq "run -d starts the container" "$($P ps --format '{{.Names}} {{.Status}}' | cut -c1-6)" "web Up"
eq "inspect names crun as its runtime" "$($P inspect web --format '{{.OCIRuntime}}')" crun
pid=$($P inspect web --format '{{.State.Pid}}')
if [ -d /sys/fs/cgroup/memory ]; then
	eq "--memory is the v1 memory cgroup's limit" \
		"$(cat "/sys/fs/cgroup/memory/podd/podd-$id/memory.limit_in_bytes" 2>&1)" 67108864
	eq "--pids-limit is the v1 pids cgroup's limit" \
		"$(cat "/sys/fs/cgroup/pids/podd/podd-$id/pids.max" 2>&1)" 50
else
	eq "--memory is the v2 cgroup's limit" \
		"$($P exec web cat /sys/fs/cgroup/memory.max 2>&1)" 67108864
	eq "--pids-limit is the v2 cgroup's limit" "$($P exec web cat /sys/fs/cgroup/pids.max 2>&1)" 50
fi
if $refusing_host; then
	# What runc does on such a host, and what a systemd host needs: the
	# container in its own v2 cgroup, not its caller's.
	eq "the container's v2 cgroup is its own, as runc's" \
		"$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" "/podd/podd-$id"
	eq "an exec joins it" "$($P exec web cat /proc/self/cgroup 2>&1 | sed -n 's/^0:://p')" \
		"/podd/podd-$id"
fi
eq "exec runs in the container's namespaces" \
	"$($P exec web sh -c 'echo $(cat /proc/1/comm) in $(hostname)')" "sleep in ${id:0:12}"
expect_fail "exec of a missing command exits 127" 127 "OCI runtime attempted to invoke" \
	$P exec web /nonexist
expect_fail "exec of a file that is no program exits 126" 126 "OCI runtime permission denied" \
	$P exec web /etc/passwd
eq "exec's exit code" "$($P exec web sh -c 'exit 7'; echo $?)" 7
case $($P top web 2>&1) in
*"sleep 1000"*) ok "top lists the container's process" ;;
*) not_ok "top lists the container's process" ;;
esac
check "pause" $P pause web
eq "a paused container's state" "$($P inspect web --format '{{.State.Status}}')" paused
check "unpause" $P unpause web
check "stop" $P stop -t 0 web
eq "stopped: exited" "$($P inspect web --format '{{.State.Status}}')" exited
check "start again" $P start web
eq "running after start" "$($P inspect web --format '{{.State.Status}}')" running
check "rm -f of the running container" $P rm -f -t 0 web
left=$(find /sys/fs/cgroup/*/podd -maxdepth 1 -name "podd-$id" 2> /dev/null)
$refusing_host && [ -d "/sys/fs/cgroup/unified/podd/podd-$id" ] && left="$left unified"
eq "no cgroup of the container is left" "$left" ""
eq "nothing of crun's is left in the runtime root" "$(crun_cmd list -q 2>&1)" ""
# A container whose runtime state is lost: rm -f gives up 5 s after SIGKILL
# (podman's wait) instead of waiting for ever, and keeps the record.
id=$($C run -d --name lost localhost/busybox sleep 1000)
pid=$($P inspect lost --format '{{.State.Pid}}')
rm -rf "${T:?}/run/runtime/$id"
expect_fail "rm -f of a container the runtime lost fails, after SIGKILL's wait" 125 \
	"cannot remove container $id as it could not be stopped: sending SIGKILL to container $id: " \
	timeout 30 $P rm -f -t 0 lost
eq "the failed rm keeps the container" "$($P ps -a --format '{{.Names}}' | grep -c '^lost$')" 1
kill -9 "$pid"
check "once its process is gone, rm -f removes it" timeout 30 $P rm -f -t 0 lost
left=$(find /sys/fs/cgroup/*/podd -maxdepth 1 -name "podd-$id" 2> /dev/null)
for d in $left; do rmdir "$d"; done

if v2_mounted || ! $refusing_host; then
	ok "the host keeps its cgroup v2 mount"
else
	not_ok "the host keeps its cgroup v2 mount"
fi

finish
