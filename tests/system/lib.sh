# Shared by the system tests: a private root, runroot and rootfs per test,
# TAP-style lines, a closing "N passed, M failed" line, and cleanup of
# everything the test started, even when it fails.
set -u

: "${PODCTL:?PODCTL must point at the podctl binary}"
: "${PODD_SOURCE_DIR:?PODD_SOURCE_DIR must point at the source tree}"

# script(1) runs its command through $SHELL: pin it, so that a test sees
# the same shell (and the same signal behaviour) on every machine.
export SHELL=/bin/sh

T=$(mktemp -d /tmp/podd-systest.XXXXXX)
ROOTFS="$T/rootfs"
# Never the host's registries configuration, credentials or podd.conf
# (/dev/null: none).
export PODD_REGISTRIES_CONF="$T/registries.json" REGISTRY_AUTH_FILE="$T/auth.json"
export PODD_CONF=/dev/null
P="$PODCTL --root $T/root --runroot $T/run"
PASSED=0
FAILED=0
BG_PIDS=""

# Every conmon of this test's containers: they name our runroot in their
# command line, which no other process's does.
our_conmons() {
	local p
	for p in /proc/[0-9]*; do
		if [ "$(cat "$p/comm" 2>/dev/null)" = conmon ] &&
			tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -qF -- "$T/run"; then
			echo "${p#/proc/}"
		fi
	done
}

# The crun podd-exec runs: the first in its search order (launcher_ops.c).
crun_path() {
	local d
	for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
		[ -x "$d/crun" ] && { echo "$d/crun"; return 0; }
	done
	return 1
}

# crun on this test's runtime root, through podd-runtime-ns as podd-exec
# runs it.
crun_cmd() {
	local crun
	crun=$(crun_path) || return 1
	"$(dirname "$PODCTL")/podd-runtime-ns" "$crun" --root "$T/run/runtime" "$@"
}

cleanup() {
	local pid ids id
	# Whatever podd.conf a test left: $P's flags alone.
	export PODD_CONF=/dev/null
	for pid in $BG_PIDS; do
		kill -9 "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	# The runtime's list too: it knows containers the database no longer
	# has (a refresh forgets running --rm containers, test_refresh.sh).
	ids=$( ($P ps -a -q --no-trunc; runc --root "$T/run/runtime" list -q;
		crun_cmd list -q) 2>/dev/null | sort -u)
	timeout 120 $P rm -a -f > /dev/null 2>&1
	# Whatever rm could not stop: conmon and the runtime's leftovers.
	for pid in $(our_conmons); do
		kill -9 "$pid" 2>/dev/null || true
	done
	for id in $ids; do
		# Each with its own runtime: either deletes the other's state
		# directory and leaves its container running.
		if [ -f "$T/run/runtime/$id/state.json" ]; then
			runc --root "$T/run/runtime" delete --force "$id" > /dev/null 2>&1 || true
		elif [ -d "$T/run/runtime/$id" ]; then
			crun_cmd delete --force "$id" > /dev/null 2>&1 || true
		fi
	done
	# Image containers' roots a failed test left mounted (deepest first).
	grep " $T/" /proc/self/mountinfo | awk '{print $5}' | sort -r |
		while read -r m; do umount -l "$m" 2> /dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

"$PODD_SOURCE_DIR/scripts/make-rootfs.sh" "$ROOTFS" || exit 1

ok() {
	PASSED=$((PASSED + 1))
	echo "ok - $*"
}

not_ok() {
	FAILED=$((FAILED + 1))
	echo "not ok - $*"
}

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	local what=$1
	shift
	if "$@" > /dev/null; then ok "$what"; else not_ok "$what"; fi
}

# expect_fail DESCRIPTION EXIT_CODE STDERR_SUBSTRING COMMAND...
expect_fail() {
	local what=$1 code=$2 msg=$3 rc
	shift 3
	"$@" > "$T/out" 2> "$T/err"
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		not_ok "$what (exit $rc, expected $code; stderr: $(cat "$T/err"))"
	elif ! grep -qF -- "$msg" "$T/err"; then
		not_ok "$what (stderr lacks \"$msg\": $(cat "$T/err"))"
	elif ! grep -q '^Error: ' "$T/err" && [ "$code" -ne 1 ]; then
		not_ok "$what (no \"Error: \" line)"
	else
		ok "$what"
	fi
}

# eq DESCRIPTION ACTUAL EXPECTED
eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got \"$2\", expected \"$3\")"; fi
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit $?
}
