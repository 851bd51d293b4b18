#!/bin/bash
# A container whose conmon was killed (kill -9), with real conmon, runc
# and crun: conmon will never write its exit file, so stop and rm must not
# wait for one. Once the runtime no longer runs the container either, it
# counts as exited with code -1, as podman records a container whose exit
# file never came. podman 4.3 itself leaves the second case below (both
# conmon and the process killed) running for ever and refuses its rm -f.
. "$(dirname "$0")/lib.sh"

# run -d NAME, then kill -9 its conmon and wait until it is gone.
start_and_kill_conmon() {
	local name=$1 cpid
	shift
	$P "$@" run -d --name "$name" --rootfs "$ROOTFS" sleep 1000 > /dev/null || return 1
	cpid=$($P inspect --format '{{.State.ConmonPid}}' "$name")
	[ "$cpid" -gt 0 ] || return 1
	kill -9 "$cpid" || return 1
	for _ in $(seq 100); do
		[ -d "/proc/$cpid" ] || return 0
		sleep 0.05
	done
	return 1
}

# kill_inspected FIELD NAME: kill -9 of the pid inspect shows in
# State.FIELD of container NAME: its conmon (ConmonPid), or its process
# (Pid: behind the engine's back, as the OOM killer or an admin would).
kill_inspected() {
	local pid
	pid=$($P inspect --format "{{.State.$1}}" "$2")
	if [ "${pid:-0}" -gt 0 ]; then kill -9 "$pid"; else not_ok "$2 has no $1"; fi
}

# bg_until_up OUT ERR CMD...: CMD in the background (killed after 30 s,
# and listed in BG_PIDS for lib.sh's cleanup), stdout to OUT and stderr to
# ERR, until OUT holds the line "up" (20 s at most, else a failed check
# showing both); its pid in bgpid.
bg_until_up() {
	local out=$1 err=$2
	shift 2
	timeout -s KILL 30 "$@" > "$out" 2> "$err" &
	bgpid=$!
	BG_PIDS="$BG_PIDS $bgpid"
	for _ in $(seq 400); do
		grep -qx up "$out" && return 0
		sleep 0.05
	done
	not_ok "no \"up\" from $* within 20 s (stdout: $(cat "$out"), stderr: $(cat "$err"))"
	return 1
}

# The ids both runtimes list on this test's runtime root.
runtime_ids() {
	{ runc --root "$T/run/runtime" list -q; crun_cmd list -q; } 2>/dev/null
}

# Whether a runtime still lists container NAME's id (taken first, so an
# empty inspect cannot pass for "not listed").
runtime_lists() {
	local id
	id=$($P inspect --format '{{.Id}}' "$1") && [ -n "$id" ] || return 2
	runtime_ids | grep -qxF "$id"
}

for runtime in runc crun; do
	if [ "$runtime" = crun ] && ! crun_path > /dev/null; then
		not_ok "crun is not installed (scripts/install-deps.sh installs it)"
		continue
	fi
	R=(--runtime "$runtime")
	s=$runtime

	# conmon dead, the container's process alive: stop kills it through
	# the runtime and ends as soon as the runtime no longer runs it.
	check "$s: run -d, then conmon killed" start_and_kill_conmon "lost-$s" "${R[@]}"
	eq "$s: ps still says Up: nothing is asked before a stop" \
		"$($P ps -a --format '{{.Names}} {{.Status}}' | awk -v n="lost-$s" '$1 == n {print $2}')" "Up"
	$P stop -t 1 "lost-$s" > "$T/out" 2> "$T/err"
	eq "$s: stop of a container whose conmon died exits 0" "$?" 0
	eq "$s: ... and prints the name" "$(cat "$T/out")" "lost-$s"
	check "$s: ... warning that the exit code is unknown" \
		grep -qF "conmon of container lost-$s died without recording its exit: exit code unknown (-1)" "$T/err"
	eq "$s: inspect: exited, exit code -1" \
		"$($P inspect --format '{{.State.Status}} {{.State.ExitCode}}' "lost-$s")" "exited -1"
	check "$s: ps shows Exited (-1)" \
		bash -c "$P ps -a --format '{{.Names}} {{.Status}}' | grep -q '^lost-$s Exited (-1) '"
	runtime_lists "lost-$s"
	eq "$s: the runtime forgot the container" "$?" 1
	# The record is whole: it starts again, with a new conmon, and then
	# stops and goes as any container does.
	check "$s: it starts again" $P start "lost-$s"
	eq "$s: ... and runs" "$($P inspect --format '{{.State.Status}}' "lost-$s")" "running"
	check "$s: ... with a live conmon" \
		test -d "/proc/$($P inspect --format '{{.State.ConmonPid}}' "lost-$s")"
	check "$s: rm -f of it" $P rm -f -t 0 "lost-$s"
	expect_fail "$s: ... it is gone" 125 "no container with name or ID" $P inspect "lost-$s"

	# conmon dead and the process dead too (killed behind the engine's
	# back): rm without -f takes it, as an exited container.
	check "$s: run -d, conmon killed" start_and_kill_conmon "dead-$s" "${R[@]}"
	pid=$($P inspect --format '{{.State.Pid}}' "dead-$s")
	if [ "${pid:-0}" -gt 0 ]; then kill -9 "$pid"; else not_ok "$s: dead-$s has no pid"; fi
	rc=1
	for _ in $(seq 50); do
		$P rm "dead-$s" > "$T/out" 2> "$T/err" && { rc=0; break; }
		sleep 0.1
	done
	eq "$s: rm (no -f) of a container whose conmon and process died exits 0" "$rc" 0
	eq "$s: ... and prints its name" "$(cat "$T/out")" "dead-$s"
	expect_fail "$s: ... it is gone" 125 "no container with name or ID" $P inspect "dead-$s"

	# rm -f with conmon dead: no 5 s wait and no stranded record.
	check "$s: run -d, conmon killed once more" start_and_kill_conmon "gone-$s" "${R[@]}"
	check "$s: rm -f -t 0 of it" $P rm -f -t 0 "gone-$s"
	expect_fail "$s: ... it is gone" 125 "no container with name or ID" $P inspect "gone-$s"
	eq "$s: no runtime state is left" "$(runtime_ids)" ""

	# podctl wait, waiting when conmon dies: it goes on while the
	# container's process runs, ends when that process ends, prints -1,
	# and the record says so. timeout(1) ends a wait that never would.
	$P "${R[@]}" run -d --name "waited-$s" --rootfs "$ROOTFS" sleep 1000 > /dev/null
	timeout -s KILL 30 $P wait "waited-$s" > "$T/wout" 2> "$T/werr" &
	wpid=$!
	BG_PIDS="$BG_PIDS $wpid"
	kill_inspected ConmonPid "waited-$s"
	sleep 1.5
	check "$s: wait whose conmon died still waits while the process runs" kill -0 "$wpid"
	kill_inspected Pid "waited-$s"
	wait "$wpid"
	eq "$s: ... ends once the process is gone, exit 0" "$?" 0
	eq "$s: ... prints -1" "$(cat "$T/wout")" "-1"
	check "$s: ... warning that the exit code is unknown" \
		grep -qF "conmon of container waited-$s died without recording its exit" "$T/werr"
	eq "$s: ... inspect: exited, exit code -1" \
		"$($P inspect --format '{{.State.Status}} {{.State.ExitCode}}' "waited-$s")" "exited -1"
	check "$s: rm of it" $P rm "waited-$s"

	# The same for a --rm container: the wait's sync removes it.
	$P "${R[@]}" run -d --rm --name "waitrm-$s" --rootfs "$ROOTFS" sleep 1000 > /dev/null
	kill_inspected ConmonPid "waitrm-$s"
	kill_inspected Pid "waitrm-$s"
	timeout -s KILL 30 $P wait "waitrm-$s" > "$T/wout" 2> "$T/werr"
	eq "$s: wait on a --rm container whose conmon and process died exits 0" "$?" 0
	eq "$s: ... prints -1" "$(cat "$T/wout")" "-1"
	check "$s: ... and says nothing but the warning" \
		test "$(grep -vc 'conmon of container waitrm-' "$T/werr")" -eq 0
	expect_fail "$s: ... the container is gone" 125 "no container with name or ID" \
		$P inspect "waitrm-$s"

	# An attached run --rm whose conmon dies: the relay ends with the
	# attach socket, the wait goes on while the process runs and ends
	# with it; the container goes, podctl exits 255 (an exit code of -1)
	# with the warning.
	bg_until_up "$T/aout" "$T/aerr" $P "${R[@]}" run --rm --name "att-$s" --rootfs "$ROOTFS" \
		sh -c 'echo up; exec sleep 1000'
	apid=$bgpid
	kill_inspected ConmonPid "att-$s"
	sleep 1.5
	check "$s: attached run whose conmon died still waits while the process runs" kill -0 "$apid"
	kill_inspected Pid "att-$s"
	wait "$apid"
	eq "$s: ... ends once the process is gone, exit 255" "$?" 255
	check "$s: ... printed what came before" grep -qx up "$T/aout"
	check "$s: ... warning that the exit code is unknown" \
		grep -qF "conmon of container att-$s died without recording its exit" "$T/aerr"
	expect_fail "$s: ... the --rm container is gone" 125 "no container with name or ID" \
		$P inspect "att-$s"

	# An exec whose own conmon dies: it goes on while its process runs,
	# ends with it (exit 255, the warning), and the container runs on.
	$P "${R[@]}" run -d --name "ex-$s" --rootfs "$ROOTFS" sleep 1000 > /dev/null
	id=$($P inspect --format '{{.Id}}' "ex-$s")
	bg_until_up "$T/eout" "$T/eerr" $P exec "ex-$s" sh -c 'echo up; exec sleep 1000'
	epid=$bgpid
	sdir=$(ls -d "$T/run/containers/$id/exec/"*/ 2> /dev/null | head -1)
	cpid=$(cat "$sdir/conmon.pid" 2> /dev/null)
	if [ "${cpid:-0}" -gt 0 ]; then kill -9 "$cpid"; else not_ok "$s: the exec session has no conmon pid"; fi
	sleep 1.5
	check "$s: exec whose conmon died still waits while its process runs" kill -0 "$epid"
	xpid=$(cat "$sdir/pidfile" 2> /dev/null)
	if [ "${xpid:-0}" -gt 0 ]; then kill -9 "$xpid"; else not_ok "$s: the exec session has no pid"; fi
	wait "$epid"
	eq "$s: ... ends once its process is gone, exit 255" "$?" 255
	check "$s: ... warning that the exit code is unknown" \
		grep -qF "conmon of exec session" "$T/eerr"
	eq "$s: ... the container runs on" "$($P inspect --format '{{.State.Status}}' "ex-$s")" running
	eq "$s: ... and takes another exec" "$($P exec "ex-$s" echo again)" again
	check "$s: rm -f of it" $P rm -f -t 0 "ex-$s"

	eq "$s: no runtime state is left at the end" "$(runtime_ids)" ""
done

# A live conmon still records the real exit code: the check only steps in
# when conmon is gone.
$P run -d --name alive --rootfs "$ROOTFS" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done' > /dev/null
check "stop of a container with its conmon" $P stop -t 10 alive
eq "... records the exit code conmon wrote" "$($P inspect --format '{{.State.ExitCode}}' alive)" 7
expect_fail "rm of a running container still needs -f" 2 "cannot remove container" \
	bash -c "$P run -d --name busy --rootfs $ROOTFS sleep 1000 > /dev/null && $P rm busy"

finish
