#!/bin/bash
# The reboot refresh: a tmp dir whose alive file names another boot (or is
# missing) makes the first podctl reset every container as after a reboot.
# A reboot cannot happen here, so the test writes another boot id into the
# alive file while its containers still run, and kills them itself after.
. "$(dirname "$0")/lib.sh"

boot_id=$(cat /proc/sys/kernel/random/boot_id)
other_boot=00000000-0000-4000-8000-000000000000

# state NAME: status, recorded pid and exit code, from ps's JSON (inspect
# shows a pid only while the container runs; ps shows the record's).
state() {
	$P ps -a --format json |
		jq -r --arg n "$1" '.[] | select(.Names[0] == $n) | "\(.State) \(.Pid) \(.ExitCode)"'
}

# gone PID...: wait until none of the processes is left.
gone() {
	local pid
	for _ in $(seq 100); do
		for pid in "$@"; do
			kill -0 "$pid" 2> /dev/null && break
			pid=
		done
		[ -z "$pid" ] && return 0
		sleep 0.1
	done
	return 1
}

# exit_commands_done: no `podctl container cleanup` of this test runs.
exit_commands_done() {
	local p
	for _ in $(seq 100); do
		for p in /proc/[0-9]*; do
			tr '\0' ' ' 2> /dev/null < "$p/cmdline" | grep -qF -- "$T/run container cleanup" &&
				break
			p=
		done
		[ -z "$p" ] && return 0
		sleep 0.1
	done
	return 1
}

$P ps -a > /dev/null
eq "the first podctl writes the alive file with the boot id" "$(cat "$T/run/boot/alive")" "$boot_id"

conf_id=$($P create --name conf --rootfs "$ROOTFS" true)
$P run --name done --rootfs "$ROOTFS" /bin/sh -c 'exit 3'
done_id=$($P inspect --format '{{.Id}}' done)
done_finished=$($P inspect --format '{{.State.FinishedAt}}' done)
run_id=$($P run -d --name running --rootfs "$ROOTFS" sleep 1000)
rm_id=$($P run -d --rm --name autorm --rootfs "$ROOTFS" sleep 1000)
paused_id=$($P run -d --name paused --rootfs "$ROOTFS" sleep 1000)
$P pause paused > /dev/null
pids=""
for c in running autorm paused; do
	pids="$pids $($P inspect --format '{{.State.Pid}} {{.State.ConmonPid}}' $c)"
done
check "the containers and their conmons run" bash -c "for p in $pids; do kill -0 \$p || exit 1; done"
check "the --rm container has files in the static dir" test -d "$T/root/containers/$rm_id"
eq "running before" "$(state running | cut -d' ' -f1)" "running"

# Another boot. The refreshing podctl says nothing on stdout beyond its
# answer, and at --log-level info says once what it did.
echo "$other_boot" > "$T/run/boot/alive"
$P --log-level info ps -a -q > "$T/out" 2> "$T/err"
eq "the refreshing ps lists all but the --rm one" "$(sort "$T/out" | tr '\n' ' ')" \
	"$(printf '%.12s\n' "$conf_id" "$done_id" "$run_id" "$paused_id" | sort | tr '\n' ' ')"
eq "podd-state logs the refresh once" "$(grep -c 'refreshed the state' "$T/err")" "1"
check "... with what it did" grep -q 'refreshed the state: 2 containers reset, 1 removed' "$T/err"
eq "the alive file names this boot again" "$(cat "$T/run/boot/alive")" "$boot_id"

eq "a running container is exited, pids cleared, exit code kept" "$(state running)" "exited 0 0"
eq "a paused container is exited too" "$(state paused)" "exited 0 0"
check "ps shows Exited (0)" bash -c "$P ps -a | grep -Eq 'Exited \\(0\\) .*running\$'"
check "its FinishedAt is the refresh time, not zero" bash -c \
	"$P inspect --format '{{.State.FinishedAt}}' running | grep -qv '^0001'"
eq "a configured container stays Created" "$(state conf)" "created 0 0"
eq "an exited container keeps its exit code" "$(state done)" "exited 0 3"
eq "... and its FinishedAt" "$($P inspect --format '{{.State.FinishedAt}}' done)" "$done_finished"
$P container exists autorm
eq "the leftover --rm container is gone" "$?" 1
check "... with its files" test ! -e "$T/root/containers/$rm_id"
check "... and its name" $P create --name autorm --rootfs "$ROOTFS" true
$P rm autorm > /dev/null

# The same boot: a second podctl leaves a container started now alone.
after_id=$($P run -d --name after --rootfs "$ROOTFS" sleep 1000)
after_pids=$($P inspect --format '{{.State.Pid}} {{.State.ConmonPid}}' after)
$P --log-level info ps -a > /dev/null 2> "$T/err"
eq "a second podctl does not refresh again" "$(state after | cut -d' ' -f1)" "running"
check "... and logs nothing of it" bash -c "! grep -q refresh $T/err"

# An engine from before <tmp>/boot kept the alive file in the tmp dir
# itself: naming this boot, it still means no reboot (and moves).
mv "$T/run/boot/alive" "$T/run/alive"
eq "the old alive file of this boot: no refresh" "$(state after | cut -d' ' -f1)" "running"
eq "... and the alive file is in its new place" "$(cat "$T/run/boot/alive")" "$boot_id"
rm "$T/run/alive"

# A missing alive file on an existing database is a reboot too.
rm "$T/run/boot/alive"
eq "no alive file: the running container is exited" "$(state after)" "exited 0 0"
eq "the alive file is back" "$(cat "$T/run/boot/alive")" "$boot_id"

# The processes outlived the "reboot": end them. conmon then runs its exit
# command, `podctl container cleanup`, on records the refresh reset or
# removed; it must change nothing. That it ran shows in the lock file it
# takes, removed here first (nobody holds it; a lock file is made on use).
rm -f "$T/run/locks/$run_id"
for pid in $(for c in $pids $after_pids; do echo "$c"; done | awk 'NR % 2 == 1'); do
	kill -9 "$pid" 2> /dev/null
done
# The paused one's SIGKILL waits for a thaw, which runc's delete does.
runc --root "$T/run/runtime" delete --force "$paused_id" > /dev/null 2>&1
check "the containers and their conmons are gone" gone $pids $after_pids
check "conmon's exit command ran" bash -c \
	"for _ in \$(seq 100); do [ -e $T/run/locks/$run_id ] && exit 0; sleep 0.1; done; exit 1"
check "... and has finished" exit_commands_done
eq "conmon's cleanup left the exited records alone" \
	"$(state running); $(state paused); $(state after)" "exited 0 0; exited 0 0; exited 0 0"
$P container exists autorm
eq "... and did not bring back the --rm one" "$?" 1
for id in $run_id $rm_id $paused_id $after_id; do
	runc --root "$T/run/runtime" delete --force "$id" > /dev/null 2>&1
done
eq "the runtime knows none of them" "$(runc --root "$T/run/runtime" list -q)" ""
eq "no conmon left" "$(our_conmons)" ""

finish
