#!/bin/bash
# While podctl commands are in flight, every podd process's confinement as
# the kernel reports it (/proc/PID/status) matches docs/SECURITY.md.
. "$(dirname "$0")/lib.sh"

# Expected values come from the machine-readable table in docs/SECURITY.md:
# lines "| process | CapEff | NoNewPrivs | Seccomp |" between the markers.
expected() { # PROCESS FIELD(2..4)
	sed -n '/<!-- status-table -->/,/<!-- \/status-table -->/p' \
		"$PODD_SOURCE_DIR/docs/SECURITY.md" |
		awk -F'|' -v p="$1" -v f="$2" '{gsub(/ /,"",$2)} $2==p {v=$(f+1); gsub(/[ `]/,"",v); print v}'
}

status_of() { # PID FIELD
	awk -v f="$2:" '$1==f {print $2}' "/proc/$1/status"
}

host_capeff=$(status_of $$ CapEff)

verify() { # NAME PID
	local name=$1 pid=$2 field want got
	for field in CapEff NoNewPrivs Seccomp; do
		case $field in CapEff) col=2 ;; NoNewPrivs) col=3 ;; Seccomp) col=4 ;; esac
		want=$(expected "$name" $col)
		[ "$want" = "all" ] && want=$host_capeff
		got=$(status_of "$pid" $field)
		if [ -z "$want" ]; then
			not_ok "$name: docs/SECURITY.md has no $field entry"
		else
			eq "$name (pid $pid) $field" "$got" "$want"
		fi
	done
}

# 1. Every helper at once: `system sandbox --wait` holds its session open
#    until its stdin closes.
mkfifo "$T/hold"
$P system sandbox --wait < "$T/hold" > "$T/table" 2> "$T/err" &
podctl_pid=$!
BG_PIDS="$BG_PIDS $podctl_pid"
exec 9> "$T/hold"
for _ in $(seq 1 100); do
	[ "$(wc -l < "$T/table")" -ge 9 ] && break
	sleep 0.05
done
check "system sandbox listed podctl, 5 helpers and 2 launchers" \
	test "$(wc -l < "$T/table")" -eq 9
verify podctl "$podctl_pid"
for name in podd-state podd-image podd-image-registry podd-exec podd-net podd-exec-launcher \
	podd-net-launcher; do
	pid=$(awk -v n="$name" '$1==n {print $2}' "$T/table")
	if [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then
		not_ok "$name is running"
		continue
	fi
	verify "$name" "$pid"
done
# The launchers are children of their workers, the workers of podctl.
for w in podd-exec podd-net; do
	wpid=$(awk -v n="$w" '$1==n {print $2}' "$T/table")
	lpid=$(awk -v n="$w-launcher" '$1==n {print $2}' "$T/table")
	eq "$w-launcher is a child of $w" "$(awk '/^PPid:/ {print $2}' /proc/$lpid/status)" "$wpid"
	eq "$w is a child of podctl" "$(awk '/^PPid:/ {print $2}' /proc/$wpid/status)" "$podctl_pid"
done
exec 9>&-
wait "$podctl_pid"
eq "system sandbox exits 0" "$?" "0"
for name in podd-state podd-image podd-image-registry podd-exec podd-net podd-exec-launcher \
	podd-net-launcher; do
	pid=$(awk -v n="$name" '$1==n {print $2}' "$T/table")
	check "$name exited with its session" test ! -d "/proc/$pid"
done

# 2. A real command in flight: rm waits for the container's lock, which this
#    test holds, so podctl and podd-state can be read while it waits.
id=$($P create --rootfs "$ROOTFS" /bin/true)
exec 8> "$T/run/locks/$id"
flock 8
$P rm "$id" > "$T/rm.out" 2>&1 8>&- &
rm_pid=$!
BG_PIDS="$BG_PIDS $rm_pid"
state_pid=""
for _ in $(seq 1 100); do
	state_pid=$(awk '{print $1}' /proc/$rm_pid/task/$rm_pid/children 2>/dev/null)
	[ -n "$state_pid" ] && grep -q '^Seccomp:.*2' /proc/$state_pid/status 2>/dev/null &&
		[ "$(status_of "$rm_pid" Seccomp)" = 2 ] && break
	sleep 0.05
done
check "rm is waiting for the lock" test -d "/proc/$rm_pid"
verify podctl "$rm_pid"
verify podd-state "$state_pid"
exec 8>&-
wait "$rm_pid"
eq "rm finishes once the lock is free" "$?" "0"
$P container exists "$id"
eq "the container is gone" "$?" "1"

finish
