#!/bin/bash
# Times podctl against a peer engine (podman, where installed) in one run
# and prints the ratios: create, ps -a over N containers, inspect, the peak
# memory of the whole process tree (podctl plus its helpers), run --rm
# against bare runc and podman, exec, the memory of run split by process,
# and what each running container leaves running. See bench/README.md. It
# reports; a missed target never fails it: the exit status is 0 unless the
# script could not measure podctl (1) or was used wrongly (2). Run as root
# (podman rootful, podctl's sandboxes, runc).
#
# Usage: bench/bench.sh [--podctl PATH] [--podman PATH | --no-podman]
#                       [--runc PATH] [--n 1000] [--runs 20] [--warmup 2]
#                       [--ctrs 10]
#                       [--cases create0,create,ps,inspect,mem,run,exec,mem-run,ctr-cost,
#                                load,pull,run-image,run-image-crun,mem-pull]
#
# Adding a case: write a function case_NAME (a '-' in NAME is '_' in the
# function's name) that prepares what it needs (populate ENGINE COUNT) and
# calls time_case or mem_case with the podctl command in the array pd and
# the peer's in pe (empty: no peer), then add NAME to all_cases. A peer
# need not be podman (`run` against bare runc sets peer_name=runc).
set -u

src=$(cd "$(dirname "$0")/.." && pwd)
podctl_bin=$src/build/bin/podctl
podman_bin=$(command -v podman || true)
runc_bin=$(command -v runc || echo /usr/sbin/runc)
n=1000
runs=20
warmup=2
ctrs=10
all_cases=(create0 create ps inspect mem run exec mem-run ctr-cost load pull run-image run-image-crun
	mem-pull)
cases=$(IFS=,; echo "${all_cases[*]}")

usage() {
	sed -n '/^# Usage:/,/^#$/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}
die() { echo "bench: $*" >&2; exit 1; }
usage_error() { echo "bench: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--podctl) [ $# -ge 2 ] || usage; podctl_bin=$2; shift 2 ;;
	--podman) [ $# -ge 2 ] || usage; podman_bin=$2; shift 2 ;;
	--no-podman) podman_bin=; shift ;;
	--runc) [ $# -ge 2 ] || usage; runc_bin=$2; shift 2 ;;
	--ctrs) [ $# -ge 2 ] || usage; ctrs=$2; shift 2 ;;
	--n) [ $# -ge 2 ] || usage; n=$2; shift 2 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	--warmup) [ $# -ge 2 ] || usage; warmup=$2; shift 2 ;;
	--cases) [ $# -ge 2 ] || usage; cases=$2; shift 2 ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
done
for v in "$n" "$runs" "$warmup" "$ctrs"; do
	case $v in ''|*[!0-9]*) usage ;; esac
done
{ [ "$runs" -ge 1 ] && [ "$ctrs" -ge 1 ]; } || usage
IFS=, read -r -a selected <<< "$cases"
for c in "${selected[@]}"; do
	[[ " ${all_cases[*]} " == *" $c "* ]] || usage_error "unknown case '$c' (cases: ${all_cases[*]})"
done
# create0 and create each add warmup+runs containers; the fill in between
# must create at least one (f0, the target of inspect); ps -a then sees
# exactly n.
[ "$n" -gt $((2 * (warmup + runs))) ] ||
	usage_error "--n must exceed 2 * (--warmup + --runs) = $((2 * (warmup + runs)))"
[ -x "$podctl_bin" ] || usage_error "no podctl at $podctl_bin (build first, or pass --podctl)"
podctl_bin=$(cd "$(dirname "$podctl_bin")" && pwd)/$(basename "$podctl_bin")

# --- Work area and cleanup ------------------------------------------------

W=$(mktemp -d /tmp/podd-bench.XXXXXX) || die "mktemp failed"
# podctl's built-in defaults, whatever the host's podd.conf says (a file
# that is not there is an empty configuration).
export PODD_CONF="$W/podd.conf"
have_podman=false
RUNC=("$runc_bin" --root "$W/runc/state")

# conmon_pids: pids of the conmon processes whose command line names the
# work area (conmon's names its bundle and exit dir), one a line. Other
# engineers' conmons on this host are never touched.
conmon_pids() {
	local d pid cmdline
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$(cat "$d/comm" 2> /dev/null)" = conmon ] || continue
		cmdline=$(tr '\0' ' ' < "$d/cmdline" 2> /dev/null) || continue
		[[ $cmdline == *"$W/"* ]] && echo "$pid"
	done
}

registry_pid=
cleanup() {
	local id pid left root state
	trap - EXIT INT TERM
	# The pull case's docker-registry, by its pid.
	if [ -n "$registry_pid" ]; then
		kill "$registry_pid" 2> /dev/null
		wait "$registry_pid" 2> /dev/null
	fi
	if [ -d "$W/podctl" ]; then
		"${PC[@]}" rm -a -f > /dev/null 2>&1 || echo "bench: podctl rm -a -f failed" >&2
	fi
	if $have_podman && [ -d "$W/podman" ]; then
		echo "bench: removing podman's containers (frees their locks)..." >&2
		"${PM[@]}" rm -a -f -t 0 > /dev/null 2>&1 || echo "bench: podman rm -a -f failed" >&2
	fi
	# runc containers no engine knows of: bare runc's (the run case), or
	# one a `run` left behind (a Ctrl-C of the bench once left a created
	# container that rm -a -f did not remove; podctl's runc state is in
	# the work area; podman's rootful runc state is /run/runc, shared with
	# the host: only those whose state names the work area). delete -f
	# kills them and removes their cgroups.
	for root in "$W/runc/state" "$W/podctl/run/runtime" /run/runc; do
		for state in "$root"/*/state.json; do
			grep -qsF "$W/" "$state" || continue
			id=$(basename "$(dirname "$state")")
			echo "bench: deleting leftover runc container $id" >&2
			"$runc_bin" --root "$root" delete -f "$id" > /dev/null 2>&1 ||
				echo "bench: runc --root $root delete -f $id failed" >&2
		done
	done
	# A conmon of ours that outlived rm (there should be none): by pid,
	# and only those naming this work area.
	left=$(conmon_pids | paste -sd' ')
	if [ -n "$left" ]; then
		echo "bench: conmon still running after rm -a -f, killing: $left" >&2
		for pid in $left; do kill -KILL "$pid" 2> /dev/null; done
		sleep 0.5
	fi
	# Containers that ran mounted nothing under the work area themselves,
	# but never let rm -rf cross into a mount.
	awk -v w="$W" 'index($5, w "/") == 1 {print $5}' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m" 2> /dev/null; done
	rm -rf --one-file-system "$W"
	left=$(conmon_pids | paste -sd' ')
	[ -z "$left" ] || echo "bench: WARNING: conmon left running: $left" >&2
	[ ! -e "$W" ] || echo "bench: WARNING: could not remove $W" >&2
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cc -O2 -o "$W/timeit" "$src/bench/timeit.c" || die "cannot build bench/timeit.c"
cc -O2 -o "$W/treemem" "$src/bench/treemem.c" || die "cannot build bench/treemem.c"
"$src/scripts/make-rootfs.sh" "$W/rootfs" > /dev/null || die "cannot build the root filesystem"
rootfs=$W/rootfs

# --- Engines --------------------------------------------------------------

PC=("$podctl_bin" --root "$W/podctl/root" --runroot "$W/podctl/run")
mkdir -p "$W/podctl"

if [ -n "$podman_bin" ] && [ -x "$podman_bin" ]; then
	# podman on this kind of host: runc, cgroupfs, events in a file, vfs,
	# all state in the work area (--tmpdir too, so its alive file and
	# events log are private), and default ulimits within the hard limits
	# (no CAP_SYS_RESOURCE: podman's defaults would fail at start).
	hn=$(ulimit -Hn); hu=$(ulimit -Hu); pidmax=$(cat /proc/sys/kernel/pid_max)
	[ "$hn" = unlimited ] && hn=1048576
	if [ "$hu" = unlimited ] || [ "$hu" -gt "$pidmax" ]; then hu=$pidmax; fi
	# Locks: podman's default is one shared memory pool for the whole host
	# (/dev/shm/libpod_lock, 2,048 locks). Keep the default, as measured
	# for the issue, unless the host's own podman has state, whose pool we
	# would then share: use private file locks instead.
	lock_type="shm"
	[ -e /var/lib/containers/storage/libpod/bolt_state.db ] && lock_type="file"
	mkdir -p "$W/podman"
	cat > "$W/podman/containers.conf" <<-CONF
	[containers]
	default_ulimits = ["nofile=$hn:$hn", "nproc=$hu:$hu"]
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	runtime = "runc"
	lock_type = "$lock_type"
	CONF
	cat > "$W/podman/storage.conf" <<-CONF
	[storage]
	driver = "vfs"
	graphroot = "$W/podman/root"
	runroot = "$W/podman/run"
	CONF
	export CONTAINERS_CONF=$W/podman/containers.conf
	export CONTAINERS_STORAGE_CONF=$W/podman/storage.conf
	PM=("$podman_bin" --root "$W/podman/root" --runroot "$W/podman/run"
		--tmpdir "$W/podman/tmp" --runtime runc --cgroup-manager cgroupfs
		--events-backend file --storage-driver vfs)
	have_podman=true
	"${PM[@]}" ps -a > /dev/null 2> "$W/podman.err" || {
		echo "bench: podman does not work here, measuring podctl only:" >&2
		cat "$W/podman.err" >&2
		have_podman=false
	}
fi

# engine_cmd NAME: sets the array cmd to engine NAME's base command.
engine_cmd() {
	case $1 in
	podctl) cmd=("${PC[@]}") ;;
	podman) cmd=("${PM[@]}") ;;
	*) die "unknown engine $1" ;;
	esac
}

engines=(podctl)
$have_podman && engines+=(podman)

# --- Population -----------------------------------------------------------

declare -A filled=() # engine -> containers created by populate
# count ENGINE: number of containers ENGINE lists.
count() {
	local cmd
	engine_cmd "$1"
	"${cmd[@]}" ps -a -q | wc -l
}
# populate ENGINE COUNT: creates containers f0, f1, ... until ENGINE has
# COUNT (it never removes any). f0 is the target of inspect.
populate() {
	local engine=$1 want=$2 have cmd i
	engine_cmd "$engine"
	have=$(count "$engine")
	[ "$have" -ge "$want" ] && return 0
	echo "bench: $engine: creating $((want - have)) containers (to $want)..." >&2
	i=${filled[$engine]:-0}
	while [ "$have" -lt "$want" ]; do
		"${cmd[@]}" create --name "f$i" --rootfs "$rootfs" /bin/true > /dev/null 2> "$W/populate.err" ||
			{ cat "$W/populate.err" >&2; die "$engine create f$i failed"; }
		i=$((i + 1)); have=$((have + 1))
	done
	filled[$engine]=$i
}
# exactly ENGINE COUNT: dies unless ENGINE lists exactly COUNT containers.
exactly() {
	local have
	have=$(count "$1")
	[ "$have" -eq "$2" ] || die "$1 lists $have containers, expected $2"
}

# --- Measuring ------------------------------------------------------------

# Results, one row per case: parallel arrays.
r_case=() r_kind=() r_pd=() r_pe=() r_peer=() r_target=()
details=()
podctl_failed=false
peer_name=podman
summary=()

# settle: let the writeback of what came before (podman's fill fsyncs a
# lot) finish before measuring.
settle() { sync; sleep 1; }

# add_row NAME KIND PODCTL PEER PEER_NAME TARGET: one row of the table.
# KIND: ms, kib or n (a count). PODCTL and PEER: a number, error, n/a or
# - (not measured). TARGET: a number in KIND (podctl must stay under it),
# xR (podctl at most R times the peer) or - (none).
add_row() {
	r_case+=("$1") r_kind+=("$2") r_pd+=("$3") r_pe+=("$4") r_peer+=("$5") r_target+=("$6")
}

# time_cmd WHO NAME CMD [ARG...]: times CMD with timeit; sets med to the
# median in ms (or error) and adds a line to the details. WHO names the
# engine in the details; a failure of podctl fails the bench.
time_cmd() {
	local who=$1 name=$2 out mean min max
	shift 2
	settle
	if out=$("$W/timeit" -n "$runs" -w "$warmup" "$@" 2> "$W/timeit.err"); then
		read -r med mean min max <<< "$out"
		details+=("$(printf '%-26s %-7s median %8.2f  mean %8.2f  min %8.2f  max %8.2f ms' \
			"$name" "$who" "$med" "$mean" "$min" "$max")")
	else
		med=error
		echo "bench: $name ($who) failed:" >&2
		tail -3 "$W/timeit.err" >&2
		[ "$who" = podctl ] && podctl_failed=true
	fi
}

# time_case NAME TARGET_MS: times the commands in pd (podctl; empty: not
# available, n/a) and pe (the peer's, may be empty) with timeit; "{i}" in
# an argument is the run number.
time_case() {
	local name=$1 target=$2 pd_med=n/a pe_med=- med
	if [ ${#pd[@]} -gt 0 ]; then
		time_cmd podctl "$name" "${pd[@]}"
		pd_med=$med
	fi
	if [ ${#pe[@]} -gt 0 ]; then
		time_cmd "$peer_name" "$name" "${pe[@]}"
		pe_med=$med
	fi
	add_row "$name" ms "$pd_med" "$pe_med" "$([ ${#pe[@]} -gt 0 ] && echo "$peer_name" || echo -)" "$target"
}

# treemem_run WHO NAME CMD [ARG...]: one run of CMD under treemem -v; sets
# kib to the sum of the peaks (or error); the per-process lines stay in
# $W/treemem.err.
treemem_run() {
	local who=$1 name=$2 out
	shift 2
	settle
	if out=$("$W/treemem" -v "$@" 2> "$W/treemem.err"); then
		read -r kib _ nproc <<< "$out"
	else
		kib=error
		echo "bench: $name ($who) failed:" >&2
		grep -v '^treemem: pid' "$W/treemem.err" | tail -3 >&2
		[ "$who" = podctl ] && podctl_failed=true
	fi
}

# mem_case NAME TARGET_KIB: peak memory (sum over the process tree) of one
# run of pd and of pe, with treemem.
mem_case() {
	local name=$1 target=$2 pd_kib=error pe_kib=- who kib nproc argv
	for who in podctl peer; do
		if [ "$who" = podctl ]; then argv=("${pd[@]}"); else argv=("${pe[@]}"); fi
		[ ${#argv[@]} -eq 0 ] && continue
		[ "$who" = peer ] && who=$peer_name
		treemem_run "$who" "$name" "${argv[@]}"
		if [ "$kib" != error ]; then
			details+=("$(printf '%-26s %-7s sum %6d KiB over %d processes: %s' \
				"$name" "$who" "$kib" "$nproc" \
				"$(sed -n 's/^treemem: pid [0-9]* \(.*\): peak \([0-9]*\) KiB, tree .*$/\1 \2/p' "$W/treemem.err" |
					paste -sd, | sed 's/,/, /g')")")
		fi
		if [ "$who" = podctl ]; then pd_kib=$kib; else pe_kib=$kib; fi
	done
	add_row "$name" kib "$pd_kib" "$pe_kib" "$([ ${#pe[@]} -gt 0 ] && echo "$peer_name" || echo -)" "$target"
}

# --- Cases ----------------------------------------------------------------
# Each leaves every engine with at most n containers.

# create into a new store (the first case: 0 to warmup+runs-1 containers
# present; the store is created by the first warm-up run).
case_create0() {
	local e
	for e in "${engines[@]}"; do
		[ "$(count "$e")" -eq 0 ] || die "create0 must run first (on an empty store)"
	done
	pd=("${PC[@]}" create --name "e{i}" --rootfs "$rootfs" /bin/true)
	pe=(); $have_podman && pe=("${PM[@]}" create --name "e{i}" --rootfs "$rootfs" /bin/true)
	peer_name=podman
	time_case "create (new store)" 5
}

# create with n-(warmup+runs) to n-1 containers present.
case_create() {
	local e
	for e in "${engines[@]}"; do populate "$e" $((n - warmup - runs)); done
	pd=("${PC[@]}" create --name "c{i}" --rootfs "$rootfs" /bin/true)
	pe=(); $have_podman && pe=("${PM[@]}" create --name "c{i}" --rootfs "$rootfs" /bin/true)
	peer_name=podman
	time_case "create ($n present)" 5
}

# ps -a with exactly n containers.
case_ps() {
	local e
	for e in "${engines[@]}"; do populate "$e" "$n"; exactly "$e" "$n"; done
	pd=("${PC[@]}" ps -a)
	pe=(); $have_podman && pe=("${PM[@]}" ps -a)
	peer_name=podman
	time_case "ps -a ($n containers)" 20
}

# inspect of one container by name, n containers present.
case_inspect() {
	local e
	for e in "${engines[@]}"; do populate "$e" "$n"; done
	pd=("${PC[@]}" inspect f0)
	pe=(); $have_podman && pe=("${PM[@]}" inspect f0)
	peer_name=podman
	time_case "inspect" 5
}

# Peak memory of create, ps -a and inspect at n containers (create last: it
# adds one, and removes it again so later cases still see n).
case_mem() {
	local e
	for e in "${engines[@]}"; do populate "$e" "$n"; exactly "$e" "$n"; done
	peer_name=podman
	pd=("${PC[@]}" ps -a); pe=(); $have_podman && pe=("${PM[@]}" ps -a)
	mem_case "memory, ps -a ($n)" 8192
	pd=("${PC[@]}" inspect f0); pe=(); $have_podman && pe=("${PM[@]}" inspect f0)
	mem_case "memory, inspect" 8192
	pd=("${PC[@]}" create --name memprobe --rootfs "$rootfs" /bin/true)
	pe=(); $have_podman && pe=("${PM[@]}" create --name memprobe --rootfs "$rootfs" /bin/true)
	mem_case "memory, create" 8192
	"${PC[@]}" rm -f memprobe > /dev/null 2>&1
	$have_podman && "${PM[@]}" rm -f memprobe > /dev/null 2>&1
}

# pe_of VALUE: the peer's cell: VALUE (error if empty) when podman runs, else -.
pe_of() { if $have_podman; then echo "${1:-error}"; else echo -; fi; }

# ratio A B [DIGITS]: A over B as "1.23x" (DIGITS decimals, 2), or - if
# either is not a number.
ratio() {
	case $1$2 in
	*error*|*-*|*n/a*) echo - ;;
	*) awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN {printf "%.*fx", d, a / b}' ;;
	esac
}

# ctr_dir ID: podctl's bundle directory of container ID.
ctr_dir() { echo "$W/podctl/run/containers/$1"; }

# runc_bundle: writes $W/runc/bundle, a bundle for bare runc equivalent to
# what `podctl run --network none --rootfs R /bin/true` runs: podctl's own
# config.json (namespaces, capabilities, rlimits, seccomp profile, masked
# paths, mounts, cgroup path), taken from a podctl container while it runs
# `sleep` (the bundle goes with the container), with args /bin/true and the
# bind-mounted resolv.conf, hosts, hostname and .containerenv copied into the
# bundle. The cgroup path stays podctl's /podd/podd-ID of that container,
# removed before runc uses it. Returns 1 (and says why) if it cannot.
runc_bundle() {
	local id src dst=$W/runc/bundle f
	[ -f "$dst/config.json" ] && return 0
	command -v jq > /dev/null || { echo "bench: run: bare runc needs jq (apt-get install jq)" >&2; return 1; }
	[ -x "$runc_bin" ] || { echo "bench: run: no runc at $runc_bin" >&2; return 1; }
	id=$("${PC[@]}" run -d --network none --rootfs "$rootfs" sleep 1000 2> "$W/bundle.err") ||
		{ cat "$W/bundle.err" >&2; echo "bench: run: podctl run -d failed" >&2; podctl_failed=true; return 1; }
	src=$(ctr_dir "$id")
	mkdir -p "$dst" "$W/runc/state"
	for f in resolv.conf hosts hostname .containerenv; do
		cp "$src/$f" "$dst/$f" || break
	done
	jq --arg src "$src/" --arg dst "$dst/" '
		.process.args = ["/bin/true"]
		| .process.terminal = false
		| .mounts |= map(if .type == "bind" and (.source | startswith($src))
			then .source = $dst + .source[($src | length):] else . end)' \
		"$src/config.json" > "$dst/config.json" || rm -f "$dst/config.json"
	"${PC[@]}" rm -f "$id" > /dev/null 2>&1 || echo "bench: run: podctl rm -f $id failed" >&2
	[ -s "$dst/config.json" ] || { echo "bench: run: could not write the runc bundle" >&2; return 1; }
}

# run --rm /bin/true: podctl against bare runc running podctl's own bundle
# (target: at most 1.3 times) and against podman, all in this run.
case_run() {
	local name="run --rm /bin/true" pd_med pr_med=- pm_med=- med present
	present=$(count podctl)
	pd=("${PC[@]}" run --rm --network none --rootfs "$rootfs" /bin/true)
	time_cmd podctl "$name" "${pd[@]}"
	pd_med=$med
	if runc_bundle; then
		time_cmd runc "$name" "${RUNC[@]}" run --bundle "$W/runc/bundle" "bench{i}"
		pr_med=$med
	fi
	if $have_podman; then
		time_cmd podman "$name" "${PM[@]}" run --rm --network none --rootfs "$rootfs" /bin/true
		pm_med=$med
	fi
	add_row "$name" ms "$pd_med" "$pr_med" runc x1.3
	$have_podman && add_row "$name" ms "$pd_med" "$pm_med" podman -
	if [[ $pr_med != error && $pr_med != - ]]; then
		summary+=("run: $present containers present; podctl $(ratio "$pd_med" "$pr_med") bare runc (target <= 1.3x)$(
			$have_podman && echo ", podman $(ratio "$pm_med" "$pr_med") bare runc")")
	fi
}

# exec /bin/true in a running `sleep` container (target: under 40 ms).
# podctl exec is new: where this podctl has no exec command, the case says
# so and times the peer alone.
case_exec() {
	local name="exec /bin/true" started=true
	pd=() pe=()
	peer_name=podman
	if "${PC[@]}" run -d --name xsleep --network none --rootfs "$rootfs" sleep 1000 > /dev/null 2> "$W/exec.err"; then
		# A probe: an exec that fails otherwise is timed anyway, and the
		# failure shows as an error.
		if "${PC[@]}" exec xsleep /bin/true > /dev/null 2> "$W/exec.err" ||
			! grep -q 'unrecognized command' "$W/exec.err"; then
			pd=("${PC[@]}" exec xsleep /bin/true)
		else
			echo "bench: exec: podctl exec not available (skipped)" >&2
			summary+=("exec: podctl exec not available in this build")
		fi
	else
		echo "bench: exec: podctl run -d failed:" >&2
		tail -3 "$W/exec.err" >&2
		podctl_failed=true started=false
	fi
	if $have_podman; then
		if "${PM[@]}" run -d --name xsleep --network none --rootfs "$rootfs" sleep 1000 > /dev/null 2> "$W/exec.err"; then
			pe=("${PM[@]}" exec xsleep /bin/true)
		else
			echo "bench: exec: podman run -d failed:" >&2
			tail -3 "$W/exec.err" >&2
		fi
	fi
	if $started; then
		time_case "$name" 40 # n/a when podctl has no exec
	else
		# No container to exec in: an error for podctl, the peer alone.
		local med pe_med=-
		if [ ${#pe[@]} -gt 0 ]; then time_cmd podman "$name" "${pe[@]}"; pe_med=$med; fi
		add_row "$name" ms error "$pe_med" podman 40
	fi
	"${PC[@]}" rm -f xsleep > /dev/null 2>&1
	$have_podman && "${PM[@]}" rm -f -t 0 xsleep > /dev/null 2>&1
}

# mem_groups: sums the per-process peaks in $W/treemem.err by group, from
# each process's tree (who forked whom): runc (runc and its init stages),
# conmon, ctr (below runc: the container's command), exit (below conmon:
# the exit command, podctl or podman container cleanup, with its helpers)
# and engine (the rest: the command run and its helpers). Prints
# "engine exit conmon runc ctr" in KiB, then one line per group:
# "GROUP: NAME KIB, NAME KIB, ...".
mem_groups() {
	sed -n 's/^treemem: pid [0-9]* .*: peak \([0-9]*\) KiB, tree \(.*\)$/\1 \2/p' "$W/treemem.err" |
	awk '
	{
		kib = $1; n = split($2, t, "/"); name = t[n]; g = "engine"
		if (name ~ /^runc/) g = "runc"
		else if (name == "conmon") g = "conmon"
		else {
			for (i = 1; i < n; i++) {
				if (t[i] ~ /^runc/) { g = "ctr"; break }
				if (t[i] == "conmon") g = "exit"
			}
		}
		sum[g] += kib; list[g] = list[g] (list[g] == "" ? "" : ", ") name " " kib
	}
	END {
		printf "%d %d %d %d %d\n", sum["engine"], sum["exit"], sum["conmon"], sum["runc"], sum["ctr"]
		split("engine exit conmon runc ctr", gs, " ")
		for (i = 1; i <= 5; i++) if (list[gs[i]] != "") print gs[i] ": " list[gs[i]]
	}'
}

# Peak memory of run --rm /bin/true, split: podctl and its helpers (the
# 8 MiB target), the exit command conmon runs (podctl container cleanup and
# its helpers), conmon + runc + the container, the whole tree.
case_mem_run() {
	local who name="memory, run" kib nproc groups e x c r k line
	local -A eng=() ext=() mon=() all=()
	for who in podctl podman; do
		if [ "$who" = podctl ]; then
			pd=("${PC[@]}" run --rm --network none --rootfs "$rootfs" /bin/true)
		else
			$have_podman || continue
			pd=("${PM[@]}" run --rm --network none --rootfs "$rootfs" /bin/true)
		fi
		treemem_run "$who" "$name" "${pd[@]}"
		if [ "$kib" = error ]; then
			eng[$who]=error ext[$who]=error mon[$who]=error all[$who]=error
			continue
		fi
		groups=$(mem_groups)
		read -r e x c r k <<< "$(head -1 <<< "$groups")"
		eng[$who]=$e ext[$who]=$x mon[$who]=$((c + r + k)) all[$who]=$kib
		details+=("$(printf '%-26s %-7s sum %6d KiB over %d processes' "$name" "$who" "$kib" "$nproc")")
		while read -r line; do
			details+=("$(printf '%-26s %-7s   %s' "" "" "$line")")
		done < <(tail -n +2 <<< "$groups")
	done
	add_row "memory, run: engine" kib "${eng[podctl]}" "$(pe_of "${eng[podman]:-}")" podman 8192
	add_row "memory, run: exit command" kib "${ext[podctl]}" "$(pe_of "${ext[podman]:-}")" podman -
	add_row "memory, run: conmon+runc+ctr" kib "${mon[podctl]}" "$(pe_of "${mon[podman]:-}")" podman -
	add_row "memory, run: whole tree" kib "${all[podctl]}" "$(pe_of "${all[podman]:-}")" podman -
}

# rss_kib PID FIELD: VmRSS, RssAnon (from status) or Pss (from
# smaps_rollup) of PID in KiB, 0 if PID is gone.
rss_kib() {
	local v=
	case $2 in
	rss) v=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2> /dev/null) ;;
	anon) v=$(awk '/^RssAnon:/ {print $2}' "/proc/$1/status" 2> /dev/null) ;;
	pss) v=$(awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2> /dev/null) ;;
	esac
	echo "${v:-0}"
}

# What each running container costs: ctrs containers running sleep per
# engine; per container, conmon's RSS and PSS, and the count of any other
# process of the engine still running (podctl and its helpers must have
# exited: only conmon and the container stay).
case_ctr_cost() {
	local who i cpid ppid pid rss anon pss crss n_rss others cmd comm d
	local -a names conmons ctrpids
	local -A a_rss=() a_pss=() a_other=()
	for who in podctl podman; do
		if [ "$who" = podctl ]; then cmd=("${PC[@]}"); else $have_podman || continue; cmd=("${PM[@]}"); fi
		echo "bench: $who: starting $ctrs containers (run -d ... sleep 1000)..." >&2
		conmons=() ctrpids=() names=()
		for ((i = 0; i < ctrs; i++)); do names+=("k$i"); done
		for ((i = 0; i < ctrs; i++)); do
			"${cmd[@]}" run -d --name "k$i" --network none --rootfs "$rootfs" sleep 1000 > /dev/null 2> "$W/cost.err" ||
				{ echo "bench: ctr-cost: $who run -d k$i failed:" >&2; tail -3 "$W/cost.err" >&2
				  [ "$who" = podctl ] && podctl_failed=true; break; }
		done
		settle
		for ((i = 0; i < ctrs; i++)); do
			read -r cpid ppid < <("${cmd[@]}" inspect --format '{{.State.ConmonPid}} {{.State.Pid}}' "k$i" 2> /dev/null) || continue
			[ -n "${cpid:-}" ] && [ "$cpid" -gt 0 ] 2> /dev/null && conmons+=("$cpid") ctrpids+=("$ppid")
		done
		rss=0 anon=0 pss=0 crss=0 n_rss=0
		for i in "${!conmons[@]}"; do
			pid=${conmons[$i]}
			[ "$(cat "/proc/$pid/comm" 2> /dev/null)" = conmon ] || continue
			rss=$((rss + $(rss_kib "$pid" rss))) pss=$((pss + $(rss_kib "$pid" pss)))
			anon=$((anon + $(rss_kib "$pid" anon)))
			crss=$((crss + $(rss_kib "${ctrpids[$i]}" rss)))
			n_rss=$((n_rss + 1))
		done
		# Anything else of the engine's still running, other than conmon
		# and the containers: podctl, its helpers and podman name their
		# store in the work area on their command lines.
		others=()
		for d in /proc/[0-9]*; do
			pid=${d#/proc/}
			[[ " ${conmons[*]} ${ctrpids[*]} " == *" $pid "* ]] && continue
			comm=$(cat "$d/comm" 2> /dev/null) || continue
			if tr '\0' ' ' < "$d/cmdline" 2> /dev/null | grep -qF "$W/$who/"; then
				others+=("$pid:$comm")
			fi
		done
		if [ "$n_rss" -eq "$ctrs" ]; then
			a_rss[$who]=$((rss / n_rss)) a_pss[$who]=$((pss / n_rss)) a_other[$who]=${#others[@]}
			details+=("$(printf '%-26s %-7s %d containers: conmon RSS %d KiB (anonymous %d), PSS %d KiB each (mean); container (sleep) RSS %d KiB each; other processes left: %s' \
				"per running container" "$who" "$n_rss" "$((rss / n_rss))" "$((anon / n_rss))" "$((pss / n_rss))" "$((crss / n_rss))" \
				"$([ ${#others[@]} -gt 0 ] && echo "${others[*]}" || echo none)")")
		else
			echo "bench: ctr-cost: $who: $n_rss of $ctrs conmons found" >&2
			a_rss[$who]=error a_pss[$who]=error a_other[$who]=error
			[ "$who" = podctl ] && podctl_failed=true
		fi
		# Only these: the other cases' containers stay.
		if [ "$who" = podctl ]; then
			"${cmd[@]}" rm -f "${names[@]}" > /dev/null 2>&1 || echo "bench: ctr-cost: podctl rm -f failed" >&2
		else
			"${cmd[@]}" rm -f -t 0 "${names[@]}" > /dev/null 2>&1 || echo "bench: ctr-cost: podman rm -f failed" >&2
		fi
	done
	add_row "per ctr: conmon RSS" kib "${a_rss[podctl]:-error}" "$(pe_of "${a_rss[podman]:-}")" podman -
	add_row "per ctr: conmon PSS" kib "${a_pss[podctl]:-error}" "$(pe_of "${a_pss[podman]:-}")" podman -
	add_row "per ctr: other processes" n "${a_other[podctl]:-error}" "$(pe_of "${a_other[podman]:-}")" podman 1
}

# pull: a cold pull (every run into an empty store: "{i}" in the roots) of
# the bundled busybox image from a docker-registry on 127.0.0.1, plain
# HTTP. Target: at least 3 times faster than podman (issue 4).
# The bundled busybox image (build/busybox-oci.tar, or built here).
image_archive() {
	archive=$src/build/busybox-oci.tar
	if [ ! -f "$archive" ]; then
		archive=$W/busybox-oci.tar
		[ -f "$archive" ] || "$src/scripts/make-image.sh" "$archive" > /dev/null ||
			die "cannot build the busybox image"
	fi
}

# start_registry: a docker-registry on 127.0.0.1 (a free port; storage in
# the work area) holding the busybox image as podd/busybox:latest, pushed
# with skopeo (neither engine's code). Sets reg; returns 1 (and says why)
# if it cannot. One registry serves every image case.
reg=
start_registry() {
	local port i
	[ -n "$reg" ] && return 0
	if ! command -v docker-registry > /dev/null || ! command -v skopeo > /dev/null; then
		echo "bench: docker-registry or skopeo missing (apt-get install docker-registry skopeo)" >&2
		return 1
	fi
	image_archive
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$W/registry"
	printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
		"$W/registry/data" "$port" > "$W/registry/config.yml"
	# docker-registry reads REGISTRY_* variables as configuration.
	env -u REGISTRY_AUTH_FILE docker-registry serve "$W/registry/config.yml" > "$W/registry/log" 2>&1 &
	registry_pid=$!
	for i in $(seq 1 100); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2> /dev/null && break
		sleep 0.1
	done
	if ! skopeo copy -q --dest-tls-verify=false "oci-archive:$archive" \
		"docker://127.0.0.1:$port/podd/busybox:latest" > /dev/null 2> "$W/registry/skopeo.err"; then
		echo "bench: cannot push the image to the registry:" >&2
		tail -3 "$W/registry/skopeo.err" >&2
		return 1
	fi
	reg=127.0.0.1:$port
}

# A fresh store per run ({i}) for podctl and podman alike: each run is a
# cold pull or load into a store that holds nothing yet.
fresh_set=0
pd_fresh() { pd=("$podctl_bin" --root "$W/img$fresh_set/pd{i}" --runroot "$W/img$fresh_set/pdr{i}" "$@"); }
pe_fresh() {
	pe=()
	$have_podman && pe=("$podman_bin" --root "$W/img$fresh_set/pm{i}" --runroot "$W/img$fresh_set/pmr{i}"
		--tmpdir "$W/img$fresh_set/pmt{i}" --cgroup-manager cgroupfs --events-backend file
		--storage-driver vfs "$@")
}
# Between cases: the next case's stores go in a new directory; all of them
# are removed with the work area at the end, since removing them here
# would slow the next case's file creation (settle_fs).
drop_fresh() { fresh_set=$((fresh_set + 1)); }

# settle_fs: before a case that makes many files, wait (at most 70 s)
# until making one in the work area is quick. ext4 without a journal (this
# host's root) passes over inodes deleted in the last 60 s (300 s while
# their table block is dirty) when it allocates one (recently_deleted() in
# fs/ext4/ialloc.c): right after many files in the same place went (a test
# run, an earlier bench), a symlink took 0.24-0.54 ms here instead of
# 0.01-0.02, and a cold pull 35-45 ms instead of 29. The probe's files stay
# until the end (removing them would do it again); its last figure goes in
# the summary.
settle_fs() {
	local i us
	for i in $(seq 1 8); do
		us=$(python3 - "$W" <<- 'EOF'
			import os, sys, tempfile, time
			d = tempfile.mkdtemp(prefix="settle.", dir=sys.argv[1])
			t = time.perf_counter()
			for i in range(20):
			    os.symlink("x", os.path.join(d, str(i)))
			print(int((time.perf_counter() - t) * 5e4))
		EOF
		) || return
		[ "$us" -le 50 ] && break
		[ "$i" = 8 ] && break
		[ "$i" = 1 ] && echo "bench: a new file in the work area takes $us us; sync, then waiting up to 70 s" >&2
		sync
		sleep 10
	done
	summary+=("before $1: a new file in the work area took $us us (quiet: 10-20 us)")
}

# load -i of the bundled image into an empty store (target: 3 times
# faster than podman).
case_load() {
	local archive
	image_archive
	peer_name=podman
	pd_fresh load -q -i "$archive"
	pe_fresh load -q -i "$archive"
	settle_fs load
	time_case "load -i (cold)" x0.33
	drop_fresh
}

# pull from a docker-registry on 127.0.0.1 into an empty store (target: 3
# times faster than podman).
case_pull() {
	local name="pull (cold, local registry)"
	peer_name=podman
	if ! start_registry; then
		summary+=("pull: not measured (no registry)")
		add_row "$name" ms error - podman x0.33
		return
	fi
	pd_fresh pull -q --tls-verify=false "$reg/podd/busybox:latest"
	pe_fresh pull -q --tls-verify=false "$reg/podd/busybox:latest"
	settle_fs pull
	time_case "$name" x0.33
	drop_fresh
}

# run --rm of the loaded image (overlay for podctl; podman here uses vfs,
# its only driver on this host without fuse-overlayfs: it copies the image
# per container). Target: 3 times faster than podman.
case_run_image() {
	local archive
	image_archive
	peer_name=podman
	"${PC[@]}" load -q -i "$archive" > /dev/null 2> "$W/load.err" ||
		{ cat "$W/load.err" >&2; podctl_failed=true; add_row "run --rm IMAGE /bin/true" ms error - podman x0.33; return; }
	pd=("${PC[@]}" run --rm --network none localhost/busybox:latest /bin/true)
	pe=()
	if $have_podman && "${PM[@]}" load -q -i "$archive" > /dev/null 2>&1; then
		pe=("${PM[@]}" run --rm --network none localhost/busybox:latest /bin/true)
	fi
	time_case "run --rm IMAGE /bin/true" x0.33
}

# The same with crun as podctl's runtime (--runtime crun, through
# podd-runtime-ns, which hides the v2 mount on a hybrid host crun refuses).
# podman keeps runc: crun runs nothing for it on such a host, and its
# configuration here says runc.
case_run_image_crun() {
	local archive name="run --rm IMAGE (crun)"
	image_archive
	peer_name=podman
	pd=() pe=()
	if ! command -v crun > /dev/null; then
		echo "bench: run-image-crun: crun is not installed (skipped)" >&2
		summary+=("run IMAGE with crun: crun not installed")
		return
	fi
	"${PC[@]}" load -q -i "$archive" > /dev/null 2> "$W/load.err" ||
		{ cat "$W/load.err" >&2; podctl_failed=true; add_row "$name" ms error - podman x0.33; return; }
	pd=("${PC[@]}" --runtime crun run --rm --network none localhost/busybox:latest /bin/true)
	if $have_podman && "${PM[@]}" load -q -i "$archive" > /dev/null 2>&1; then
		pe=("${PM[@]}" run --rm --network none localhost/busybox:latest /bin/true)
	fi
	time_case "$name" x0.33
}

# podd-image's peak memory during a cold pull of the busybox image and of
# one with a 64 MiB layer of random bytes: streamed, the two should match.
case_mem_pull() {
	local busybox big img kib nproc
	if ! start_registry; then
		add_row "mem, podd-image: pull 64 MiB" kib error - - -
		return
	fi
	mkdir -p "$W/big/rootfs"
	head -c $((64 << 20)) /dev/urandom > "$W/big/rootfs/random"
	tar -C "$W/big/rootfs" -cf "$W/big/layer.tar" .
	if ! "${PC[@]}" import "$W/big/layer.tar" localhost/big:latest > /dev/null 2> "$W/big/err" ||
		! "${PC[@]}" push -q --tls-verify=false localhost/big:latest "$reg/podd/big:latest" 2>> "$W/big/err"; then
		cat "$W/big/err" >&2
		podctl_failed=true
		add_row "mem, podd-image: pull 64 MiB" kib error - - -
		return
	fi
	for img in busybox big; do
		treemem_run podctl "pull $img" "$podctl_bin" --root "$W/img$fresh_set/m$img" --runroot "$W/img$fresh_set/mr$img" \
			pull -q --tls-verify=false "$reg/podd/$img:latest"
		[ "$kib" = error ] && { eval "$img=error"; continue; }
		eval "$img=$(sed -n 's/^treemem: pid [0-9]* podd-image[-a-z]*: peak \([0-9]*\) KiB.*/\1/p' "$W/treemem.err" | head -1)"
		details+=("$(printf '%-26s %-7s podd-image peak %s KiB (whole tree %s KiB over %s processes)' \
			"memory, pull $img" podctl "${!img}" "$kib" "$nproc")")
	done
	add_row "mem, podd-image: pull 2 MB" kib "${busybox:-error}" - - -
	add_row "mem, podd-image: pull 64 MiB" kib "${big:-error}" - - -
	summary+=("pull memory: podd-image peaks at ${busybox:-?} KiB for a 2 MB image and ${big:-?} KiB with a 64 MiB layer (streamed when they match)")
	drop_fresh
}

# --- Run ------------------------------------------------------------------

echo "podd bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r), $(sed -n "s/^PRETTY_NAME=//p" /etc/os-release 2> /dev/null | tr -d \")"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$(dirname "$(dirname "$podctl_bin")")/CMakeCache.txt" 2> /dev/null)
echo "podctl: $podctl_bin${build_type:+ ($build_type build)}"
if $have_podman; then
	echo "podman: $("$podman_bin" --version) (runc, cgroupfs, file events, vfs, $lock_type locks)"
else
	echo "podman: not measured"
fi
echo "n=$n containers, $runs timed runs after $warmup warm-up runs per case; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# Selected cases run in the order of all_cases, whatever the order given.
for c in "${all_cases[@]}"; do
	[[ ",$cases," == *",$c,"* ]] && "case_${c//-/_}"
done

# --- Report ---------------------------------------------------------------

fmt_val() { # VALUE KIND
	case $1 in
	error|-|n/a) echo "$1" ;;
	*)
		case $2 in
		ms) printf '%.1f ms' "$1" ;;
		kib) printf '%.2f MiB' "$(awk -v k="$1" 'BEGIN {print k / 1024}')" ;;
		*) echo "$1" ;;
		esac ;;
	esac
}

echo
printf '%-29s %11s %20s %12s %14s  %s\n' case podctl peer peer/podctl target verdict
printf '%-29s %11s %20s %12s %14s  %s\n' ---- ------ ---- ----------- ------ -------
for i in "${!r_case[@]}"; do
	kind=${r_kind[$i]} pd_v=${r_pd[$i]} pe_v=${r_pe[$i]} t=${r_target[$i]}
	ratio=-
	[ "$kind" = n ] || ratio=$(ratio "$pe_v" "$pd_v" 1)
	case $t in
	-) target=- ;;
	x*) target="<= ${t#x}x ${r_peer[$i]}" ;;
	*) if [ "$kind" = ms ]; then target="< $t ms"; elif [ "$kind" = kib ]; then target="< $((t / 1024)) MiB"; else target="< $t"; fi ;;
	esac
	case $pd_v in
	error) verdict=ERROR ;;
	n/a) verdict="not available" ;;
	*)
		case $t in
		-) verdict=- ;;
		x*)
			if [[ $pe_v == error || $pe_v == - ]]; then
				verdict="- (no ${r_peer[$i]} figure)"
			else
				verdict=$(awk -v a="$pd_v" -v b="$pe_v" -v r="${t#x}" \
					'BEGIN {printf "%s (%.2fx)", (a <= r * b) ? "PASS" : "MISS <<<", a / b}')
			fi ;;
		*) verdict=$(awk -v a="$pd_v" -v t="$t" 'BEGIN {print (a < t) ? "PASS" : "MISS <<<"}') ;;
		esac ;;
	esac
	peer_cell=$(fmt_val "$pe_v" "$kind")
	[ "${r_peer[$i]}" != - ] && [ "${r_peer[$i]}" != podman ] && peer_cell="$peer_cell (${r_peer[$i]})"
	printf '%-29s %11s %20s %12s %14s  %s\n' "${r_case[$i]}" "$(fmt_val "$pd_v" "$kind")" \
		"$peer_cell" "$ratio" "$target" "$verdict"
done
echo
echo "peer: podman unless named. Times: median wall clock of $runs runs, fork and exec included."
echo "Memory: sum of every process's own peak RSS (VmHWM at exit) in the tree: an upper bound;"
echo "  memory, run: engine = podctl and its helpers (podman alone), exit command = the"
echo "  cleanup conmon runs; per ctr: mean over $ctrs running containers."
[ ${#summary[@]} -gt 0 ] && printf '%s\n' "${summary[@]}"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the times)."
echo
echo "Details:"
printf '  %s\n' "${details[@]}"

$podctl_failed && exit 1
exit 0
