#!/bin/bash
# Many podctl processes at once on one database, and a thousand containers.
. "$(dirname "$0")/lib.sh"

for i in $(seq 1 20); do
	$P create --rootfs "$ROOTFS" /bin/true > "$T/create.$i" 2>&1 &
done
wait
eq "20 concurrent creates all succeeded" "$(cat "$T"/create.* | grep -Ec '^[0-9a-f]{64}$')" "20"
eq "20 distinct ids" "$(cat "$T"/create.* | sort -u | wc -l)" "20"
eq "ps -a lists 20" "$($P ps -a -q | wc -l)" "20"
eq "20 distinct names" "$($P ps -a --format '{{.Names}}' | sort -u | wc -l)" "20"

# Concurrent creates racing for one name: exactly one wins.
for i in $(seq 1 10); do
	$P create --name contested --rootfs "$ROOTFS" /bin/true > "$T/race.$i" 2>&1 &
done
wait
eq "one of 10 racing creates gets the name" "$(cat "$T"/race.* | grep -Ec '^[0-9a-f]{64}$')" "1"
eq "the other 9 say the name is in use" "$(cat "$T"/race.* | grep -c 'already in use')" "9"
check "rm -a" $P rm -a

# 1,000 creates, in 2 parallel streams.
for stream in 1 2; do
	(for i in $(seq 1 500); do $P create --rootfs "$ROOTFS" /bin/true || exit 1; done) \
		> "$T/stream.$stream" 2>&1 &
done
wait
eq "1,000 creates succeeded" "$(cat "$T"/stream.* | grep -Ec '^[0-9a-f]{64}$')" "1000"
eq "ps -a lists exactly 1,000" "$($P ps -a -q | wc -l)" "1000"
eq "ps -a table lists 1,000 rows" "$($P ps -a | tail -n +2 | wc -l)" "1000"
eq "1,000 distinct names" "$($P ps -a --format '{{.Names}}' | sort -u | wc -l)" "1000"
check "rm -a of 1,000" $P rm -a
eq "none left after rm -a" "$($P ps -a -q | wc -l)" "0"
eq "no lock files left" "$(ls "$T/run/locks" | wc -l)" "0"

finish
