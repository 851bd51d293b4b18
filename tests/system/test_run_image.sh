#!/bin/bash
# Containers from images: the image config applied and overridden, the
# overlay root (whiteouts and opaque dirs of an upper layer, changes that
# persist across stop/start and go with rm), ps IMAGE and --size, inspect,
# export, rmi of an image in use, the vfs driver, --pull, and 100 run --rm
# that leave no mount, upper dir or conmon behind.
. "$(dirname "$0")/lib.sh"

MAKE_IMAGE="$PODD_SOURCE_DIR/tests/system/make_test_image.py"

# Images arrive with `podctl load` (the local helper's part of issue 4).
if ! $P load --help > /dev/null 2>&1; then
	ok "# SKIP podctl load is not in this tree yet"
	finish
fi
STORE="$T/root/storage"

our_mounts() {
	grep -c " $T/" /proc/self/mountinfo
}

# localhost/cfg: two layers (the second deletes /etc/motd with a whiteout
# and makes /opq opaque) and every config field set.
python3 "$MAKE_IMAGE" "$ROOTFS" "$T/cfg.tar" localhost/cfg:latest --layer2 --config \
	'{"Entrypoint":["/bin/sh","-c"],"Cmd":["echo cmd $FOO $(pwd) $(id -u)"],
	  "Env":["FOO=image","BAR=image","PATH=/bin"],"WorkingDir":"/opq","User":"1000",
	  "StopSignal":"SIGUSR1"}' || exit 1
# localhost/plain: one layer, Cmd only (the bundled busybox image if the
# tree has its script).
if [ -x "$PODD_SOURCE_DIR/scripts/make-image.sh" ]; then
	"$PODD_SOURCE_DIR/scripts/make-image.sh" "$T/plain.tar" localhost/plain:latest \
		> /dev/null || exit 1
else
	python3 "$MAKE_IMAGE" "$ROOTFS" "$T/plain.tar" localhost/plain:latest \
		--config '{"Cmd":["sh","-c","echo default cmd"],"Env":["PATH=/bin"]}' || exit 1
fi

check "load the test images" $P load -i "$T/cfg.tar"
check "load the plain image" $P load -i "$T/plain.tar"

# --- run and the image config ---
eq "run --rm IMAGE echo hi prints hi" "$($P run --rm localhost/plain echo hi 2>&1)" "hi"
out=$($P run --rm plain 2>&1)
if [ -x "$PODD_SOURCE_DIR/scripts/make-image.sh" ]; then
	# The bundled image's Cmd is sh: with no stdin it exits 0 at once.
	eq "the image's Cmd runs by default (short name)" "$out" ""
else
	eq "the image's Cmd runs by default (short name)" "$out" "default cmd"
fi
eq "Entrypoint + Cmd, Env, WorkingDir and User from the image" \
	"$($P run --rm localhost/cfg 2>&1)" "cmd image /opq 1000"
eq "a command replaces Cmd, not Entrypoint" \
	"$($P run --rm localhost/cfg 'echo given $BAR' 2>&1)" "given image"
eq "-e, -w and -u override the image's Env, WorkingDir and User" \
	"$($P run --rm -e FOO=user -w / -u 0 localhost/cfg 'echo $FOO $BAR $(pwd) $(id -u)' 2>&1)" \
	"user image / 0"
eq "--entrypoint drops the image's Cmd" "$($P run --rm --entrypoint echo localhost/cfg 2>&1)" ""
eq "--entrypoint with a command" "$($P run --rm --entrypoint echo localhost/cfg a b 2>&1)" "a b"
id=$($P create --name sig localhost/cfg)
eq "StopSignal from the image" "$($P inspect sig --format '{{.Config.StopSignal}}')" "10"
$P rm sig > /dev/null
$P create --name sig2 --stop-signal TERM localhost/cfg > /dev/null
eq "--stop-signal overrides it" "$($P inspect sig2 --format '{{.Config.StopSignal}}')" "15"
$P rm sig2 > /dev/null

# --- run of a present image takes its settings from the record ---
# podd-state's record carries the run config: with the config blob gone
# from podd-image's store, run still applies the image's settings, while
# image inspect (which reads the blob) fails. The blob is put back after.
cfg_id=$($P images -q --no-trunc localhost/cfg | sed 's/^sha256://')
blob="$STORE/blobs/sha256/$cfg_id"
if [ -n "$cfg_id" ] && mv "$blob" "$T/cfg-blob"; then
	eq "run needs no config blob: the record's run config applies" \
		"$($P run --rm localhost/cfg 2>&1)" "cmd image /opq 1000"
	if $P image inspect localhost/cfg > /dev/null 2>&1; then
		not_ok "image inspect of an image without its config blob fails"
	else
		ok "image inspect of an image without its config blob fails"
	fi
	mv "$T/cfg-blob" "$blob"
else
	not_ok "the config blob of localhost/cfg is at $blob"
fi

# --- the overlay root ---
eq "a whiteout in an upper layer hides the lower file" \
	"$($P run --rm -u 0 localhost/cfg 'cat /etc/motd 2>/dev/null || echo hidden' 2>&1)" "hidden"
eq "an opaque dir hides the lower dir's entries" \
	"$($P run --rm localhost/cfg 'ls /opq' 2>&1)" "new"
$P run --name keep -u 0 localhost/cfg \
	'test -f /persist && echo again; echo data > /persist; rm /layer2 2>/dev/null || echo gone' \
	> /dev/null 2>&1
cid=$($P inspect keep --format '{{.Id}}')
eq "the root is unmounted after the exit" "$(our_mounts)" "0"
eq "export of a stopped image container has its changes, not what it deleted" \
	"$($P export keep | tar -tf - | grep -E '^(\./)?(persist|layer2)$')" "persist"
eq "the export's temporary mount is gone" "$(our_mounts)" "0"
eq "changes persist across stop/start" "$($P start -a keep 2>&1 | tr '\n' ' ')" "again gone "
check "the upper dir holds the changes" test -f "$STORE/containers/$cid/upper/persist"
eq "ps shows the image name" "$($P ps -a --format '{{.Image}}' | sort -u | tr '\n' ' ')" \
	"localhost/cfg:latest "
size=$($P ps -a --size | awk '/ keep /{print $(NF-2), $(NF-1), $NF}')
case "$size" in
*B\ \(virtual\ *B\)) ok "ps --size shows \"<rw> (virtual <root>)\" ($size)" ;;
*) not_ok "ps --size: \"$size\"" ;;
esac
rw=$($P inspect --size keep --format '{{.SizeRw}}')
root=$($P inspect --size keep --format '{{.SizeRootFs}}')
# /persist is 5 bytes ("data\n"); the upper dir also has the whiteout.
if [ "$rw" -ge 5 ] && [ "$rw" -lt 4096 ] && [ "$root" -gt 1000000 ]; then
	ok "inspect --size: SizeRw $rw, SizeRootFs $root"
else
	not_ok "inspect --size: SizeRw $rw, SizeRootFs $root"
fi
imgid=$($P inspect keep --format '{{.Image}}')
case "$imgid" in
[0-9a-f]*) [ ${#imgid} -eq 64 ] && ok "inspect Image is the image id" ||
	not_ok "inspect Image: $imgid" ;;
*) not_ok "inspect Image: $imgid" ;;
esac
eq "inspect ImageName" "$($P inspect keep --format '{{.ImageName}}')" "localhost/cfg:latest"
$P run -d --name running localhost/cfg 'sleep 30' > /dev/null
rid=$($P inspect running --format '{{.Id}}')
eq "a running container's root is an overlay at its merged dir, nodev, userxattr" \
	"$(awk -v m="$T/run/storage/containers/$rid/merged" '$5 == m {
		split($0, h, " - "); split(h[2], f, " ");
		print f[1], ($6 ~ /nodev/), (f[3] ~ /userxattr/) }' /proc/self/mountinfo)" "overlay 1 1"
eq "export of a running image container" \
	"$($P export running | tar -tf - | grep -cE '^(\./)?opq/new$')" "1"
$P rm -f running > /dev/null 2>&1
check "rm removes the upper dir" $P rm keep
check "  ... it is gone" test ! -e "$STORE/containers/$cid"

# --- rmi of an image in use (the local helper's rmi) ---
if $P rmi --help > /dev/null 2>&1; then
	$P create --name user1 localhost/plain true > /dev/null
	# podman exits 2 here (not 125): checked against podman 4.3.
	$P rmi localhost/plain > "$T/out" 2> "$T/err"
	eq "rmi of an image in use is refused with podman's exit code 2" "$?" "2"
	check "  ... and podman's message" grep -q "^Error: image used by .*: image is in use by a container" "$T/err"
	check "  ... the image stays" $P image exists localhost/plain
	check "rmi -f removes the image and its containers" $P rmi -f localhost/plain
	expect_fail "  ... the container is gone" 125 "no such container" $P inspect user1
	check "load the plain image again" $P load -i "$T/plain.tar"
	# A tag that is also a prefix of the id is the tag: rmi -f of it
	# only untags, and the container using the image runs on (podman).
	pid_prefix=$($P image inspect --format '{{.Id}}' localhost/plain | cut -c1-4)
	$P tag localhost/plain "$pid_prefix" > /dev/null
	$P run -d --name user2 localhost/plain sleep 1000 > /dev/null
	eq "rmi -f of a tag that is also an id prefix only untags it" \
		"$($P rmi -f "$pid_prefix")" "Untagged: localhost/$pid_prefix:latest"
	eq "  ... the container using the image runs on" \
		"$($P inspect --format '{{.State.Status}}' user2)" running
	# Several failures: one Error listing them, the in-use code first.
	$P rmi nosuch1 localhost/plain nosuch2 > "$T/out" 2> "$T/err"
	eq "rmi of two unknown names and one in use exits 2" "$?" 2
	eq "  ... one Error listing the three" "$(head -1 "$T/err")" "Error: 3 errors occurred:"
	check "  ... each on its line" grep -qx '	\* nosuch1: image not known' "$T/err"
	$P rm -f -t 0 user2 > /dev/null
else
	ok "# SKIP rmi is not in this tree"
fi

# --- commit ---
$P run --name tocommit -u 0 localhost/cfg \
	'echo new > /added; rm /layer2; rm -rf /opq; mkdir /opq; echo fresh > /opq/fresh; ln -s /added /link; head -c 300000 /dev/zero > /hl1; ln /hl1 /hl2' \
	> /dev/null 2>&1
nimg=$($P images -q | wc -l)
expect_fail "commit -m of an OCI image: podman's refusal" 125 \
	"messages are only compatible with the docker image format (-f docker)" \
	$P commit -m "a change" tocommit localhost/committed
eq "  ... and no image made" "$($P images -q | wc -l)" "$nimg"
cimg=$($P commit -a tester tocommit localhost/committed 2> "$T/commit.err")
case "$cimg" in
[0-9a-f]*) [ ${#cimg} -eq 64 ] && ok "commit prints the new image's id" ||
	not_ok "commit: $cimg $(cat "$T/commit.err")" ;;
*) not_ok "commit: $cimg $(cat "$T/commit.err")" ;;
esac
# podman commit's copy lines on stderr (without a terminal, not -q): its
# source is the container's storage, whose blobs are the layers' diff_ids.
eq "commit prints podman's copy lines on stderr" "$(cat "$T/commit.err")" \
	"$(echo "Getting image source signatures"
	$P image inspect localhost/committed | jq -r '.[0].RootFS.Layers[] | "Copying blob " + .'
	echo "Copying config sha256:$cimg"
	echo "Writing manifest to image destination"
	echo "Storing signatures")"
eq "the committed image has the changes, a whiteout and an opaque dir" \
	"$($P run --rm localhost/committed 'cat /added; test -e /layer2 || echo no-layer2; ls /opq; readlink /link' 2>&1 | tr '\n' ' ')" \
	"new no-layer2 fresh /added "
eq "  ... a file with two names stays one file (a hardlink entry)" \
	"$($P run --rm localhost/committed 'stat -c %h /hl1; [ /hl1 -ef /hl2 ] && echo same' 2>&1 | tr '\n' ' ')" \
	"2 same "
base_size=$($P image inspect localhost/cfg | jq '.[0].Size')
eq "  ... its data archived once: the new layer is under twice its 300000 bytes" \
	"$($P image inspect localhost/committed | jq ".[0].Size - $base_size < 600000")" "true"
eq "  ... on top of its image's layers" \
	"$($P image inspect localhost/committed | jq '.[0].RootFS.Layers | length')" "3"
eq "  ... with podman's history entry: /bin/sh, the author, FROM the image" \
	"$($P image inspect localhost/committed | jq -c '.[0].History[-1] | [.created_by, .author, .comment]')" \
	'["/bin/sh","tester","FROM localhost/cfg:latest"]'
$P commit -q -f docker -m "a change" tocommit localhost/committed-msg > /dev/null
eq "commit -f docker -m: the message is the config's comment" \
	"$($P image inspect localhost/committed-msg | jq -r '.[0].Comment')" "a change"
$P save -o "$T/committed.tar" localhost/committed > /dev/null 2>&1
PM="podman --root $T/podman --runroot $T/podman-run --storage-driver vfs"
if $PM load -i "$T/committed.tar" > /dev/null 2>&1 &&
	pid=$($PM create localhost/committed:latest true 2> /dev/null); then
	eq "podman reads the committed image the same way" \
		"$($PM export "$pid" | tar -tf - | grep -E '^(added|layer2|opq/old|opq/fresh)$' | tr '\n' ' ')" \
		"added opq/fresh "
	$PM rm -f "$pid" > /dev/null 2>&1
else
	not_ok "podman loads the committed image"
fi
$PM rmi -a -f > /dev/null 2>&1
nimg=$($P images -q | wc -l)
expect_fail "commit refuses an invalid image name, podman's message" 125 \
	'normalizing name "Bad:Name:x": invalid reference format' $P commit tocommit 'Bad:Name:x'
eq "  ... before committing: no image" "$($P images -q | wc -l)" "$nimg"
eq "commit -q prints the id only" \
	"$($P commit -q tocommit localhost/committed-q 2>&1 | grep -cvE '^[0-9a-f]{64}$')" "0"

# --change: the instructions land in the new image's config, as podman's.
$P commit -q -c 'CMD ["/bin/echo","changed"]' -c "ENV C=1" -c "label k=v" \
	-c "EXPOSE 8080/UDP" -c "USER 0" -c "WORKDIR /opq" -c "STOPSIGNAL SIGINT" \
	-c 'VOLUME ["/data","/more"]' -c "ENTRYPOINT=[]" tocommit localhost/changed > /dev/null
eq "commit --change lands in the config over the container's (STOPSIGNAL as its number, as podman)" \
	"$($P image inspect --format '{{json .Config}}' localhost/changed)" \
	'{"User":"0","ExposedPorts":{"8080/udp":{}},"Env":["FOO=image","BAR=image","PATH=/bin","container=podd","C=1"],"Cmd":["/bin/echo","changed"],"Volumes":{"/data":{},"/more":{}},"WorkingDir":"/opq","Labels":{"k":"v"},"StopSignal":"2"}'
eq "  ... and a container of it runs the new CMD" \
	"$($P run --rm localhost/changed 2>&1)" "changed"
$P commit -q -c "CMD echo shell" -c "ONBUILD RUN true" tocommit localhost/changed2 \
	> /dev/null 2> "$T/err"
eq "commit --change CMD shell form" \
	"$($P image inspect --format '{{json .Config.Cmd}}' localhost/changed2)" \
	'["/bin/sh","-c","echo shell"]'
check "  ... ONBUILD is warned about, as podman (not in the OCI format)" \
	grep -q "ONBUILD is not supported for OCI image format, RUN true will be ignored" "$T/err"
nimg=$($P images -q | wc -l)
blobs=$(ls "$STORE/blobs/sha256" | wc -l)
expect_fail "commit refuses an unknown instruction, podman's message" 125 \
	'invalid change "FOO bar" - invalid instruction FOO' \
	$P commit -c "CMD true" -c "FOO bar" tocommit localhost/bad
expect_fail "commit refuses an instruction without a value" 125 \
	'invalid change "ENV" - must be formatted as KEY VALUE' $P commit -c ENV tocommit
expect_fail "commit refuses a bad EXPOSE" 125 \
	'invalid change "EXPOSE 80/sctp" - EXPOSE protocol must be TCP or UDP' \
	$P commit -c "EXPOSE 80/sctp" tocommit
expect_fail "commit refuses a bad STOPSIGNAL" 125 \
	'invalid change "STOPSIGNAL FOO" - KILLSIGNAL must be given a valid signal: invalid signal: FOO' \
	$P commit -c "STOPSIGNAL FOO" tocommit
expect_fail "commit refuses a LABEL without =" 125 \
	'invalid change "LABEL x" - LABEL must be formatted key=value' $P commit -c "LABEL x" tocommit
eq "  ... a refused change stores no image" "$($P images -q | wc -l)" "$nimg"
eq "  ... and no blob" "$(ls "$STORE/blobs/sha256" | wc -l)" "$blobs"

# --format: OCI by default, docker v2 schema 2 on request; podman loads both.
eq "commit writes an OCI manifest by default" \
	"$($P image inspect --format '{{.ManifestType}}' localhost/changed)" \
	"application/vnd.oci.image.manifest.v1+json"
$P commit -q --format docker -c 'CMD ["/bin/echo","docker"]' -c "ENTRYPOINT=[]" tocommit \
	localhost/dockerfmt > /dev/null
eq "commit --format docker writes a docker schema 2 manifest" \
	"$($P image inspect --format '{{.ManifestType}}' localhost/dockerfmt)" \
	"application/vnd.docker.distribution.manifest.v2+json"
eq "  ... a container of it runs" "$($P run --rm localhost/dockerfmt 2>&1)" "docker"
$P save --format oci-archive -o "$T/dockerfmt.tar" localhost/dockerfmt 2> /dev/null
$PM load -i "$T/dockerfmt.tar" > /dev/null 2>&1
eq "  ... podman loads it" "$($PM image inspect --format '{{json .Config.Cmd}}' localhost/dockerfmt 2>&1)" \
	'["/bin/echo","docker"]'
$PM rmi -a -f > /dev/null 2>&1
$P commit -q -f oci tocommit localhost/ocifmt > /dev/null
eq "commit -f oci" "$($P image inspect --format '{{.ManifestType}}' localhost/ocifmt)" \
	"application/vnd.oci.image.manifest.v1+json"
expect_fail "commit refuses an unknown format, podman's message" 125 \
	'unrecognized image format "foo"' $P commit --format foo tocommit
$P rmi localhost/changed localhost/changed2 localhost/dockerfmt localhost/ocifmt \
	localhost/committed-q > /dev/null 2>&1
check "rm the committed container" $P rm tocommit

# runc's mount points: podman 4.3 keeps them in a commit's layer (empty
# /etc/hosts, /etc/hostname, /etc/resolv.conf, /run/.containerenv, and
# /dev, /proc, /sys and bind targets where the image lacks them), and so
# does podd; the entries are in name order, as podman's tar walks them,
# whatever order the upper dir lists.
$P run --name ranonly -u 0 localhost/plain sh -c 'touch /z /a /m /b' > /dev/null 2>&1
$P commit -q ranonly localhost/ranonly > /dev/null
$P save -o "$T/ranonly.tar" localhost/ranonly 2> /dev/null
rm -rf "$T/ranonly" && mkdir "$T/ranonly" && tar -C "$T/ranonly" -xf "$T/ranonly.tar"
eq "a commit's layer has the mount points as podman's, in name order" \
	"$(tar -tf "$T/ranonly/$(jq -r '.[0].Layers[-1]' "$T/ranonly/manifest.json")" | tr '\n' ' ')" \
	"a b etc/ etc/hostname etc/hosts etc/resolv.conf m run/ run/.containerenv z "
$P rm ranonly > /dev/null
$P rmi localhost/ranonly > /dev/null

# The container's own settings go into the image, as podman's libpod
# commit writes them (measured on podman 4.3): Env (its process
# environment less HOSTNAME and HOME, each entry over the image's of the
# same key), Entrypoint and Cmd (none when the container has none), User,
# WorkingDir; the image's StopSignal stays. --change comes after.
$P create --name ctrcfg -e FOO=bar -e NEW=1 -w /tmp -u 1:1 --entrypoint /bin/sh localhost/cfg \
	-c 'echo ran $FOO $NEW $BAR $(pwd) $(id -u):$(id -g)' > /dev/null
$P commit -q ctrcfg localhost/ctrcfg > /dev/null
eq "commit writes the container's Env, Entrypoint, Cmd, User and WorkingDir" \
	"$($P image inspect --format '{{json .Config}}' localhost/ctrcfg)" \
	'{"User":"1:1","Env":["FOO=bar","BAR=image","PATH=/bin","container=podd","NEW=1"],"Entrypoint":["/bin/sh"],"Cmd":["-c","echo ran $FOO $NEW $BAR $(pwd) $(id -u):$(id -g)"],"WorkingDir":"/tmp","StopSignal":"SIGUSR1"}'
eq "  ... a run of it without a command runs the container's" \
	"$($P run --rm localhost/ctrcfg 2>&1)" "ran bar 1 image /tmp 1:1"
$P commit -q -c "USER 2" -c "ENV FOO=changed" -c 'CMD ["-c","echo $FOO"]' ctrcfg \
	localhost/ctrcfg2 > /dev/null
eq "  ... --change overrides the container's settings" \
	"$($P image inspect --format '{{.Config.User}} {{json .Config.Env}} {{json .Config.Cmd}}' localhost/ctrcfg2)" \
	'2 ["FOO=changed","BAR=image","PATH=/bin","container=podd","NEW=1"] ["-c","echo $FOO"]'
$P create --name noargs --entrypoint /bin/echo localhost/cfg > /dev/null
$P commit -q noargs localhost/noargs > /dev/null
eq "  ... an --entrypoint without a command: no Cmd (the image's is not the container's)" \
	"$($P image inspect localhost/noargs | jq -c '.[0].Config | [.Entrypoint, .Cmd, .User, .WorkingDir]')" \
	'[["/bin/echo"],null,"1000","/opq"]'
$P run --name withtty -t localhost/plain true > /dev/null 2>&1
$P commit -q withtty localhost/withtty > /dev/null
eq "  ... a tty container's TERM=xterm, as its process had it" \
	"$($P image inspect --format '{{json .Config.Env}} {{json .Config.Cmd}} {{.Config.WorkingDir}}' localhost/withtty)" \
	'["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","TERM=xterm","container=podd"] ["true"] /'
eq "  ... and a run of such an image has container=podd once" \
	"$($P run --rm localhost/withtty env | grep -c '^container=')" "1"
$P rm withtty noargs > /dev/null
$P rmi localhost/ctrcfg2 localhost/noargs localhost/withtty > /dev/null

# --iidfile: the id, bare (no "sha256:", no newline), as podman writes it;
# written only when the commit succeeded, FILE otherwise as it was.
echo keep > "$T/iid"
expect_fail "commit --iidfile with a bad --change fails" 125 'invalid instruction FOO' \
	$P commit --iidfile "$T/iid" -c "FOO bar" ctrcfg localhost/iidbad
eq "  ... and leaves the iidfile as it was" "$(cat "$T/iid")" "keep"
expect_fail "commit --iidfile of a missing container fails" 125 'no container with name' \
	$P commit --iidfile "$T/iid" nosuchctr localhost/iidbad
eq "  ... and leaves the iidfile as it was, no temporary beside it" \
	"$(cat "$T/iid"; ls -A "$T" | grep -c '^\.iid\.')" "keep
0"
iid=$($P commit -q --iidfile "$T/iid" ctrcfg localhost/iid)
eq "commit --iidfile writes the id, no newline" "$(cat "$T/iid") $(wc -c < "$T/iid")" "$iid 64"
expect_fail "commit --iidfile in a missing directory: podman's words" 125 \
	'failed to write image ID' $P commit --iidfile "$T/nodir/iid" ctrcfg localhost/iidnodir
check "  ... and no image made" sh -c "! $P image exists localhost/iidnodir"
check "commit --include-volumes is accepted (podd has no volumes: nothing to include)" \
	$P commit -q --include-volumes ctrcfg localhost/incvol
$P rm ctrcfg > /dev/null
$P rmi localhost/ctrcfg localhost/iid localhost/incvol > /dev/null

# --squash: the image's layers and the container's changes as one layer
# (overlay's merge: whiteouts and opaque dirs hide what is below, and are
# not in the layer), the history only the new entry, as podman's.
$P run --name squashme -u 0 localhost/cfg \
	'echo new > /added; rm /layer2 /bin/true; mkdir -p /d/e; echo f > /d/e/f; rm -rf /opq; mkdir /opq; echo fresh > /opq/fresh' \
	> /dev/null 2>&1
$P commit -q --squash squashme localhost/squashed > /dev/null
eq "commit --squash makes one layer, one history entry" \
	"$($P image inspect localhost/squashed | jq -c '[(.[0].RootFS.Layers | length), (.[0].History | length)]')" \
	"[1,1]"
eq "  ... a run of it sees the base's and the changes' files, not the removed ones" \
	"$($P run --rm -u 0 localhost/squashed 'cat /added /d/e/f; ls /opq; test -e /layer2 || echo no-layer2; test -e /etc/motd || echo no-motd; test -e /bin/true || echo no-true; test -x /bin/sh && echo sh' 2>&1 | tr '\n' ' ')" \
	"new f fresh no-layer2 no-motd no-true sh "
$P save -o "$T/squashed.tar" localhost/squashed 2> /dev/null
rm -rf "$T/squashed" && mkdir "$T/squashed" && tar -C "$T/squashed" -xf "$T/squashed.tar"
eq "  ... its layer has no whiteout" \
	"$(tar -tf "$T/squashed/$(jq -r '.[0].Layers[0]' "$T/squashed/manifest.json")" | grep -c '\.wh\.')" "0"
if $PM load -i "$T/squashed.tar" > /dev/null 2>&1 &&
	pid=$($PM create localhost/squashed:latest true 2> /dev/null); then
	eq "  ... podman reads it the same way" \
		"$($PM export "$pid" | tar -tf - | grep -E '^(added|layer2|opq/old|opq/new|opq/fresh|etc/motd|bin/sh)$' | sort | tr '\n' ' ')" \
		"added bin/sh opq/fresh "
	$PM rm -f "$pid" > /dev/null 2>&1
else
	not_ok "podman loads the squashed image"
fi
$PM rmi -a -f > /dev/null 2>&1
$P commit -q --squash -f docker squashme localhost/squashed-docker > /dev/null
eq "  ... with --format docker too" \
	"$($P image inspect localhost/squashed-docker | jq -r '.[0].ManifestType + " " + (.[0].RootFS.Layers | length | tostring)')" \
	"application/vnd.docker.distribution.manifest.v2+json 1"
$P rm squashme > /dev/null
$P rmi localhost/squashed localhost/squashed-docker > /dev/null

# --pause: a running container is frozen for the commit and thawed after,
# also when the commit fails.
$P run -d --name pauser -u 0 localhost/plain sh -c \
	'head -c 200000000 /dev/zero > /big; touch /ready; sleep 1000' > /dev/null
for _ in $(seq 100); do
	$P exec pauser sh -c 'test -e /ready' 2> /dev/null && break
	sleep 0.1
done
$P commit -q -p pauser localhost/paused > "$T/out" 2> "$T/err" &
cpid=$!
seen=""
for _ in $(seq 200); do
	st=$($P inspect --format '{{.State.Status}}' pauser 2> /dev/null)
	[ "$st" = paused ] && seen=paused
	kill -0 "$cpid" 2> /dev/null || break
	sleep 0.02
done
wait "$cpid"
eq "commit --pause exits 0" "$?" 0
eq "  ... the container was paused during the commit" "$seen" "paused"
eq "  ... and runs again after" "$($P inspect --format '{{.State.Status}}' pauser)" "running"
check "  ... the image has the container's file" $P run --rm localhost/paused sh -c 'test -e /big'
$P exec pauser sh -c 'd=/deep; for i in $(seq 140); do d=$d/d; done; mkdir -p $d'
expect_fail "commit --pause of a commit that fails (too deep)" 125 "deeper than" \
	$P commit -p pauser localhost/paused2
eq "  ... the container runs again after the failure" \
	"$($P inspect --format '{{.State.Status}}' pauser)" "running"
$P exec pauser sh -c 'rm -rf /deep'
$P stop -t 0 pauser > /dev/null 2>&1
check "commit --pause of a stopped container" $P commit -q --pause=true pauser localhost/paused3
eq "  ... leaves it exited" "$($P inspect --format '{{.State.Status}}' pauser)" "exited"
$P rm -f pauser > /dev/null 2>&1
$P rmi localhost/paused localhost/paused3 > /dev/null 2>&1
expect_fail "commit of a --rootfs container is refused" 125 "not an image" \
	sh -c "$P create --name rootfsctr --rootfs $ROOTFS true > /dev/null && $P commit rootfsctr"
$P rm rootfsctr > /dev/null 2>&1

# --- --pull ---
expect_fail "--pull=never of a missing image" 125 "nothere: image not known" \
	$P run --rm --pull=never nothere true
expect_fail "--pull=missing of a missing short name, no search registries: podman's error" 125 \
	"short-name \"nothere\" did not resolve to an alias and no unqualified-search registries are defined" \
	env PODD_REGISTRIES_CONF="$T/none.json" $P run --rm nothere true
expect_fail "an invalid pull policy" 125 "invalid pull policy" $P run --rm --pull=sometimes cfg true
expect_fail "no command and none in the image" 125 "no command or entrypoint provided" \
	$P run --rm --entrypoint '' localhost/cfg

# --- the vfs driver ---
V="$PODCTL --root $T/vroot --runroot $T/run-vfs --storage-driver vfs"
$V load -i "$T/cfg.tar" > /dev/null
eq "vfs: layers copied with whiteouts and opaque dirs applied" \
	"$($V run --name v -u 0 localhost/cfg 'ls /opq; cat /etc/motd 2>/dev/null; echo x > /x' 2>&1)" "new"
$V run -d --name vrun localhost/cfg 'sleep 30' > /dev/null
vid=$($V inspect vrun --format '{{.Id}}')
eq "vfs: the root is a nodev bind of the upper dir" \
	"$(awk -v m="$T/run-vfs/storage/containers/$vid/merged" '$5 == m { print ($6 ~ /nodev/), $4 }' \
		/proc/self/mountinfo)" "1 $T/vroot/storage/containers/$vid/upper"
$V rm -f vrun > /dev/null 2>&1
eq "vfs: the exit command (with --storage-driver vfs) records the exit" \
	"$($V ps -a --format '{{.Status}}' | cut -c1-10)" "Exited (0)"
eq "vfs: changes persist" "$($V start -a v > /dev/null 2>&1; \
	$V run --rm localhost/cfg 'echo ok' 2>&1)" "ok"
expect_fail "vfs: commit needs the overlay driver" 125 "commit needs the overlay driver" \
	$V commit v
check "vfs: rm" $V rm -f v
eq "vfs: nothing left in the store's containers" "$(ls "$T/vroot/storage/containers" | wc -l)" "0"

# --- 100 run --rm leave nothing behind ---
loop() {
	local i
	for i in $(seq 50); do
		$P run --rm localhost/plain true > /dev/null 2>&1 || echo fail
	done
}
loop > "$T/loop1" &
l1=$!
loop > "$T/loop2" &
l2=$!
BG_PIDS="$BG_PIDS $l1 $l2"
wait $l1 $l2
eq "100 run --rm (2 loops of 50) all succeed" "$(cat "$T/loop1" "$T/loop2" | wc -l)" "0"
eq "  ... no mount left under \$T" "$(our_mounts)" "0"
eq "  ... no upper dir left" "$(ls "$STORE/containers" | wc -l)" "0"
eq "  ... no merged dir left" "$(ls "$T/run/storage/containers" 2>/dev/null | wc -l)" "0"
eq "  ... no conmon left" "$(our_conmons | wc -l)" "0"
eq "  ... no container left" "$($P ps -a -q | wc -l)" "0"

# --- rmi -a without -f: what is in use stays, exit 2, no container touched
if $P rmi --help > /dev/null 2>&1; then
	$P run -d --name user3 localhost/plain sleep 1000 > /dev/null
	$P rmi -a > "$T/out" 2> "$T/err"
	eq "rmi -a with an image in use exits 2" "$?" 2
	check "  ... with podman's message" grep -q "^Error: image used by .*: image is in use by a container" "$T/err"
	eq "  ... the container runs on" "$($P inspect --format '{{.State.Status}}' user3)" running
	eq "  ... its image alone stays" "$($P images --format '{{.Repository}}')" localhost/plain
	$P rm -f -t 0 user3 > /dev/null
fi

finish
