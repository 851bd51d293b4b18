#!/bin/bash
# 50 containers started and stopped from two parallel loops, then rm -af:
# no stray conmon, no leaked mount, no runtime state, no lock file left.
. "$(dirname "$0")/lib.sh"

loop() {
	local tag=$1 i
	for i in $(seq 25); do
		$P run -d --name "c$tag-$i" --rootfs "$ROOTFS" sleep 1000 > /dev/null || echo "run c$tag-$i failed"
		$P stop -t 0 "c$tag-$i" > /dev/null || echo "stop c$tag-$i failed"
	done
}
loop a > "$T/a.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
loop b > "$T/b.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait
eq "both loops ran and stopped every container" "$(cat "$T/a.log" "$T/b.log")" ""
eq "50 containers exist" "$($P ps -a -q | wc -l)" "50"
eq "all of them exited (137)" "$($P ps -a | grep -c 'Exited (137)')" "50"
ids=$($P ps -a -q --no-trunc)
check "rm -af" $P rm -a -f
eq "no container left" "$($P ps -a -q | wc -l)" "0"
for _ in $(seq 50); do [ -z "$(our_conmons)" ] && break; sleep 0.1; done
eq "no conmon left" "$(our_conmons)" ""
# Ours only: other processes on the host may mount meanwhile.
eq "no mount leaked" "$(grep -cF -- "$T" /proc/self/mountinfo)" "0"
eq "no runtime state left" "$(ls "$T/run/runtime" 2>/dev/null)" ""
eq "no bundle left" "$(ls "$T/run/containers")" ""
eq "no lock file left" "$(ls "$T/run/locks")" ""
our_cgroups() {
	local id
	for id in $ids; do
		find /sys/fs/cgroup -maxdepth 3 -name "podd-$id" 2>/dev/null
	done
}
for _ in $(seq 50); do [ -z "$(our_cgroups)" ] && break; sleep 0.1; done
eq "no cgroup left" "$(our_cgroups | wc -l)" "0"

# Two podctl racing on one container: one clean result each, no corruption.
$P run -d --name race --rootfs "$ROOTFS" sleep 1000 > /dev/null
$P stop -t 0 race > "$T/s1" 2>&1 &
p1=$!
$P rm -f race > "$T/s2" 2>&1 &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
check "rm -f racing stop: rm succeeds" test "$r2" -eq 0
check "... stop either succeeds or says the container is gone ($(cat $T/s1))" \
	bash -c "[ $r1 -eq 0 ] || grep -q 'no container with name or ID' $T/s1"
eq "... and the container is gone" "$($P ps -a -q)" ""
finish
