#!/bin/bash
# Times podctl against a peer engine (podman, where installed) in one run
# and prints the ratios: create, ps -a over N containers, inspect, and the
# peak memory of the whole process tree (podctl plus its helpers). See
# bench/README.md. It reports; a missed target never fails it: the exit
# status is 0 unless the script could not measure podctl (1) or was used
# wrongly (2). Run as root (podman rootful, podctl's sandboxes).
#
# Usage: bench/bench.sh [--podctl PATH] [--podman PATH | --no-podman]
#                       [--n 1000] [--runs 20] [--warmup 2]
#                       [--cases create0,create,ps,inspect,mem]
#
# Adding a case: write a function case_NAME that prepares what it needs
# (populate ENGINE COUNT) and calls time_case or mem_case with the podctl
# command in the array pd and the peer's in pe (empty: no peer), then add
# NAME to all_cases. A peer need not be podman (`run` against bare runc
# sets peer_name=runc).
set -u

src=$(cd "$(dirname "$0")/.." && pwd)
podctl_bin=$src/build/bin/podctl
podman_bin=$(command -v podman || true)
n=1000
runs=20
warmup=2
all_cases=(create0 create ps inspect mem)
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
	--n) [ $# -ge 2 ] || usage; n=$2; shift 2 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	--warmup) [ $# -ge 2 ] || usage; warmup=$2; shift 2 ;;
	--cases) [ $# -ge 2 ] || usage; cases=$2; shift 2 ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
done
for v in "$n" "$runs" "$warmup"; do
	case $v in ''|*[!0-9]*) usage ;; esac
done
[ "$runs" -ge 1 ] || usage
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
have_podman=false
cleanup() {
	trap - EXIT INT TERM
	if [ -d "$W/podctl" ]; then
		"${PC[@]}" rm -a -f > /dev/null 2>&1 || echo "bench: podctl rm -a -f failed" >&2
	fi
	if $have_podman && [ -d "$W/podman" ]; then
		echo "bench: removing podman's containers (frees their locks)..." >&2
		"${PM[@]}" rm -a -f > /dev/null 2>&1 || echo "bench: podman rm -a -f failed" >&2
	fi
	# Nothing should be mounted here (no container ran), but never let
	# rm -rf cross into a mount.
	awk -v w="$W" 'index($5, w "/") == 1 {print $5}' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m" 2> /dev/null; done
	rm -rf --one-file-system "$W"
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

# settle: let the writeback of what came before (podman's fill fsyncs a
# lot) finish before measuring.
settle() { sync; sleep 1; }

# time_case NAME TARGET_MS: times the commands in pd (podctl) and pe (the
# peer's, may be empty) with timeit; "{i}" in an argument is the run number.
time_case() {
	local name=$1 target=$2 out pd_med=error pe_med=- who argv med mean min max
	for who in podctl peer; do
		if [ "$who" = podctl ]; then argv=("${pd[@]}"); else argv=("${pe[@]}"); fi
		[ ${#argv[@]} -eq 0 ] && continue
		settle
		if out=$("$W/timeit" -n "$runs" -w "$warmup" "${argv[@]}" 2> "$W/timeit.err"); then
			read -r med mean min max <<< "$out"
			details+=("$(printf '%-26s %-7s median %8.2f  mean %8.2f  min %8.2f  max %8.2f ms' \
				"$name" "$([ "$who" = peer ] && echo "$peer_name" || echo podctl)" \
				"$med" "$mean" "$min" "$max")")
		else
			med=error
			echo "bench: $name ($who) failed:" >&2
			tail -3 "$W/timeit.err" >&2
			[ "$who" = podctl ] && podctl_failed=true
		fi
		if [ "$who" = podctl ]; then pd_med=$med; else pe_med=$med; fi
	done
	r_case+=("$name") r_kind+=(ms) r_pd+=("$pd_med") r_pe+=("$pe_med")
	r_peer+=("$([ ${#pe[@]} -gt 0 ] && echo "$peer_name" || echo -)") r_target+=("$target")
}

# mem_case NAME TARGET_KIB: peak memory (sum over the process tree) of one
# run of pd and of pe, with treemem.
mem_case() {
	local name=$1 target=$2 out pd_kib=error pe_kib=- who kib nproc argv
	for who in podctl peer; do
		if [ "$who" = podctl ]; then argv=("${pd[@]}"); else argv=("${pe[@]}"); fi
		[ ${#argv[@]} -eq 0 ] && continue
		settle
		if out=$("$W/treemem" -v "${argv[@]}" 2> "$W/treemem.err"); then
			read -r kib _ nproc <<< "$out"
			details+=("$(printf '%-26s %-7s sum %6d KiB over %d processes: %s' \
				"$name" "$([ "$who" = peer ] && echo "$peer_name" || echo podctl)" "$kib" "$nproc" \
				"$(sed -n 's/^treemem: pid [0-9]* \(.*\): peak \([0-9]*\) KiB$/\1 \2/p' "$W/treemem.err" |
					paste -sd, | sed 's/,/, /g')")")
		else
			kib=error
			echo "bench: $name ($who) failed:" >&2
			grep -v '^treemem: pid' "$W/treemem.err" | tail -3 >&2
			[ "$who" = podctl ] && podctl_failed=true
		fi
		if [ "$who" = podctl ]; then pd_kib=$kib; else pe_kib=$kib; fi
	done
	r_case+=("$name") r_kind+=(kib) r_pd+=("$pd_kib") r_pe+=("$pe_kib")
	r_peer+=("$([ ${#pe[@]} -gt 0 ] && echo "$peer_name" || echo -)") r_target+=("$target")
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
	[[ ",$cases," == *",$c,"* ]] && "case_$c"
done

# --- Report ---------------------------------------------------------------

fmt_val() { # VALUE KIND
	case $1 in
	error|-) echo "$1" ;;
	*) if [ "$2" = ms ]; then printf '%.1f ms' "$1"; else printf '%.2f MiB' "$(awk -v k="$1" 'BEGIN {print k / 1024}')"; fi ;;
	esac
}

echo
printf '%-26s %12s %12s %14s %10s  %s\n' case podctl peer peer/podctl target verdict
printf '%-26s %12s %12s %14s %10s  %s\n' ---- ------ ---- ----------- ------ -------
for i in "${!r_case[@]}"; do
	kind=${r_kind[$i]} pd_v=${r_pd[$i]} pe_v=${r_pe[$i]}
	ratio=-
	if [[ $pd_v != error && $pe_v != error && $pe_v != - ]]; then
		ratio=$(awk -v a="$pd_v" -v b="$pe_v" 'BEGIN {printf "%.1fx", b / a}')
	fi
	if [ "$kind" = ms ]; then target="< ${r_target[$i]} ms"; else target="< $(( ${r_target[$i]} / 1024 )) MiB"; fi
	if [ "$pd_v" = error ]; then
		verdict=ERROR
	else
		verdict=$(awk -v a="$pd_v" -v t="${r_target[$i]}" 'BEGIN {print (a < t) ? "PASS" : "MISS <<<"}')
	fi
	peer_cell=$(fmt_val "$pe_v" "$kind")
	[ "${r_peer[$i]}" != - ] && [ "${r_peer[$i]}" != podman ] && peer_cell="$peer_cell (${r_peer[$i]})"
	printf '%-26s %12s %12s %14s %10s  %s\n' "${r_case[$i]}" "$(fmt_val "$pd_v" "$kind")" \
		"$peer_cell" "$ratio" "$target" "$verdict"
done
echo
echo "peer: podman unless named. Times: median wall clock of $runs runs, fork and exec included."
echo "Memory: sum of every process's own peak RSS (VmHWM at exit) in the tree: an upper bound."
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the times)."
echo
echo "Details:"
printf '  %s\n' "${details[@]}"

$podctl_failed && exit 1
exit 0
