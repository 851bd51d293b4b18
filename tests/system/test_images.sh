#!/bin/bash
# Images: load of the bundled archive, images/inspect/exists/tag/untag/
# rmi/prune, save and import, podman interop both ways, and hostile
# archives refused with nothing left in the store.
. "$(dirname "$0")/lib.sh"

ARCHIVE=${PODD_BUSYBOX_ARCHIVE:-}
if [ -z "$ARCHIVE" ] || [ ! -f "$ARCHIVE" ]; then
	ARCHIVE="$T/busybox-oci.tar"
	"$PODD_SOURCE_DIR/scripts/make-image.sh" "$ARCHIVE" || exit 1
fi
CRAFT="python3 $PODD_SOURCE_DIR/tests/system/craft_archive.py"
STORE="$T/root/storage"
PM="podman --root $T/pm/root --runroot $T/pm/run --storage-driver vfs --cgroup-manager cgroupfs --events-backend none"

store_listing() {
	(cd "$STORE" 2>/dev/null && find blobs/sha256 blobs/tmp layers -mindepth 1 -maxdepth 1 \
		2>/dev/null) | sort
}

# --- load, images -------------------------------------------------------
eq "images of an empty store prints the header only" "$($P images | tr -s ' ')" \
	"REPOSITORY TAG IMAGE ID CREATED SIZE"
out=$($P load -i "$ARCHIVE" 2> "$T/err")
eq "load exits 0" "$?" 0
eq "load names the image as podman does" "$out" "Loaded image: localhost/busybox:latest"
id=$($P images -q --no-trunc)
check "images -q --no-trunc is one sha256 id" grep -Eq '^sha256:[0-9a-f]{64}$' <<< "$id"
id=${id#sha256:}
eq "the id is the config blob's digest" \
	"$(sha256sum "$STORE/blobs/sha256/$id" | cut -d' ' -f1)" "$id"
eq "images -q" "$($P images -q)" "${id:0:12}"
$P images > "$T/images"
eq "images header is podman's" "$(head -1 "$T/images" | tr -s ' ')" \
	"REPOSITORY TAG IMAGE ID CREATED SIZE"
check "images row: repository, tag, short id, size" \
	grep -Eq "^localhost/busybox +latest +${id:0:12} +.+ago +[0-9.]+ [kM]B$" "$T/images"
eq "images --format json: Id" "$($P images --format json | jq -r '.[0].Id')" "$id"
eq "images --format json: Names" "$($P images --format json | jq -r '.[0].Names[0]')" \
	"localhost/busybox:latest"
eq "images --format '{{json .}}' is the JSON array, as in podman" \
	"$($P images --format '{{ json . }}' | jq -r '.[0].Id')" "$id"
eq "images --format json: four spaces a level, as podman's" \
	"$($P images --format json | sed -n 2p)" "    {"
eq "image inspect: five spaces a level, as podman's" \
	"$($P image inspect "$id" | sed -n 2p)" "     {"
eq "images --format 'table ...': podman's heading and columns" \
	"$($P images --format 'table {{.ID}}\t{{.Repository}}' | head -1)" "IMAGE ID      REPOSITORY"
eq "images --format table alone is the default table" \
	"$($P images --format table | head -1)" "$($P images | head -1)"
eq "images --format with Go's blocks and functions" \
	"$($P images --format '{{if eq .Tag "latest"}}{{upper .Repository}}{{else}}other{{end}} {{len .Names}}')" \
	"LOCALHOST/BUSYBOX 1"
eq "images --format template" "$($P images --format '{{.Repository}}:{{.Tag}} {{.ID}}')" \
	"localhost/busybox:latest ${id:0:12}"
eq "image ls is images" "$($P image ls -q)" "${id:0:12}"
eq "images -a shows the same" "$($P images -a -q)" "${id:0:12}"
out=$($P load -q -i "$ARCHIVE")
eq "a second load of the same archive is fine" "$?" 0
eq "and stores the image once" "$($P images -q | wc -l)" 1
layers_before=$(ls "$STORE/layers" | grep -v '^tmp-' | wc -l)
eq "one layer unpacked, once" "$layers_before" 1
$P load < "$ARCHIVE" > /dev/null
eq "load reads stdin without -i" "$?" 0
eq "load reads a pipe" "$(cat "$ARCHIVE" | $P load)" "Loaded image: localhost/busybox:latest"
# What follows the archive's end in a pipe is read too: its writer sees no
# broken pipe (podman reads its input whole).
(cat "$ARCHIVE"; sleep 0.3; head -c 200000 /dev/zero) | $P load > /dev/null 2>&1
eq "load reads a pipe to its end: the writer exits 0, not by SIGPIPE" \
	"${PIPESTATUS[0]} ${PIPESTATUS[1]}" "0 0"
expect_fail "load of a missing file" 125 "nope.tar: No such file" $P load -i "$T/nope.tar"

# Four loads of one archive at once into an empty store: all succeed, one
# image, one layer, no temporary left.
$P rmi -a > /dev/null
pids=""
for i in 1 2 3 4; do
	$P load -i "$ARCHIVE" > "$T/par$i" 2>&1 &
	pids="$pids $!"
	BG_PIDS="$BG_PIDS $!"
done
rcs=""
for p in $pids; do
	wait "$p"
	rcs="$rcs$?"
done
eq "four concurrent loads all succeed" "$rcs" "0000"
eq "and record one image" "$($P images -q | wc -l)" 1
eq "with one layer and no temporary" "$(ls "$STORE/layers" | wc -l) $(ls "$STORE/blobs/tmp" | wc -l)" "1 0"

# gc waits for a load under way, and keeps what it loaded: the load reads
# a fifo nothing is written to yet, so it holds the store's shared lock
# while prune -a asks for the exclusive one. Neither holds the fifo's
# write end (7>&-): the load reads its input to the end.
$P rmi -a > /dev/null
mkfifo "$T/fifo"
exec 7<> "$T/fifo"
$P load < "$T/fifo" > "$T/fifo-load" 2>&1 7>&- &
lpid=$!
BG_PIDS="$BG_PIDS $lpid"
sleep 1
$P image prune -a -f > "$T/prune" 2>&1 7>&- &
ppid=$!
BG_PIDS="$BG_PIDS $ppid"
sleep 1
check "prune -a waits while a load is under way" kill -0 "$ppid"
cat "$ARCHIVE" >&7
exec 7>&-
wait "$lpid"
eq "the load finishes" "$?" 0
wait "$ppid"
eq "then the prune" "$?" 0
eq "and the image loaded meanwhile stays" "$($P images -q)" "${id:0:12}"
eq "with its layer" "$(ls "$STORE/layers" | wc -l)" 1
check "and its config" test -f "$STORE/blobs/sha256/$id"

# The copy lines come as podd-image stores the image, not with the answer
# at the end: the archive goes whole into a fifo that stays open (podd-image
# reads a pipe to its end, as podman does, and answers only then), and
# during that pause the lines are on stderr already, with the load still
# under way and nothing on stdout; then a tar writer's record padding, the
# rest, and the end.
$P rmi -a > /dev/null
mkfifo "$T/fifo-stream"
$P load < "$T/fifo-stream" > "$T/stream.out" 2> "$T/stream.err" &
lpid=$!
BG_PIDS="$BG_PIDS $lpid"
# Opened once the load runs, so that it holds no write end itself.
exec 8> "$T/fifo-stream"
cat "$ARCHIVE" >&8
for _ in $(seq 100); do
	grep -q '^Storing signatures$' "$T/stream.err" && break
	sleep 0.1
done
check "load: the first Copying blob line is on stderr before the input ends" \
	grep -q '^Copying blob sha256:[0-9a-f]\{64\}$' "$T/stream.err"
check "  ... while the load is still under way" kill -0 "$lpid"
eq "  ... and nothing is on stdout yet" "$(cat "$T/stream.out")" ""
head -c 10240 /dev/zero >&8
exec 8>&-
wait "$lpid"
eq "the streamed load finishes" "$?" 0
eq "  ... naming the image" "$(cat "$T/stream.out")" "Loaded image: localhost/busybox:latest"
tar -xOf "$ARCHIVE" index.json > "$T/stream-index.json"
mdigest=$(jq -r '.manifests[0].digest' "$T/stream-index.json")
tar -xOf "$ARCHIVE" "blobs/sha256/${mdigest#sha256:}" > "$T/stream-manifest.json"
eq "  ... with podman's lines, in order: the manifest's layers, then its config" \
	"$(cat "$T/stream.err")" \
	"$(echo "Getting image source signatures"
	   jq -r '.layers[] | "Copying blob " + .digest' "$T/stream-manifest.json"
	   jq -r '"Copying config " + .config.digest' "$T/stream-manifest.json"
	   echo "Writing manifest to image destination"
	   echo "Storing signatures")"

# --- inspect, exists ----------------------------------------------------
$P image inspect busybox > "$T/inspect"
eq "image inspect exits 0" "$?" 0
eq "inspect Id" "$(jq -r '.[0].Id' "$T/inspect")" "$id"
eq "inspect RepoTags" "$(jq -r '.[0].RepoTags[0]' "$T/inspect")" "localhost/busybox:latest"
eq "inspect Config.Cmd" "$(jq -c '.[0].Config.Cmd' "$T/inspect")" '["sh"]'
check "inspect Config.Env has PATH" jq -e '.[0].Config.Env[0] | startswith("PATH=")' "$T/inspect"
eq "inspect Os/Architecture" "$(jq -r '.[0].Os' "$T/inspect")" linux
eq "inspect RootFS.Layers" "$(jq -r '.[0].RootFS.Layers | length' "$T/inspect")" 1
eq "inspect ManifestType" "$(jq -r '.[0].ManifestType' "$T/inspect")" \
	"application/vnd.oci.image.manifest.v1+json"
eq "inspect History comes from the config" \
	"$(jq -c '.[0].History[0] | [.created_by, .comment]' "$T/inspect")" \
	'["podd scripts/make-image.sh","busybox-static from Debian"]'
check "inspect Created is RFC 3339 without trailing zeros" \
	jq -e '.[0].Created | test("^[0-9-]{10}T[0-9:]{8}(\\.[0-9]*[1-9])?Z$")' "$T/inspect"
check "inspect Digest is sha256" jq -e '.[0].Digest | startswith("sha256:")' "$T/inspect"
eq "inspect --format" "$($P image inspect --format '{{.Id}}' "${id:0:12}")" "$id"
eq "image inspect NAME --format (flags after the name)" \
	"$($P image inspect "${id:0:12}" --format '{{.Id}}')" "$id"
expect_fail "inspect of an unknown image" 125 "nope: image not known" $P image inspect nope
$P image inspect nope1 nope2 > "$T/out" 2> "$T/err"
eq "inspect of two unknown images: podman's empty list" "$(cat "$T/out")" "[]"
eq "  ... the second a line, the first the Error" "$(cat "$T/err")" "error inspecting object: nope2: image not known
Error: inspecting object: nope1: image not known"
check "image exists busybox" $P image exists busybox
$P image exists nope
eq "image exists of an unknown image exits 1" "$?" 1

# --- tag, untag, rmi ----------------------------------------------------
$P tag busybox web:1 registry.example:5000/team/web
eq "tag exits 0" "$?" 0
eq "tag adds completed names" "$($P images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')" \
	"localhost/busybox:latest localhost/web:1 registry.example:5000/team/web:latest "
eq "images -q lists the image once" "$($P images -q | wc -l)" 1
$P tag busybox aaa:0
eq "images lists one image's names in the order they were added, as podman" \
	"$($P images --format '{{.Repository}}:{{.Tag}}' | tr '\n' ' ')" \
	"localhost/busybox:latest localhost/web:1 registry.example:5000/team/web:latest localhost/aaa:0 "
$P untag busybox aaa:0
$P untag busybox web:1
eq "untag drops one name" "$($P image inspect --format '{{json .RepoTags}}' busybox)" \
	'["localhost/busybox:latest","registry.example:5000/team/web:latest"]'
eq "rmi of one of two names untags" "$($P rmi registry.example:5000/team/web)" \
	"Untagged: registry.example:5000/team/web:latest"
check "the image is still there" $P image exists busybox
$P tag busybox second
expect_fail "rmi by id of an image with two names needs -f" 125 \
	"by ID with more than one tag ([localhost/busybox:latest localhost/second:latest]): please force removal" \
	$P rmi "${id:0:12}"
$P untag busybox second
expect_fail "rmi of an unknown image exits 1" 1 "nope: image not known" $P rmi nope
# What is no reference at all is podman's 125, before any lookup.
expect_fail "rmi of an invalid reference exits 125" 125 "invalid reference format" $P rmi 'BAD!'
expect_fail "image exists of an invalid reference exits 125" 125 "invalid reference format" \
	$P image exists 'BAD!'
expect_fail "rmi of sha256: and a short id exits 125" 125 \
	"sha256:${id:0:6}: invalid format: no 64-byte hexadecimal value" $P rmi "sha256:${id:0:6}"
expect_fail "rmi of an empty name exits 125" 125 "repository name must have at least one component" \
	$P rmi ''
check "  ... and the image is still there" $P image exists "sha256:$id"
out=$($P rmi busybox)
eq "rmi prints Untagged and Deleted" "$out" "Untagged: localhost/busybox:latest
Deleted: $id"
eq "no image left" "$($P images -q)" ""
eq "rmi's gc left no blob or layer" "$(store_listing)" ""

# --- prune --------------------------------------------------------------
$P load -i "$ARCHIVE" > /dev/null
$P untag busybox
eq "untag without a name leaves a dangling image" \
	"$($P images --format '{{.Repository}} {{.Tag}}')" "<none> <none>"
echo n | $P image prune > "$T/out"
eq "image prune asks first, as podman" "$(head -1 "$T/out")" \
	"WARNING! This command removes all dangling images."
eq "and a no keeps the image" "$($P images -q)" "${id:0:12}"
eq "image prune -f removes it" "$($P image prune -f)" "$id"
eq "and its blobs and layers" "$(store_listing)" ""
$P load -i "$ARCHIVE" > /dev/null
eq "image prune -f keeps named images" "$($P image prune -f)" ""
eq "image prune -a -f removes unused ones" "$($P image prune -a -f)" "$id"
eq "store empty after prune -a" "$(store_listing)" ""

# --- hostile archives -----------------------------------------------------
$P load -i "$ARCHIVE" > /dev/null
before=$(store_listing)
for kind in digest-mismatch truncated member-traversal layer-traversal layer-symlink \
	layer-hardlink diff-id-mismatch docker-layer-traversal second-diff-id-mismatch \
	too-many-layers; do
	$CRAFT "$kind" "$T/$kind.tar"
	case $kind in
	digest-mismatch) msg="digest mismatch" ;;
	truncated) msg="Truncated tar archive" ;;
	member-traversal) msg="path leaves the archive" ;;
	layer-traversal) msg='"../escape": ".." component refused' ;;
	layer-symlink) msg="is a symlink, never followed" ;;
	layer-hardlink) msg='hardlink target: ".." component refused' ;;
	diff-id-mismatch | second-diff-id-mismatch) msg="does not match its content" ;;
	docker-layer-traversal) msg='"../escape": ".." component refused' ;;
	too-many-layers) msg="layers: 129 entries, at most 128" ;;
	esac
	expect_fail "load refuses a $kind archive" 125 "$msg" $P load -i "$T/$kind.tar"
	eq "$kind: the store holds nothing new" "$(store_listing)" "$before"
	eq "$kind: no image recorded" "$($P images -q | wc -l)" 1
done
check "nothing was written through the symlink" test ! -e /tmp/podd-escape
$CRAFT good "$T/good.tar" crafted
eq "the crafting script's control archive loads" "$($P load -i "$T/good.tar")" \
	"Loaded image: localhost/crafted:latest"
# Two images created at the same time: one image's names stay together
# in images, as in podman.
$CRAFT dated "$T/tie1.tar" localhost/tie1:latest
$CRAFT dated "$T/tie2.tar" localhost/tie2:latest
$P load -q -i "$T/tie1.tar" > /dev/null
$P load -q -i "$T/tie2.tar" > /dev/null
$P tag localhost/tie1:latest tie3
eq "images keeps one image's names together when another has the same created time" \
	"$($P images --format '{{.Repository}}' | grep -A1 '^localhost/tie1$' | tail -1)" \
	"localhost/tie3"
$P rmi -f localhost/tie1 localhost/tie3 localhost/tie2 > /dev/null

if [ "$(uname -m)" = x86_64 ]; then
	$CRAFT nested-index "$T/nested.tar" multi
	eq "an index of platforms: the host's manifest is loaded" "$($P load -i "$T/nested.tar")" \
		"Loaded image: localhost/multi:latest"
fi
$CRAFT docker-good "$T/dq.tar" docker.io/library/busybox:1.36
eq "a docker-archive's qualified RepoTag is kept" "$($P load -i "$T/dq.tar")" \
	"Loaded image: docker.io/library/busybox:1.36"
$CRAFT docker-good "$T/du.tar" shorty
eq "an unqualified one becomes localhost/NAME:latest" "$($P load -i "$T/du.tar")" \
	"Loaded image: localhost/shorty:latest"
eq "a short name finds the docker.io image" \
	"$($P image inspect busybox:1.36 | jq -r '.[0].RepoTags[0]')" \
	"docker.io/library/busybox:1.36"

# --- podman interop -------------------------------------------------------
tar -C "$ROOTFS" -cf "$T/rootfs.tar" .
$PM import "$T/rootfs.tar" pmimage > /dev/null 2>&1
eq "podman import works" "$?" 0
pmid=$($PM images -q --no-trunc pmimage | sed 's/^sha256://')
$PM save -o "$T/pm-docker.tar" pmimage 2> "$T/pm-save.err"
$PM save --format oci-archive -o "$T/pm-oci.tar" pmimage 2> "$T/pm-save-oci.err"
eq "podctl loads podman's docker-archive" "$($P load -i "$T/pm-docker.tar" 2> "$T/load.err")" \
	"Loaded image: localhost/pmimage:latest"
eq "with podman's image id" "$($P image inspect --format '{{.Id}}' pmimage)" "$pmid"
# Progress on stderr, without a terminal, as podman prints it: its own load
# of the same archive is the reference (the copy lines for a docker-archive
# name the layers' diff_ids).
$PM rmi pmimage > /dev/null 2>&1
$PM load -i "$T/pm-docker.tar" > /dev/null 2> "$T/pm-load.err"
check "podman's load prints copy lines (the reference is not empty)" \
	grep -q '^Copying config sha256:' "$T/pm-load.err"
eq "load prints podman's copy lines on stderr (docker-archive)" \
	"$(cat "$T/load.err")" "$(cat "$T/pm-load.err")"
$P rmi pmimage > /dev/null
eq "podctl loads podman's oci-archive" "$($P load -i "$T/pm-oci.tar" 2> "$T/load.err")" \
	"Loaded image: localhost/pmimage:latest"
eq "with podman's image id, again" "$($P image inspect --format '{{.Id}}' pmimage)" "$pmid"
$PM rmi pmimage > /dev/null 2>&1
$PM load -i "$T/pm-oci.tar" > /dev/null 2> "$T/pm-load.err"
eq "load prints podman's copy lines on stderr (oci-archive: the manifest's blobs)" \
	"$(cat "$T/load.err")" "$(cat "$T/pm-load.err")"
$P rmi pmimage > /dev/null
eq "load -q keeps the Loaded line" "$($P load -q -i "$T/pm-oci.tar" 2> "$T/load.err")" \
	"Loaded image: localhost/pmimage:latest"
eq "  ... and prints nothing on stderr" "$(cat "$T/load.err")" ""
$P save -o "$T/podd-pm.tar" pmimage 2> "$T/save.err"
eq "save prints podman's copy lines on stderr (docker-archive)" \
	"$(cat "$T/save.err")" "$(cat "$T/pm-save.err")"
$P save --format oci-archive -o "$T/podd-pm.tar" pmimage 2> "$T/save.err"
eq "save prints podman's copy lines on stderr (oci-archive)" \
	"$(cat "$T/save.err")" "$(cat "$T/pm-save-oci.err")"
$P save -q -o "$T/podd-pm.tar" pmimage 2> "$T/save.err"
eq "save -q prints nothing on stderr" "$(cat "$T/save.err")" ""
$P save pmimage 2> "$T/save.err" > "$T/podd-pm.tar"
$PM save pmimage 2> "$T/pm-save.err" > "$T/pm-stdout.tar"
eq "save to stdout prints no copy lines, as podman's" "$(cat "$T/save.err")" \
	"$(cat "$T/pm-save.err")"
# podctl save, both formats: podman loads them, and so does podctl.
$P save -o "$T/podd-docker.tar" busybox
eq "save (docker-archive, podman's default) exits 0" "$?" 0
eq "save's docker-archive has podman's manifest.json" \
	"$(tar -xOf "$T/podd-docker.tar" manifest.json | jq -c '.[0].RepoTags')" \
	'["localhost/busybox:latest"]'
$P save --format oci-archive -o "$T/podd-oci.tar" busybox
eq "save --format oci-archive exits 0" "$?" 0
$PM load -i "$T/podd-docker.tar" > "$T/pmload" 2>&1
eq "podman loads podctl's docker-archive" "$(tail -1 "$T/pmload")" \
	"Loaded image: localhost/busybox:latest"
eq "as the same image id" "$($PM image inspect --format '{{.Id}}' busybox)" "$id"
$PM rmi busybox > /dev/null 2>&1
$PM load -i "$T/podd-oci.tar" > "$T/pmload" 2>&1
eq "podman loads podctl's oci-archive" "$(tail -1 "$T/pmload")" \
	"Loaded image: localhost/busybox:latest"
eq "as the same image id, again" "$($PM image inspect --format '{{.Id}}' busybox)" "$id"
eq "podman sees the image's Cmd" "$($PM image inspect --format '{{json .Config.Cmd}}' busybox)" \
	'["sh"]'
# Two images in one docker-archive (save -m): podman's lines per image, in
# the archive's order, for load and save alike; podman's own are the
# reference.
$PM save -m -o "$T/pm-two.tar" localhost/busybox:latest localhost/pmimage:latest \
	2> "$T/pm-save-two.err"
$PM rmi localhost/busybox:latest localhost/pmimage:latest > /dev/null 2>&1
$PM load -i "$T/pm-two.tar" > /dev/null 2> "$T/pm-load-two.err"
eq "podman's two-image load prints two images' lines (the reference)" \
	"$(grep -c '^Getting image source signatures$' "$T/pm-load-two.err")" 2
$P rmi -a > /dev/null
$P load -i "$T/pm-two.tar" > "$T/two.out" 2> "$T/two.err"
eq "podctl loads both images of podman's two-image archive" "$(cat "$T/two.out")" \
	"Loaded image: localhost/busybox:latest
Loaded image: localhost/pmimage:latest"
eq "  ... printing podman's lines for both, in order" "$(cat "$T/two.err")" \
	"$(cat "$T/pm-load-two.err")"
$P save -m -o "$T/podd-two.tar" localhost/busybox:latest localhost/pmimage:latest \
	2> "$T/save-two.err"
check "podman's two-image save prints lines (the reference)" \
	grep -q '^Copying config' "$T/pm-save-two.err"
eq "save -m prints podman's lines for both images, in order" "$(cat "$T/save-two.err")" \
	"$(cat "$T/pm-save-two.err")"
$P load -q -i "$T/pm-two.tar" > /dev/null 2> "$T/two.err"
eq "load -q of two images prints nothing on stderr" "$(cat "$T/two.err")" ""
# On a terminal podman draws progress bars, which end as "Copying blob
# <12 hex> done" ("skipped: already exists" for a layer its store has) and
# "Copying config <10 hex> done"; podctl prints those final lines. The
# screen podman leaves (its redraws, ESC[1A ESC[J, applied) is the
# reference, for a load into an empty store and one of images it has.
screen_lines() {
	awk '{ sub(/\r$/, ""); if (index($0, "\033[1A\033[J") == 1) { $0 = substr($0, 8); n-- }
	       line[++n] = $0 }
	     END { for (i = 1; i <= n; i++) { sub(/ +$/, "", line[i]); print line[i] } }' "$1"
}
on_tty() { script -qec "stty cols 120 rows 40; $* 2>&1 > /dev/null" /dev/null; }
$PM rmi localhost/busybox:latest localhost/pmimage:latest > /dev/null 2>&1
$P rmi -a > /dev/null
for pass in empty full; do
	on_tty "$PM load -i $T/pm-two.tar" > "$T/pm-tty.raw"
	on_tty "$P load -i $T/pm-two.tar" > "$T/tty.raw"
	check "podman's load on a terminal ends its bars as done lines ($pass store)" \
		grep -q 'Copying config [0-9a-f]\{10\} done' "$T/pm-tty.raw"
	eq "load on a terminal leaves podman's lines on the screen ($pass store)" \
		"$(screen_lines "$T/tty.raw")" "$(screen_lines "$T/pm-tty.raw")"
done
check "  ... a layer the store has is skipped" grep -q 'skipped: already exists' "$T/tty.raw"
$P rmi -a > /dev/null
eq "rmi -a empties the store" "$(store_listing)" ""
eq "podctl loads its own docker-archive" "$($P load -i "$T/podd-docker.tar")" \
	"Loaded image: localhost/busybox:latest"
eq "with the same id" "$($P images -q --no-trunc)" "sha256:$id"
$P rmi busybox > /dev/null
eq "podctl loads its own oci-archive" "$($P load -i "$T/podd-oci.tar")" \
	"Loaded image: localhost/busybox:latest"
eq "with the same id, again" "$($P images -q --no-trunc)" "sha256:$id"
$P save busybox > "$T/stdout.tar"
eq "save writes to stdout without -o" "$(tar -xOf "$T/stdout.tar" manifest.json | jq -r '.[0].Config')" \
	"$id.json"
gzip -c "$T/podd-oci.tar" > "$T/podd-oci.tar.gz"
$P rmi busybox > /dev/null
eq "load reads a gzip-compressed archive" "$($P load -i "$T/podd-oci.tar.gz")" \
	"Loaded image: localhost/busybox:latest"
$P tag busybox other:1
eq "images NAME lists that repository only" "$($P images --format '{{.Repository}}:{{.Tag}}' other)" \
	"localhost/other:1"
$P untag busybox other:1
expect_fail "save of an unknown image" 125 "nope: image not known" $P save -o "$T/x.tar" nope
check "... leaves no output file" test ! -e "$T/x.tar"
check "... nor a temporary one" bash -c "! ls -A '$T' | grep -q '^\.x\.tar\.'"
echo keep > "$T/old.tar"
expect_fail "save of an unknown image over a file" 125 "nope: image not known" \
	$P save -o "$T/old.tar" nope
eq "... leaves the file as it was" "$(cat "$T/old.tar")" "keep"
$P save -o "$T/old.tar" busybox
check "a successful save replaces it" tar -tf "$T/old.tar" manifest.json
expect_fail "save in an unknown format" 125 "unsupported format" \
	$P save --format oci-dir -o "$T/x.tar" busybox

# --- import ---------------------------------------------------------------
gzip -c "$T/rootfs.tar" > "$T/rootfs.tar.gz"
out=$($P import -c 'CMD=["/bin/sh"]' -c "ENV FOO=bar" -c "WORKDIR /tmp" -c "USER root" \
	-c "EXPOSE 8080" -c "LABEL a=b" -m "by podctl" "$T/rootfs.tar.gz" imported)
eq "import exits 0" "$?" 0
check "import prints the new id" grep -Eq '^sha256:[0-9a-f]{64}$' <<< "$out"
eq "import names the image" "$($P image inspect --format '{{.RepoTags}}' imported)" \
	"[localhost/imported:latest]"
eq "import's --change lands in the config" \
	"$($P image inspect --format '{{json .Config}}' imported)" \
	'{"User":"root","ExposedPorts":{"8080/tcp":{}},"Env":["FOO=bar"],"Cmd":["/bin/sh"],"WorkingDir":"/tmp","Labels":{"a":"b"}}'
eq "import's message is the Comment and the history's comment" \
	"$($P image inspect --format '{{.Comment}} {{json .History}}' imported | jq -Rr 'split(" ")[0]')" \
	"by"
eq "import's history comment" \
	"$($P image inspect imported | jq -r '.[0].History[0].comment')" "by podctl"
$P save --format oci-archive -o "$T/imported.tar" imported
$PM load -i "$T/imported.tar" > /dev/null 2>&1
eq "podman loads an imported image with its config" \
	"$($PM image inspect --format '{{json .Config.Env}} {{.Config.WorkingDir}}' imported)" \
	'["FOO=bar"] /tmp'
$P import -c 'ENTRYPOINT ["/bin/echo","hi"]' -c "STOPSIGNAL SIGINT" -c "CMD echo there" \
	"$T/rootfs.tar" entry > /dev/null
eq "import: ENTRYPOINT exec form, CMD shell form, STOPSIGNAL (as its number, as podman)" \
	"$($P image inspect --format '{{json .Config}}' entry)" \
	'{"Entrypoint":["/bin/echo","hi"],"Cmd":["/bin/sh","-c","echo there"],"StopSignal":"2"}'
# podman's copy lines: the blob is the tarball as given (gzip here), the
# config the new image's own (its creation time differs from podman's).
$P import "$T/rootfs.tar.gz" progress 2> "$T/imp.err" > "$T/imp.out"
$PM import "$T/rootfs.tar.gz" 2> "$T/pm-imp.err" > /dev/null
check "podman's import prints a blob line (the reference is not empty)" \
	grep -q '^Copying blob sha256:' "$T/pm-imp.err"
eq "import prints podman's copy lines on stderr" "$(grep -v '^Copying config' "$T/imp.err")" \
	"$(grep -v '^Copying config' "$T/pm-imp.err")"
eq "  ... the config line names the new image" "$(grep '^Copying config' "$T/imp.err")" \
	"Copying config $(cat "$T/imp.out")"
$P import -q "$T/rootfs.tar" progress2 2> "$T/imp.err" > /dev/null
eq "import -q prints nothing on stderr" "$(cat "$T/imp.err")" ""
$P rmi progress progress2 > /dev/null 2>&1
$P import - < "$T/rootfs.tar" > "$T/out"
eq "import reads stdin, and leaves an unnamed image" \
	"$($P images --format '{{.Repository}}:{{.Tag}}' | grep -c '<none>:<none>')" 1
before=$(store_listing)
expect_fail "import refuses an unknown --change, podman's message" 125 \
	'invalid change "FOO /x" - invalid instruction FOO' $P import -c "FOO /x" "$T/rootfs.tar"
expect_fail "import refuses what is not a tarball" 125 "Unrecognized archive format" \
	$P import "$PODD_SOURCE_DIR/README.md"
nimg=$($P images -q | wc -l)
expect_fail "import refuses an invalid reference, podman's message" 125 \
	'normalizing name "Bad:Name:x": invalid reference format' \
	$P import "$T/rootfs.tar" 'Bad:Name:x'
eq "  ... before importing: no image" "$($P images -q | wc -l)" "$nimg"
eq "failed imports leave nothing in the store" "$(store_listing)" "$before"

# A decompression bomb as a tarball (2 GiB of zeros in about 64 KiB of
# zstd): refused once it inflates past 1 GiB at over 1000 to 1, before the
# disk fills, and nothing stays in the store.
python3 -c 'import sys, tarfile
t = tarfile.TarInfo("zeros"); t.size = 2 << 30
out = sys.stdout.buffer; out.write(t.tobuf(format=tarfile.GNU_FORMAT))
block = bytes(1 << 20)
for _ in range(2048): out.write(block)
out.write(bytes(1024))' | zstd -q -3 -o "$T/bomb.tar.zst"
before=$(store_listing)
expect_fail "import of a zstd bomb is refused" 125 "decompression bomb:" \
	$P import "$T/bomb.tar.zst" bomb
eq "  ... and leaves nothing in the store" "$(store_listing)" "$before"
# The same tar as an archive for load (a member podd would keep as a blob).
mv "$T/bomb.tar.zst" "$T/bomb-archive.tar.zst"
expect_fail "load of a zstd-compressed archive that is a bomb is refused" 125 \
	"decompression bomb:" $P load -i "$T/bomb-archive.tar.zst"
eq "  ... and leaves nothing in the store" "$(store_listing)" "$before"
rm -f "$T/bomb-archive.tar.zst"

# Sparse files (GNU tar --sparse, pax 1.0): holes stay holes, and a file
# that is all hole keeps its size. The setgid bit of a file whose group
# is not podd-image's stays (CAP_FSETID).
mkdir -p "$T/sparse/var/mail"
truncate -s 64M "$T/sparse/hole"
truncate -s 64M "$T/sparse/tail" && printf x >> "$T/sparse/tail"
chgrp 8 "$T/sparse/var/mail" && chmod 2775 "$T/sparse/var/mail"
printf 'y' > "$T/sparse/sgid" && chgrp 42 "$T/sparse/sgid" && chmod 2755 "$T/sparse/sgid"
tar --sparse --format=posix -C "$T/sparse" -cf "$T/sparse.tar" hole tail var sgid
$P import -q "$T/sparse.tar" sparse > /dev/null
layer=$(ls -d "$STORE"/layers/*/diff | while read -r d; do [ -e "$d/hole" ] && echo "$d"; done)
eq "import of sparse files: sizes kept, the all-hole file too" \
	"$(stat -c '%n %s' "$layer/hole" "$layer/tail" | sed "s|$layer/||")" "hole 67108864
tail 67108865"
check "  ... holes stay holes (under 1 MiB on disk for 128 MiB)" \
	test "$(du -k -c "$layer/hole" "$layer/tail" | tail -1 | cut -f1)" -lt 1024
eq "  ... the content is the same" "$(cmp "$layer/tail" "$T/sparse/tail" && echo same)" same
eq "setgid bits of another group's files stay" \
	"$(stat -c '%a %g' "$layer/var/mail" "$layer/sgid" | tr '\n' ' ')" "2775 8 2755 42 "
$P rmi sparse > /dev/null

# podman's multi-image docker-archive (save -m): both images, both names.
$PM tag pmimage pmother:2 > /dev/null
$PM save -m -o "$T/pm-multi.tar" pmimage pmother:2 2> /dev/null
$P rmi -a > /dev/null
$P load -i "$T/pm-multi.tar" > "$T/out"
eq "podctl loads podman's multi-image archive" "$(sort "$T/out" | tr '\n' ' ')" \
	"Loaded image: localhost/pmimage:latest Loaded image: localhost/pmother:2 "
eq "as one image with two names" "$($P images -q | wc -l) $($P images | tail -n +2 | wc -l)" "1 2"

check "the unpacked layer has busybox" test -x "$STORE/layers/$(ls "$STORE/layers" |
	while read -r l; do [ -e "$STORE/layers/$l/diff/bin/busybox" ] && echo "$l"; done |
	head -1)/diff/bin/busybox"

finish
