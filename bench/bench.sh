#!/bin/bash
# Times podctl against podman (when installed) in one run and prints the
# ratios: create, ps -a over N containers, inspect, and peak memory of the
# whole process tree (podctl plus its helpers). It reports; it never fails
# on a missed target. Run as root from a built tree.
# Usage: bench/bench.sh [--podctl PATH] [--n 1000] [--runs 20]
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
podctl_bin=$src/build/bin/podctl
n=1000
runs=20
while [ $# -gt 0 ]; do
	case $1 in
	--podctl) podctl_bin=$2; shift 2 ;;
	--n) n=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	*) echo "usage: $0 [--podctl PATH] [--n N] [--runs R]" >&2; exit 2 ;;
	esac
done

W=$(mktemp -d /tmp/podd-bench.XXXXXX)
PC="$podctl_bin --root $W/podd/root --runroot $W/podd/run"
have_podman=false
command -v podman > /dev/null && have_podman=true
cleanup() {
	$PC rm -a -f > /dev/null 2>&1
	if $have_podman; then $PM rm -a -f > /dev/null 2>&1; fi
	rm -rf "$W"
}
trap cleanup EXIT
cc -O2 -o "$W/treemem" "$src/bench/treemem.c" || exit 1
cc -O2 -o "$W/timeit" "$src/bench/timeit.c" || exit 1
"$src/scripts/make-rootfs.sh" "$W/rootfs" > /dev/null

if $have_podman; then
	# podman here: runc, cgroupfs, file events, and default ulimits within
	# what this host allows (no CAP_SYS_RESOURCE).
	hn=$(ulimit -Hn); hu=$(ulimit -Hu); pm=$(cat /proc/sys/kernel/pid_max)
	[ "$hu" = unlimited ] || [ "$hu" -gt "$pm" ] && hu=$pm
	cat > "$W/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$hn:$hn", "nproc=$hu:$hu"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
	export CONTAINERS_CONF=$W/containers.conf
	PM="podman --root $W/podman/root --runroot $W/podman/run --runtime runc --cgroup-manager cgroupfs --events-backend file --storage-driver vfs"
fi

# median_ms RUNS CMD...: median wall time of RUNS runs, in ms.
median_ms() {
	"$W/timeit" "$@"
}

peak_kib() {
	"$W/treemem" "$@" 2>/dev/null > "$W/mem" || true
	tail -1 "$W/mem" | awk '{print $1}'
}

row() { # NAME PODCTL PODMAN TARGET UNIT
	local ratio="-" verdict
	if [ "$3" != "-" ]; then ratio=$(awk -v a="$2" -v b="$3" 'BEGIN {printf "%.1fx", b / a}'); fi
	verdict=$(awk -v a="$2" -v t="$4" 'BEGIN {print (a < t) ? "PASS" : "MISS"}')
	printf "%-28s %12s %12s %10s %10s %6s\n" "$1" "$2 $5" "$3 $5" "$ratio" "< $4 $5" "$verdict"
}

echo "podd bench: $(nproc) cores, kernel $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "podctl: $podctl_bin; podman: $($have_podman && podman --version || echo 'not installed')"

# create: each run a new name ("%d" is the run number).
c_pd=$(median_ms "$runs" $PC create --name "b%d" --rootfs "$W/rootfs" /bin/true)
c_pm="-"
$have_podman && c_pm=$(median_ms "$runs" $PM create --name "b%d" --rootfs "$W/rootfs" /bin/true)

# Fill up to N containers for ps -a.
for i in $(seq "$runs" $((n - 1))); do $PC create --name "b$i" --rootfs "$W/rootfs" /bin/true > /dev/null; done
if $have_podman; then
	for i in $(seq "$runs" $((n - 1))); do $PM create --name "b$i" --rootfs "$W/rootfs" /bin/true > /dev/null 2>&1; done
fi
ps_pd=$(median_ms "$runs" $PC ps -a)
ps_pm="-"; $have_podman && ps_pm=$(median_ms "$runs" $PM ps -a)
in_pd=$(median_ms "$runs" $PC inspect b1)
in_pm="-"; $have_podman && in_pm=$(median_ms "$runs" $PM inspect b1)

m_create=$(peak_kib $PC create --name memprobe --rootfs "$W/rootfs" /bin/true)
m_ps=$(peak_kib $PC ps -a)
m_inspect=$(peak_kib $PC inspect b1)
pm_create="-"; pm_ps="-"; pm_inspect="-"
if $have_podman; then
	pm_create=$(peak_kib $PM create --name memprobe --rootfs "$W/rootfs" /bin/true)
	pm_ps=$(peak_kib $PM ps -a)
	pm_inspect=$(peak_kib $PM inspect b1)
fi

printf "\n%-28s %12s %12s %10s %10s %6s\n" "case" "podctl" "podman" "podman/podctl" "target" ""
row "create" "$c_pd" "$c_pm" 5 ms
row "ps -a ($n containers)" "$ps_pd" "$ps_pm" 20 ms
row "inspect" "$in_pd" "$in_pm" 5 ms
row "peak RSS, create" "$m_create" "$pm_create" 8192 KiB
row "peak RSS, ps -a ($n)" "$m_ps" "$pm_ps" 8192 KiB
row "peak RSS, inspect" "$m_inspect" "$pm_inspect" 8192 KiB
echo
echo "Times: median of $runs runs, wall clock, including fork and exec of the CLI."
echo "Peak RSS: sum of every process's own peak (ru_maxrss) in the tree: an upper bound."
