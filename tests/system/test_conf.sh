#!/bin/bash
# podd.conf, the defaults of podctl's global options ($PODD_CONF here):
# each key taken when its flag is not given, the flag winning when it is,
# bad files refused with an Error naming them before anything is made,
# unknown keys a warning, and conmon's exit command deaf to it. Real
# runc, crun and conmon.
. "$(dirname "$0")/lib.sh"

CONF="$T/podd.conf"
export PODD_CONF="$CONF"
# Q ARGS: podctl with no --root or --runroot, where podd.conf points it.
# It runs in a mount namespace of its own whose /var/lib and /run are
# empty tmpfs mounts, so that a podctl that ignored the file never reaches
# the host's default store (/var/lib/podd, /run/podd); one that went there
# fails with 99 and leaves $QTRIP, checked at the end (a check of Q's
# output alone would not see it).
export QTRIP="$T/default-store-reached"
Q() {
	unshare -m --propagation private sh -c '
		mount -t tmpfs podd-test /var/lib && mount -t tmpfs podd-test /run || exit 98
		"$@"
		rc=$?
		if [ -e /var/lib/podd ] || [ -e /run/podd ]; then
			echo "podctl used the default store" >&2
			: > "$QTRIP"
			exit 99
		fi
		exit $rc' sh "$PODCTL" "$@"
}

runtime_of() { $P inspect --format '{{.OCIRuntime}}' "$1"; }
# info_value KEY PODCTL...: one value of info's JSON, by its path of keys.
info_value() {
	local key=$1
	shift
	"$@" info --format json | python3 -c 'import json,sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."): v = v[k]
print(v)' "$key"
}

# No file: the built-in defaults.
check "no podd.conf: run works" $P run --name plain --rootfs "$ROOTFS" true
eq "... with runc" "$(runtime_of plain)" runc
eq "... and info names runc" "$(info_value host.ociRuntime.name $P)" runc

# The file gives the store's place, the runtime and the log level.
printf '{"root": "%s", "runroot": "%s", "runtime": "crun", "log-level": "debug"}\n' \
	"$T/root" "$T/run" > "$CONF"
if crun_path > /dev/null; then
	eq "runtime from podd.conf: run prints the command's output" \
		"$(Q run --name fromconf --rootfs "$ROOTFS" echo hello 2> "$T/err")" hello
	eq "... created with crun" "$(runtime_of fromconf)" crun
	check "... log-level from podd.conf: debug lines on stderr" grep -q 'podctl\[[0-9]*\]: debug: ' "$T/err"
	check "... root and runroot from podd.conf: the container is in this test's store" \
		bash -c "$P ps -a --format '{{.Names}}' | grep -qx fromconf"
	eq "info names crun" "$(info_value host.ociRuntime.name Q)" crun
else
	not_ok "crun is not installed (scripts/install-deps.sh installs it)"
fi
eq "--runtime wins over podd.conf" \
	"$(Q --runtime runc run --name fromflag --rootfs "$ROOTFS" echo flag 2> /dev/null)" flag
eq "... created with runc" "$(runtime_of fromflag)" runc
Q --log-level warn ps > /dev/null 2> "$T/err"
eq "--log-level wins over podd.conf: ps works" "$?" 0
eq "... and prints no debug lines" "$(grep -c ': debug: ' "$T/err")" 0
mkdir -p "$T/other"
eq "--root wins over podd.conf: another store, empty" \
	"$(Q --root "$T/other/root" --runroot "$T/other/run" ps -a -q)" ""

# The storage driver is the database's: podd.conf's is checked against it
# as --storage-driver is.
printf '{"root": "%s", "runroot": "%s", "storage-driver": "vfs"}\n' \
	"$T/vroot" "$T/vrun" > "$CONF"
eq "storage-driver from podd.conf: info says vfs" "$(info_value store.graphDriverName Q)" vfs
eq "... a run on it works" "$(Q run --rm --rootfs "$ROOTFS" echo vfs)" vfs
expect_fail "... --storage-driver overlay on that store is refused" 125 \
	"database graph driver \"vfs\" does not match our graph driver \"overlay\"" \
	Q --storage-driver overlay ps

# Unknown keys: podman's one warning, the rest still read.
printf '{"runroot": "%s", "root": "%s", "colour": "blue", "size": 3}\n' "$T/run" "$T/root" > "$CONF"
Q ps -a --format '{{.Names}}' > "$T/out" 2> "$T/err"
eq "unknown keys: the command still works" "$?" 0
check "... and lists this test's store" grep -qx plain "$T/out"
check "... one warning listing them" \
	grep -qxF "WARN[0000] Failed to decode the keys [\"colour\" \"size\"] from \"$CONF\"" "$T/err"
Q --log-level error ps > /dev/null 2> "$T/err"
eq "... none with --log-level error" "$(cat "$T/err")" ""

# Bad files: an Error that names the file, exit 125, nothing made.
bad() {
	local what=$1 text=$2 msg=$3
	printf '%s' "$text" > "$CONF"
	expect_fail "$what" 125 "$msg" Q --root "$T/bad/root" --runroot "$T/bad/run" ps
	check "... nothing made" test ! -e "$T/bad"
}
bad "malformed JSON is refused" '{"runtime": ' "$CONF: unexpected end of JSON input"
bad "a duplicate key is refused" '{"runtime": "runc", "runtime": "crun"}' "$CONF: Duplicate key \"runtime\""
bad "a value of the wrong type is refused" '{"runtime": 7}' "$CONF: \"runtime\" must be a string"
bad "an empty value is refused" '{"runtime": ""}' "$CONF: \"runtime\" must be 1 to"
bad "a relative root is refused" '{"root": "here"}' "$CONF: root must be an absolute path"
bad "a root with .. is refused" '{"runroot": "/tmp/../etc"}' "$CONF: runroot must not contain"
bad "an unknown storage driver is refused" '{"storage-driver": "zfs"}' \
	"$CONF: unknown storage driver (overlay or vfs): \"zfs\""
bad "an unknown log level is refused" '{"log-level": "loud"}' "$CONF: invalid log-level"
bad "an unknown runtime name is refused" '{"runtime": "no-such-runtime"}' \
	"$CONF: runtime is not runc, crun or an absolute path: \"no-such-runtime\""
bad "a JSON array is refused" '["runc"]' "$CONF: JSON object expected"
printf '{"runtime": "runc"}\0' > "$CONF"
expect_fail "a NUL byte is refused" 125 "$CONF: the file: a NUL byte" \
	Q --root "$T/bad/root" --runroot "$T/bad/run" ps
python3 -c 'import sys; open(sys.argv[1], "w").write("{" + " " * 70000 + "}")' "$CONF"
expect_fail "a file over 64 KiB is refused" 125 "$CONF: the file is larger than 65536 bytes" \
	Q --root "$T/bad/root" --runroot "$T/bad/run" ps
rm -f "$CONF"
mkfifo "$CONF"
expect_fail "a FIFO is refused, not waited on" 125 "$CONF: not a regular file" \
	timeout 10 "$PODCTL" --root "$T/bad/root" --runroot "$T/bad/run" ps
rm -f "$CONF"
mkdir "$CONF"
expect_fail "a directory is refused" 125 "$CONF: not a regular file" Q ps
rmdir "$CONF"
check "... nothing made by any of them" test ! -e "$T/bad"
# An absolute runtime passes the file's check; the launcher refuses it
# at create when it is not a root-owned executable.
printf '{"runtime": "/nonexistent/crun"}' > "$CONF"
expect_fail "a runtime path that is no executable is refused at create" 125 \
	"OCI runtime \"/nonexistent/crun\" not found, not executable or not owned by root" \
	$P run --name never --rootfs "$ROOTFS" true
expect_fail "... and no container is made" 125 "no container with name or ID" $P inspect never
rm -f "$CONF"
check "a missing file is an empty configuration" $P ps
PODD_CONF=/dev/null check "PODD_CONF=/dev/null: no configuration" $P ps

# conmon's exit command reads no podd.conf. In a mount namespace whose
# /etc is a copy holding /etc/podd/podd.conf, one that says vfs (the store
# is overlay) and then one that is malformed: the exit commands still
# record the exits and remove the --rm container. podctl itself reads
# /dev/null here, as lib.sh set.
export PODD_CONF=/dev/null
cp -a /etc "$T/etc" && mkdir -p "$T/etc/podd"
in_etc_copy() {
	unshare -m --propagation private sh -c 'mount --bind "$0/etc" /etc || exit 98; "$@"' "$T" "$@"
}
n=0
for text in '{"storage-driver": "vfs"}' '{"runtime": '; do
	n=$((n + 1))
	printf '%s' "$text" > "$T/etc/podd/podd.conf"
	in_etc_copy $P run -d --rm --name "gone$n" --rootfs "$ROOTFS" true > /dev/null
	in_etc_copy $P run -d --name "kept$n" --rootfs "$ROOTFS" sh -c 'exit 3' > /dev/null
	for _ in $(seq 100); do
		! $P container exists "gone$n" &&
			[ "$($P inspect --format '{{.State.Status}}' "kept$n")" = exited ] && break
		sleep 0.1
	done
	expect_fail "/etc/podd/podd.conf $n: the exit command removed a --rm container" 125 \
		"no container with name or ID" $P inspect "gone$n"
	eq "... and recorded the exit of another" \
		"$($P inspect --format '{{.State.Status}} {{.State.ExitCode}}' "kept$n")" "exited 3"
done

check "no podctl of this test reached the host's default store" test ! -e "$QTRIP"
finish
