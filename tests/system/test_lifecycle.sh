#!/bin/bash
# Containers that run, through real conmon and runc: what a podman user
# does every day, with podman's output and exit codes.
. "$(dirname "$0")/lib.sh"

# run: exit codes and streams
$P run --rm --rootfs "$ROOTFS" /bin/sh -c 'exit 3'
eq "run returns the container's exit code" "$?" 3
eq "run prints the container's stdout" "$($P run --rm --rootfs "$ROOTFS" echo hello)" "hello"
eq "run -i passes stdin" "$(echo hi | $P run -i --rm --rootfs "$ROOTFS" cat)" "hi"
eq "stderr stays stderr" "$($P run --rm --rootfs "$ROOTFS" /bin/sh -c 'echo err >&2' 2>&1 >/dev/null)" "err"
expect_fail "a missing command exits 127" 127 "no such file or directory" \
	$P run --rm --rootfs "$ROOTFS" /no/such/command
expect_fail "a command not in PATH exits 127" 127 "executable file not found" \
	$P run --rm --rootfs "$ROOTFS" nosuchcommand
expect_fail "a command that cannot run exits 126" 126 "permission denied" \
	$P run --rm --rootfs "$ROOTFS" /etc/passwd
eq "--rm containers are gone, even failed ones" "$($P ps -a -q)" ""
tty_out=$(script -qec "$P run --rm -t --rootfs $ROOTFS /bin/sh -c 'test -t 0 && test -t 1 && echo tty'" /dev/null | tr -d '\r')
eq "-t gives the container a terminal" "$tty_out" "tty"
eq "without -t there is none" "$($P run --rm --rootfs "$ROOTFS" /bin/sh -c 'test -t 1 || echo notty')" "notty"

# run -d, logs, ps, inspect, stop, wait, rm
id=$($P run -d --name web --rootfs "$ROOTFS" /bin/sh -c 'echo started; echo oops >&2; trap "exit 0" TERM; while :; do sleep 0.1; done')
check "run -d prints the id" grep -Eq '^[0-9a-f]{64}$' <<< "$id"
for _ in $(seq 50); do $P logs web 2>/dev/null | grep -q started && break; sleep 0.1; done
eq "logs shows stdout" "$($P logs web 2>/dev/null)" "started"
eq "logs shows stderr on stderr" "$($P logs web 2>&1 >/dev/null)" "oops"
eq "logs --tail 1" "$($P logs --tail 1 web 2>&1)" "oops"
check "logs -t prefixes a timestamp" bash -c "$P logs -t web 2>/dev/null | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z started\$'"
# logs --since/--until read what logs -t prints, and podman's other forms
# (conmon stamps each read of the pipe: the sleep keeps the lines apart)
$P run --name lg --rootfs "$ROOTFS" /bin/sh -c 'echo one; sleep 1; echo two' > /dev/null
t1=$($P logs -t lg | awk '$2 == "one" {print $1}')
t2=$($P logs -t lg | awk '$2 == "two" {print $1}')
check "logs -t stamped the two lines apart" test "$t1" != "$t2"
eq "logs --since a logs -t timestamp" "$($P logs --since "$t2" lg)" "two"
eq "logs --until a logs -t timestamp" "$($P logs --until "$t1" lg)" "one"
eq "logs --since a Go duration" "$($P logs --since 1h30m lg | paste -sd' ')" "one two"
eq "logs --until a duration ahead of now" "$($P logs --until 10m lg | paste -sd' ')" "one two"
eq "logs --since a date with a zone" "$($P logs --since 2000-01-01Z lg | paste -sd' ')" "one two"
eq "logs --until a date past what nanoseconds hold keeps everything" \
	"$($P logs --until 9999-12-31 lg | paste -sd' ')" "one two"
eq "logs --until negative seconds keeps nothing" "$($P logs --until -5 lg 2>&1; echo "rc=$?")" "rc=0"
eq "logs --since epoch seconds" "$($P logs --since "$(date -d "$t2" +%s.%N)" lg)" "two"
expect_fail "logs --since junk" 125 'parsing --since "1h-5m": unable to interpret time value' \
	$P logs --since 1h-5m lg
expect_fail "logs --until junk after the zone" 125 \
	'parsing --until "2026-11-24T00:00:00Zjunk": unable to interpret time value' \
	$P logs --until 2026-11-24T00:00:00Zjunk lg
$P rm lg > /dev/null
# ps lists the oldest first, as podman (podd-state lists by id)
for n in ord1 ord2 ord3 ord4; do $P create --name $n --rootfs "$ROOTFS" /bin/true > /dev/null; done
eq "ps lists containers oldest first" \
	"$($P ps -a --format '{{.Names}}' | grep '^ord' | paste -sd' ')" "ord1 ord2 ord3 ord4"
eq "... -q and --format json too" \
	"$($P ps -a -q --no-trunc | grep -Fx -f <($P inspect --format '{{.Id}}' ord1 ord2 ord3 ord4) | paste -sd' ')" \
	"$($P inspect --format '{{.Id}}' ord1 ord2 ord3 ord4 | paste -sd' ')"
eq "ps's .RunningFor says ago once" "$($P ps -a --format '{{.RunningFor}}' | grep -c 'ago ago')" "0"
eq "ps -n 2: the two last created, oldest first" "$($P ps -n 2 --format '{{.Names}}' | paste -sd' ')" "ord3 ord4"
eq "ps -l: the last created" "$($P ps -l --format '{{.Names}}')" "ord4"
eq "ps -n 0 is no limit, as podman" "$($P ps -a -n 0 --format '{{.Names}}' | grep -c '^ord')" "4"
eq "ps --filter status= looks at every container without -a, as podman" \
	"$($P ps --filter status=created --format '{{.Names}}' | grep -c '^ord')" "4"
eq "ps --filter name= (a regular expression; one key's values any-of)" \
	"$($P ps -a --filter name='^ord[12]$' --filter name=ord4 --format '{{.Names}}' | paste -sd' ')" "ord1 ord2 ord4"
eq "ps --filter status= and since= (different keys all-of)" \
	"$($P ps -a -f status=created -f since=ord2 --format '{{.Names}}' | grep '^ord' | paste -sd' ')" "ord3 ord4"
eq "ps --sort names" "$($P ps -a --sort names --format '{{.Names}}' | grep '^ord' | paste -sd' ')" \
	"ord1 ord2 ord3 ord4"
eq "ps --format {{.Size}} without --size prints nothing and exits 0, as podman" \
	"$($P ps -a --format '[{{.Size}}]' | sort -u; echo "rc=$?")" "$(printf '[]\nrc=0')"
eq "ps --format json has podman's keys for what podd has none of" \
	"$($P ps -a --format json | jq -c '.[0] | [.Size, .Labels, .Mounts, .Networks, .PodName, .Ports]')" \
	'[null,null,[],[],"",null]'
eq "ps --noheading" "$($P ps -a --noheading | grep -c 'CONTAINER ID')" "0"
expect_fail "ps --filter of an unknown key" 125 "bogus is an invalid filter" $P ps --filter bogus=1
expect_fail "ps --filter status= of an unknown state" 125 \
	"unknown container state: bogus: invalid argument" $P ps --filter status=bogus
$P rm ord1 ord2 ord3 ord4 > /dev/null
# logs -f --tail 1: the tail, then every line as it comes, the last
# partial one too; a line longer than podd-exec's 64 KiB piece stays one
$P run -d --name lgf --rootfs "$ROOTFS" /bin/sh -c 'echo old; sleep 1; echo new1; printf part' > /dev/null
eq "logs -f --tail 1 follows past the tail" "$($P logs -f --tail 1 lgf; echo .)" "$(printf 'old\nnew1\npart.')"
$P rm -f lgf > /dev/null
$P run --name lgl --rootfs "$ROOTFS" /bin/sh -c 'i=0; while [ $i -lt 9000 ]; do printf 0123456789; i=$((i+1)); done; echo' > /dev/null
eq "a 90,000-byte line is one line" "$($P logs lgl | wc -l) $($P logs lgl | wc -c)" "1 90001"
$P rm lgl > /dev/null

# A last line without its newline is printed as it is, and a partial
# line on stdout does not take in stderr's next line (as podman prints).
$P run --name lgp --rootfs "$ROOTFS" /bin/sh -c 'echo a; echo b >&2; printf nonl' > /dev/null 2>&1
eq "logs prints a last line that has no newline, without one" \
	"$($P logs lgp 2> /dev/null; echo .)" "$(printf 'a\nnonl.')"
eq "... and stderr's lines stay on stderr" "$($P logs lgp 2>&1 > /dev/null)" "b"
eq "logs --tail 1 is that line" "$($P logs --tail 1 lgp 2> /dev/null; echo .)" "nonl."
# Several containers: each line starts with the short id, or with -n
# (--names, as in podman 4.3) the name; one container: no prefix.
$P run --name lgq --rootfs "$ROOTFS" /bin/echo q > /dev/null
eq "logs of two: a last line without its newline ends before the next container's" \
	"$($P logs -n lgp lgq 2> /dev/null | paste -sd'|')" "lgp a|lgp nonl|lgq q"
eq "logs -n of two containers prefixes their names" \
	"$($P logs -n lgq lgp 2> /dev/null | paste -sd'|')" "lgq q|lgp a|lgp nonl"
eq "... and without -n their short ids" \
	"$($P logs lgq lgp 2> /dev/null | head -1)" "$($P inspect --format '{{.Id}}' lgq | cut -c1-12) q"
eq "logs -n of one container: no prefix" "$($P logs -n lgq)" "q"
expect_fail "logs of a present and a missing container" 125 'no container with name or ID "nothere"' \
	$P logs lgq nothere
$P rm lgq > /dev/null
$P rm lgp > /dev/null
check "ps shows Up" bash -c "$P ps | grep -Eq 'Up .*web\$'"
eq "ps --format 'table ...': podman's heading" \
	"$($P ps --format 'table {{.ID}}\t{{.Names}}\t{{.ImageID}}' | head -1)" "CONTAINER ID  NAMES       IMAGE ID"
eq "inspect State.Running" "$($P inspect --format '{{.State.Running}}' web)" "true"
eq "inspect prints an empty list as [], as podman's Go does" \
	"$($P inspect web | grep -c '^          "ExecIDs": \[\],$')" "1"
pid=$($P inspect --format '{{.State.Pid}}' web)
check "inspect State.Pid is the container's init" test -d "/proc/$pid"
check "inspect State.ConmonPid is conmon" bash -c "[ \"\$(cat /proc/$($P inspect --format '{{.State.ConmonPid}}' web)/comm)\" = conmon ]"
caps=$(awk '/^CapEff/ {print $2}' "/proc/$pid/status")
eq "the container has podman's default capabilities" "$caps" "00000000800405fb"
eq "the container runs under a seccomp filter" "$(awk '/^Seccomp:/ {print $2}' "/proc/$pid/status")" "2"
expect_fail "rm of a running container without -f" 2 "container state improper" $P rm web
eq "stop prints the name" "$($P stop -t 5 web)" "web"
eq "the trap's exit code is recorded" "$($P wait web)" "0"
check "ps shows Exited (0)" bash -c "$P ps -a | grep -Eq 'Exited \\(0\\) .*web\$'"
eq "inspect State.Status after stop" "$($P inspect --format '{{.State.Status}} {{.State.Running}}' web)" "exited false"
check "inspect FinishedAt is set" bash -c "$P inspect --format '{{.State.FinishedAt}}' web | grep -qv '^0001'"
check "inspect templates print times as Go's time.Time, as podman's" bash -c \
	"$P inspect --format '{{.State.FinishedAt}}' web | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ [+-][0-9]{4} [A-Z]+$'"
eq "inspect templates take .ID for .Id, as podman's" "$($P inspect --format '{{.ID}}' web)" "$id"
eq "inspect has podman's fields for what podd lacks yet" \
	"$($P inspect --format '{{.Mounts}} {{.RestartCount}} {{.NetworkSettings.IPAddress}}|{{.HostConfig.RestartPolicy.Name}}|{{len .Dependencies}}' web)" \
	"[] 0 ||0"
eq "start again" "$($P start web)" "web"
eq "pause" "$($P pause web)" "web"
check "ps -a shows Paused (ps alone lists running ones, as podman)" bash -c "$P ps -a | grep -Eq 'Paused .*web\$'"
eq "inspect State.Status paused" "$($P inspect --format '{{.State.Status}} {{.State.Paused}}' web)" "paused true"
eq "the cgroup is frozen" "$(cat /sys/fs/cgroup/freezer/podd/podd-$id/freezer.state 2>/dev/null || echo none)" "FROZEN"
expect_fail "pause of a paused container" 125 "is not running, can't pause" $P pause web
eq "unpause" "$($P unpause web)" "web"
eq "the cgroup is thawed" "$(cat /sys/fs/cgroup/freezer/podd/podd-$id/freezer.state 2>/dev/null || echo none)" "THAWED"
expect_fail "unpause of a running container" 125 "is not paused, can't unpause" $P unpause web
$P pause web > /dev/null
eq "stop of a paused container thaws and stops it" "$($P stop -t 5 web)" "web"
eq "... with the trap's exit code" "$($P wait web)" "0"
eq "start once more" "$($P start web)" "web"
eq "restart" "$($P restart -t 0 web)" "web"
eq "stop -t 0 kills" "$($P stop -t 0 web)" "web"
eq "wait after SIGKILL" "$($P wait web)" "137"
eq "rm prints the name given" "$($P rm web)" "web"

# An exit nobody waits for: conmon's exit command records it.
$P run -d --name victim --rootfs "$ROOTFS" sleep 1000 > /dev/null
vpid=$($P inspect --format '{{.State.Pid}}' victim)
kill -9 "$vpid"
for _ in $(seq 50); do
	$P ps -a | grep -q 'Exited (137).*victim' && break
	sleep 0.1
done
check "kill -9 from outside shows as Exited (137) without podctl" bash -c "$P ps -a | grep -q 'Exited (137).*victim'"
eq "inspect ExitCode after kill -9" "$($P inspect --format '{{.State.ExitCode}}' victim)" "137"
expect_fail "kill of an exited container" 125 "can only kill running containers" $P kill victim
$P rm victim > /dev/null

# rm -f of a running container
$P run -d --name doomed --rootfs "$ROOTFS" sleep 1000 > /dev/null
check "rm -f removes a running container" $P rm -f doomed
eq "nothing left" "$($P ps -a -q)" ""
eq "no conmon left" "$(our_conmons)" ""
# Flags after the name, as podman (cobra) takes them; -t gives the
# container that long after SIGTERM: the shell's trap answers in time.
$P run -d --name polite --rootfs "$ROOTFS" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done' \
	> /dev/null
sleep 0.3
check "rm NAME -f -t 5 (flags after the name)" $P rm polite -f -t 5
eq "... removed" "$($P ps -a -q)" ""
expect_fail "rm -t with no number" 125 'invalid argument "x" for "-t, --time"' $P rm -t x polite
expect_fail "rm -t without -f" 125 "--force option must be specified to use the --time option" \
	$P rm -t 1 polite

# Options that shape the bundle
eq "-e and -w" "$($P run --rm -e FOO=bar -w /tmp --rootfs "$ROOTFS" /bin/sh -c 'echo $FOO $(pwd)')" "bar /tmp"
eq "--hostname" "$($P run --rm --hostname box --rootfs "$ROOTFS" hostname)" "box"
eq "-u uid:gid" "$($P run --rm -u 1000:1000 --rootfs "$ROOTFS" id -u)" "1000"
eq "--entrypoint" "$($P run --rm --entrypoint /bin/echo --rootfs "$ROOTFS" a b)" "a b"
eq "--read-only makes / read-only" "$($P run --rm --read-only --rootfs "$ROOTFS" /bin/sh -c 'touch /x 2>/dev/null || echo ro')" "ro"
eq "--read-only keeps /tmp writable" "$($P run --rm --read-only --rootfs "$ROOTFS" /bin/sh -c 'touch /tmp/x && echo rw')" "rw"
eq "--cap-drop ALL" "$($P run --rm --cap-drop ALL --rootfs "$ROOTFS" /bin/sh -c 'grep CapEff /proc/self/status')" "CapEff:	0000000000000000"
eq "--cap-add NET_ADMIN" "$($P run --rm --cap-add NET_ADMIN --rootfs "$ROOTFS" /bin/sh -c 'grep CapEff /proc/self/status')" "CapEff:	00000000800415fb"
# Seccomp filters are inherited: every container carries the launcher's
# host-call denylist (docs/SECURITY.md) and, unless unconfined, its own.
eq "default: the container's profile over the launcher's denylist" "$($P run --rm --rootfs "$ROOTFS" /bin/sh -c 'grep ^Seccomp_filters: /proc/self/status')" "Seccomp_filters:	2"
eq "--privileged: no profile of its own" "$($P run --rm --privileged --rootfs "$ROOTFS" /bin/sh -c 'grep ^Seccomp_filters: /proc/self/status')" "Seccomp_filters:	1"
eq "--privileged: every capability the engine holds" "$($P run --rm --privileged --rootfs "$ROOTFS" /bin/sh -c 'grep ^CapEff /proc/self/status')" "$(grep ^CapBnd /proc/self/status | sed 's/CapBnd/CapEff/')"
eq "--security-opt seccomp=unconfined" "$($P run --rm --security-opt seccomp=unconfined --rootfs "$ROOTFS" /bin/sh -c 'grep ^Seccomp_filters: /proc/self/status')" "Seccomp_filters:	1"
eq "unconfined with SYS_ADMIN, unshare works" "$($P run --rm --cap-add SYS_ADMIN --security-opt seccomp=unconfined --rootfs "$ROOTFS" /bin/busybox unshare -n true 2>&1; echo $?)" "0"
check "the default profile refuses unshare (EPERM)" bash -c "$P run --rm --rootfs $ROOTFS /bin/busybox unshare -n true 2>&1 | grep -q 'Operation not permitted'"
eq "--security-opt no-new-privileges" "$($P run --rm --security-opt no-new-privileges --rootfs "$ROOTFS" /bin/sh -c 'grep ^NoNewPrivs /proc/self/status')" "NoNewPrivs:	1"
eq "/dev/shm is a 1777 tmpfs" "$($P run --rm --shm-size 8m --rootfs "$ROOTFS" /bin/sh -c 'stat -c %a /dev/shm; grep " /dev/shm " /proc/mounts | grep -o "size=[0-9]*k"')" "1777
size=8192k"
eq "--dns, --dns-search, --dns-option" "$($P run --rm --dns 127.0.0.9 --dns-search example.test --dns-option ndots:2 --rootfs "$ROOTFS" cat /etc/resolv.conf | grep -v '^#')" "search example.test
nameserver 127.0.0.9
options ndots:2"
eq "--dns-search . means none" "$($P run --rm --dns-search . --dns 127.0.0.9 --rootfs "$ROOTFS" /bin/sh -c 'grep -c ^search /etc/resolv.conf')" "0"
check "--add-host" bash -c "$P run --rm --add-host db.test:10.1.2.3 --rootfs $ROOTFS cat /etc/hosts | grep -Eq '^10.1.2.3[[:space:]]+db.test\$'"
eq "--ulimit" "$($P run --rm --ulimit nofile=100:200 --rootfs "$ROOTFS" /bin/sh -c 'ulimit -n')" "100"
hard=$(ulimit -Hn)
check "an --ulimit above the hard limit is clamped with a warning" bash -c "$P run --rm --ulimit nofile=$((hard + 1)):$((hard + 1)) --rootfs $ROOTFS true 2>&1 | grep -q clamped"
eq "--pids-limit" "$($P run --rm --pids-limit 33 --rootfs "$ROOTFS" /bin/sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max')" "33"
eq "--memory" "$($P run --rm --memory 64m --rootfs "$ROOTFS" /bin/sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max')" "67108864"
eq "--init runs catatonit as pid 1" "$($P run --rm --init --rootfs "$ROOTFS" /bin/sh -c 'cat /proc/1/comm')" "podman-init"
eq "--network none: only loopback" "$($P run --rm --network none --rootfs "$ROOTFS" ls /sys/class/net)" "lo"
expect_fail "a missing runtime is a clear error" 125 'OCI runtime "/no/such/runtime" not found' \
	$P --runtime /no/such/runtime run --rm --rootfs "$ROOTFS" true
expect_fail "an unknown runtime name" 125 'default OCI runtime "nosuch" not found' \
	$P --runtime nosuch run --rm --rootfs "$ROOTFS" true

# A start whose podctl was killed between conmon's runtime create and the
# record (still "configured"): rm must delete what the runtime holds.
# Made here by hand: a configured record, and a runc container of that id
# created from a bundle in its bundle directory.
$P run -d --name donor --rootfs "$ROOTFS" /bin/sleep 1000 > /dev/null
donor=$($P inspect --format '{{.Id}}' donor)
half=$($P create --name half --rootfs "$ROOTFS" /bin/sleep 1000)
mkdir -p "$T/run/containers/$half"
cp "$T/run/containers/$donor/config.json" "$T/run/containers/$donor/hosts" \
	"$T/run/containers/$donor/hostname" "$T/run/containers/$donor/resolv.conf" \
	"$T/run/containers/$donor/.containerenv" "$T/run/containers/$half/" 2> /dev/null
sed -i "s|/containers/$donor/|/containers/$half/|g; s|podd-$donor|podd-$half|g" \
	"$T/run/containers/$half/config.json"
runc --root "$T/run/runtime" create --bundle "$T/run/containers/$half" "$half" \
	< /dev/null > /dev/null 2>&1
check "the half-started container exists in the runtime" \
	bash -c "runc --root $T/run/runtime list -q | grep -qx $half"
check "rm of the configured record" $P rm half
check "deleted the runtime's container" \
	bash -c "! runc --root $T/run/runtime list -q | grep -qx $half"
check "and its bundle directory" test ! -e "$T/run/containers/$half"
$P rm -f donor > /dev/null

# A --rm container's exit command removes it while `run` may still wait
# for its exit: rm hands the exit file off (<id>.removed) instead of
# deleting it, and a waiter takes it.
gone=$($P run -d --rm --rootfs "$ROOTFS" /bin/sh -c 'exit 4')
for _ in $(seq 100); do
	$P container exists "$gone" || break
	sleep 0.1
done
check "the exit command removed the --rm container" bash -c "! $P container exists $gone"
eq "its exit code is handed off, not deleted" "$(cat "$T/run/exits/$gone.removed" 2> /dev/null)" 4
check "no exit file under its own name" test ! -e "$T/run/exits/$gone"

# start of a container whose command cannot run: podman's message and 125
$P create --name nocmd --rootfs "$ROOTFS" /no/such/command > /dev/null
expect_fail "start of a container whose command is missing" 125 \
	"unable to start container \"$($P inspect --format '{{.Id}}' nocmd)\": " $P start nocmd
$P rm nocmd > /dev/null

# --all and stop --ignore, as podman takes them (no other container runs now)
$P run -d --name all1 --rootfs "$ROOTFS" /bin/sleep 100 > /dev/null
$P run -d --name all2 --rootfs "$ROOTFS" /bin/sleep 100 > /dev/null
eq "pause -a pauses the running ones" "$($P pause -a | wc -l) $($P inspect --format '{{.State.Status}}' all1 all2 | paste -sd' ')" \
	"2 paused paused"
eq "unpause --all" "$($P unpause --all | wc -l) $($P inspect --format '{{.State.Status}}' all1 | paste -sd' ')" \
	"2 running"
eq "stop -a -t 0 stops them" "$($P stop -a -t 0 | wc -l) $($P inspect --format '{{.State.Status}}' all1 all2 | paste -sd' ')" \
	"2 exited exited"
eq "stop -i: a name not there is no error" "$($P stop -i nothere all1; echo "rc=$?")" "$(printf 'all1\nrc=0')"
expect_fail "--all with names" 125 "may not pass any containers names or IDs" $P stop -a all1
$P start all1 > /dev/null
expect_fail "stop of a running and a missing container" 125 'no container with name or ID "nothere" found' \
	$P stop -t 0 all1 nothere
eq "... acts on neither, as podman" "$($P inspect --format '{{.State.Status}}' all1)" "running"
expect_fail "rm of a present and a missing container exits 1" 1 'no container with name or ID "nothere" found' \
	$P rm all2 nothere
check "... and removes neither" $P container exists all2
eq "ps -q --format: the format wins, as podman" "$($P ps -q --format '{{.Names}}')" "all1"
$P stop -t 0 all1 > /dev/null
$P rm all1 all2 > /dev/null

finish
