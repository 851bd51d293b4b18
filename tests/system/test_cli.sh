#!/bin/bash
# The first commands as a podman user types them: output, errors, exit
# codes, and that a failed command changes nothing.
. "$(dirname "$0")/lib.sh"

id=$($P create --name web -e A=1 -w /tmp -u root --rootfs "$ROOTFS" /bin/sh -c 'echo hi')
check "create prints a 64-hex id" grep -Eq '^[0-9a-f]{64}$' <<< "$id"
eq "inspect shows the name" "$($P inspect --format '{{.Name}}' web)" "web"
eq "inspect by id prefix" "$($P inspect --format '{{.Id}}' "${id:0:12}")" "$id"
eq "inspect Config.Cmd" "$($P inspect --format '{{json .Config.Cmd}}' web)" '["/bin/sh","-c","echo hi"]'
eq "inspect Config.Env" "$($P inspect --format '{{json .Config.Env}}' web)" '["A=1"]'
eq "inspect State.Status" "$($P inspect --format '{{.State.Status}}' web)" "created"
eq "inspect Rootfs" "$($P inspect --format '{{.Rootfs}}' web)" "$(realpath "$ROOTFS")"
eq "inspect Config.WorkingDir" "$($P inspect --format '{{.Config.WorkingDir}}' web)" "/tmp"
check "inspect JSON parses and has Created" \
	bash -c "$P inspect web | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[0][\"Created\"].endswith(\"Z\")'"

eq "ps without -a lists no created container" "$($P ps -q)" ""
eq "ps -a -q lists the short id" "$($P ps -a -q)" "${id:0:12}"
eq "ps -a -q --no-trunc lists the full id" "$($P ps -a -q --no-trunc)" "$id"
check "ps -a table has podman's header" bash -c "$P ps -a | head -1 | grep -q '^CONTAINER ID  IMAGE  *COMMAND  *CREATED  *STATUS  *PORTS  *NAMES'"
check "ps -a row says Created" bash -c "$P ps -a | grep -q 'Created .*web\$'"
eq "ps --format json names" "$($P ps -a --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Names"][0])')" "web"
# Templates see podman's ps fields: a short ID (full with --no-trunc), the
# name, the command joined (over 17 bytes: cut to 17 and "...", unless
# --no-trunc, as podman 4.3 prints it), the status text as State, Go's
# time for Created.
eq "ps --format {{.ID}} {{.Names}} {{.Command}} {{.State}}" \
	"$($P ps -a --format '{{.ID}} {{.Names}} {{.Command}} {{.State}} {{.Labels}}')" \
	"${id:0:12} web /bin/sh -c echo h... Created map[]"
eq "ps --no-trunc --format {{.Command}}" "$($P ps -a --no-trunc --format '{{.Command}}')" \
	"/bin/sh -c echo hi"
eq "ps --no-trunc --format {{.ID}}" "$($P ps -a --no-trunc --format '{{.ID}}')" "$id"
check "ps --format {{.Created}} is Go's time" bash -c \
	"$P ps -a --format '{{.Created}}' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ [+-][0-9]{4} [A-Z]+$'"

anon=$($P create --rootfs "$ROOTFS" /bin/true)
name=$($P inspect --format '{{.Name}}' "$anon")
check "a container without --name gets a random adjective_name" grep -Eq '^[a-z]+_[a-z]+[0-9]*$' <<< "$name"

# Failures: clear message, podman's exit code, nothing changed.
before=$($P ps -a -q --no-trunc | sort)
expect_fail "duplicate name is refused" 125 'the container name "web" is already in use' \
	$P create --name web --rootfs "$ROOTFS" /bin/true
expect_fail "invalid name is refused" 125 'names must match' \
	$P create --name 'bad name' --rootfs "$ROOTFS" /bin/true
expect_fail "missing rootfs is refused" 125 'rootfs "/nonexistent"' \
	$P create --rootfs /nonexistent /bin/true
expect_fail "missing command is refused" 125 'no command or entrypoint provided' \
	$P create --rootfs "$ROOTFS"
expect_fail "inspect of a missing container" 125 'no container with name or ID "nothere" found: no such container' \
	$P inspect nothere
expect_fail "rm of a missing container exits 1" 1 'no container with name or ID "nothere" found: no such container' \
	$P rm nothere
eq "rm -f of a missing container is quiet and exits 0, as podman's" "$($P rm -f nothere 2>&1; echo "rc=$?")" "rc=0"
eq "a command's --help exits 0 with its usage, as podman's" \
	"$($P ps --help | head -1; echo "rc=${PIPESTATUS[0]}")" "$(printf 'Usage: podctl ps [-a] [-q] [-s] [--no-trunc] [-n N|-l] [-f KEY=VALUE]... [--sort KEY] [--noheading] [--format json|TEMPLATE]\nrc=0')"
expect_fail "unknown command" 125 'unrecognized command' $P frobnicate
expect_fail "unknown flag" 125 'unknown flag' $P ps --frobnicate
eq "failed commands changed nothing" "$($P ps -a -q --no-trunc | sort)" "$before"

# Ambiguous prefix: make two ids share a first digit by creating enough.
for i in $(seq 1 20); do $P create --rootfs "$ROOTFS" /bin/true > /dev/null; done
prefix=$($P ps -a -q --no-trunc | cut -c1 | sort | uniq -d | head -1)
expect_fail "an ambiguous id prefix is an error" 125 'ambiguous' $P inspect "$prefix"

$P container exists web
eq "container exists answers 0" "$?" "0"
$P container exists nothere
eq "container exists answers 1" "$?" "1"

check "rename" $P rename web web2
eq "renamed container answers to the new name" "$($P inspect --format '{{.Id}}' web2)" "$id"
$P container exists web
eq "old name is free after rename" "$?" "1"
expect_fail "rename to a taken name" 125 'already in use' $P rename web2 "$name"
check "old name reusable after rename" $P create --name web --rootfs "$ROOTFS" /bin/true

eq "rm prints the container as it was named, as podman" "$($P rm -v web2)" "web2"
$P container exists "$id"
eq "removed container is gone" "$?" "1"
check "rm -a removes the rest" $P rm -a
eq "ps -a is empty after rm -a" "$($P ps -a -q)" ""

check "info shows the static dir" bash -c "$P info | grep -q 'staticDir: $T/root'"
eq "info --format" "$($P info --format '{{.store.graphDriverName}}')" "overlay"
goarch=$(uname -m | sed 's/^x86_64$/amd64/; s/^aarch64$/arm64/; s/^i[3-6]86$/386/; s/^armv.*$/arm/')
eq "info --format with podman's field names, Go's arch" \
	"$($P info --format '{{.Store.GraphDriverName}} {{.Host.Arch}}')" "overlay $goarch"
eq "info --format '{{json .}}' is the JSON document, laid out as podman's" \
	"$($P info --format '{{json .}}' | sed -n 2p)" '  "host": {'
expect_fail "db-config mismatch names the field and both values" 125 \
	'database graph driver "overlay" does not match our graph driver "vfs"' \
	$P --storage-driver vfs ps -a
check "version" bash -c "$P version | grep -q '^Version:'"

finish
