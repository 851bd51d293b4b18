#!/bin/bash
# kill -9 of podctl or podd-state at random moments during a create/rm loop:
# the database always opens, every listed container inspects, and no name
# points at a missing container.
. "$(dirname "$0")/lib.sh"

ROUNDS=${PODD_CRASH_ROUNDS:-100}

# Every name in the names table must resolve to a listed container, and
# every listed container's name must be in the table.
names_consistent() {
	local ids names
	ids=$($P ps -a -q --no-trunc | sort) || return 1
	# mdb_dump -p: after HEADER=END, key and value lines alternate.
	names=$(mdb_dump -p -s names "$T/root/db" | sed -n '/^HEADER=END/,/^DATA=END/p' | sed '1d;$d' | awk 'NR%2==1' | sed 's/^ //')
	for n in $names; do
		$P container exists "$n" || { echo "name $n points at a missing container"; return 1; }
	done
	for id in $ids; do
		$P inspect --format '{{.Name}}' "$id" > /dev/null || { echo "$id does not inspect"; return 1; }
	done
	[ "$(echo "$names" | grep -c .)" = "$(echo "$ids" | grep -c .)" ] ||
		{ echo "$(echo "$names" | grep -c .) names for $(echo "$ids" | grep -c .) containers"; return 1; }
}

bad=0
for round in $(seq 1 "$ROUNDS"); do
	if [ $((RANDOM % 2)) -eq 0 ] || [ -z "$($P ps -a -q)" ]; then
		$P create --name "c$round" --rootfs "$ROOTFS" /bin/true > /dev/null 2>&1 &
	else
		$P rm "$($P ps -a -q | head -1)" > /dev/null 2>&1 &
	fi
	podctl_pid=$!
	# A random moment within the command's few milliseconds.
	sleep "0.00$((RANDOM % 10))"
	if [ $((RANDOM % 2)) -eq 0 ]; then
		victim=$podctl_pid
	else
		victim=$(cat /proc/$podctl_pid/task/$podctl_pid/children 2>/dev/null | awk '{print $1}')
		victim=${victim:-$podctl_pid}
	fi
	kill -9 "$victim" 2>/dev/null
	wait "$podctl_pid" 2>/dev/null
	# Let a surviving podd-state notice the EOF and exit.
	if ! $P ps -a > /dev/null 2> "$T/err"; then
		echo "round $round: database did not open: $(cat "$T/err")"
		bad=$((bad + 1))
	fi
	if [ $((round % 10)) -eq 0 ] && ! names_consistent; then
		echo "round $round: inconsistent"
		bad=$((bad + 1))
	fi
done
eq "database opened after each of $ROUNDS kill -9 rounds" "$bad" "0"
check "names and containers are consistent at the end" names_consistent
check "create still works" $P create --name after --rootfs "$ROOTFS" /bin/true
check "rm -a still works" $P rm -a
eq "empty after rm -a" "$($P ps -a -q | wc -l)" "0"

# A pin of a bundle file that a launcher killed in a spawn left behind
# (podd-exec/pin.c): rm -f must take it off, or the bundle dir could never
# be removed (EBUSY).
id=$($P run -d --rootfs "$ROOTFS" sleep 100)
bundle="$T/run/containers/$id"
echo stale > "$T/stale"
if [ -f "$bundle/config.json" ] && mount --bind "$T/stale" "$bundle/config.json"; then
	check "rm -f removes a container with a stale pin in its bundle" $P rm -f "$id"
	eq "no mount left in the bundle dir" "$(grep -cF -- "$bundle" /proc/self/mountinfo)" "0"
	umount "$bundle/config.json" 2> /dev/null
else
	not_ok "a stale pin could be put in $bundle"
fi

finish
