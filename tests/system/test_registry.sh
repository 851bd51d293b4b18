#!/bin/bash
# pull, push (with mounts from another repository), login and logout
# against real docker-registry instances on 127.0.0.1 (plain HTTP,
# htpasswd Basic auth, a self-signed TLS certificate), a bearer-token front written here in python3, a tampered
# blob, short-name resolution through registries.json, and podd-image's
# peak memory during a pull of a large layer against a small one.
. "$(dirname "$0")/lib.sh"

export PODD_REGISTRIES_CONF="$T/registries.json" REGISTRY_AUTH_FILE="$T/auth.json"
FIXTURE="$PODD_SOURCE_DIR/tests/system/make_oci_image.sh"

. "$PODD_SOURCE_DIR/tests/system/registry_lib.sh"

blobs() { ls "$1/storage/blobs/sha256" 2>/dev/null | sort; } # blobs ROOT

"$FIXTURE" "$T/oci" > "$T/fixture-id" || exit 1
ID=$(cat "$T/fixture-id")

# --- a plain HTTP registry ---------------------------------------------
start_registry reg || exit 1
R=127.0.0.1:$PORT_reg
skopeo copy -q --dest-tls-verify=false "oci:$T/oci:latest" "docker://$R/podd/seed:latest" ||
	exit 1

$P pull --tls-verify=false "$R/podd/seed:latest" > "$T/out" 2> "$T/err"
eq "pull prints the image id on stdout" "$(cat "$T/out")" "$ID"
eq "pull prints podman's steps on stderr" "$(sed 's/sha256:[0-9a-f]*/sha256:X/' "$T/err")" \
	"Trying to pull $R/podd/seed:latest...
Getting image source signatures
Copying blob sha256:X
Copying config sha256:X
Writing manifest to image destination
Storing signatures"
$P pull -q --tls-verify=false "$R/podd/seed:latest" > "$T/out" 2> "$T/err"
eq "pull -q prints only the id" "$(cat "$T/out")/$(cat "$T/err")" "$ID/"

# A tag that moved at the registry moves here too: the old image keeps no
# name, as podman's does.
"$FIXTURE" "$T/oci-other" 1000 > "$T/other-id" || exit 1
skopeo copy -q --dest-tls-verify=false "oci:$T/oci:latest" "docker://$R/podd/moving:latest" || exit 1
PMV="$PODCTL --root $T/rootmv --runroot $T/runmv"
$PMV pull -q --tls-verify=false "$R/podd/moving:latest" > /dev/null
skopeo copy -q --dest-tls-verify=false "oci:$T/oci-other:latest" "docker://$R/podd/moving:latest" || exit 1
eq "a moved tag pulls the new image" "$($PMV pull -q --tls-verify=false "$R/podd/moving:latest")" \
	"$(cat "$T/other-id")"
eq "... and the old one keeps no name" \
	"$($PMV images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | sort | tr '\n' ' ')" \
	"$R/podd/moving:latest $(cut -c1-12 "$T/other-id") <none>:<none> ${ID:0:12} "

# push, as stored: the manifest keeps its digest
SEED_DIGEST=$(skopeo inspect --tls-verify=false "docker://$R/podd/seed:latest" | jq -r .Digest)
$P push --tls-verify=false "$R/podd/seed:latest" "$R/podd/busybox:latest" > "$T/out" 2> "$T/err"
eq "push exits 0" "$?" 0
grep -q "^Copying blob sha256:.* skipped: already exists" "$T/err" ||
	grep -q "^Copying blob sha256:" "$T/err"
eq "push prints its steps" "$?" 0
eq "the pushed manifest is the stored one, byte for byte" \
	"$(skopeo inspect --tls-verify=false "docker://$R/podd/busybox:latest" | jq -r .Digest)" \
	"$SEED_DIGEST"
$P push --tls-verify=false "$R/podd/seed:latest" "$R/podd/busybox:v2" 2> "$T/err" > /dev/null
eq "a second push finds the blobs there" "$(grep -c 'skipped: already exists' "$T/err")" 2

# Mounts (the OCI distribution spec's "Mounting a blob from another
# repository"): the record names the image in podd/seed of this registry,
# so a push to another repository there mounts each blob it lacks from
# podd/seed (POST ?from=&mount=, 201) instead of uploading it, as podman
# does with what its blob info cache knows; podd prints the line of a blob
# that is there.
MLAYER=$(jq -r '.layers[0].digest' "$T/oci/blobs/sha256/$(jq -r '.manifests[0].digest' "$T/oci/index.json" | cut -d: -f2)")
$P push --tls-verify=false "$R/podd/seed:latest" "$R/podd/mounted:latest" > /dev/null 2> "$T/err"
eq "push to another repository of the same registry" "$?" 0
check "... the layer is mounted: skipped" \
	grep -qx "Copying blob $MLAYER skipped: already exists" "$T/err"
check "... the config too" grep -qx "Copying config sha256:$ID skipped: already exists" "$T/err"
$P --log-level debug push --tls-verify=false "$R/podd/seed:latest" "$R/podd/mounted2:latest" \
	> /dev/null 2> "$T/err"
check "... with POST ?from=podd%2Fseed&mount=, answered 201" grep -qF \
	"debug: POST http://$R/v2/podd/mounted2/blobs/uploads/?from=podd%2Fseed&mount=sha256%3A${MLAYER#sha256:}: 201," \
	"$T/err"
eq "... and nothing else is sent to the upload endpoint" \
	"$(grep -oE 'debug: [A-Z]+ [^ ]*/blobs/uploads/' "$T/err" | awk '{print $2}' | tr '\n' ' ')" \
	"POST POST "
P13="$PODCTL --root $T/root13 --runroot $T/run13"
eq "... and a fresh store pulls the same image from there" \
	"$($P13 pull -q --tls-verify=false "$R/podd/mounted:latest")" "$ID"

# A mount the registry does not make (podd/ghost does not hold the blobs:
# docker-registry answers 202, an upload session) is an upload, in that
# session: one PATCH with the blob and the PUT, no second POST.
P14="$PODCTL --root $T/root14 --runroot $T/run14"
$P14 pull -q --tls-verify=false "$R/podd/seed:latest" > /dev/null &&
	$P14 tag "$R/podd/seed:latest" "$R/podd/ghost:1" &&
	$P14 untag "$R/podd/seed:latest" "$R/podd/seed:latest" || not_ok "P14: an image named only podd/ghost"
$P14 --log-level debug push --tls-verify=false "$R/podd/ghost:1" "$R/podd/fallback:latest" \
	> /dev/null 2> "$T/err"
eq "a refused mount falls back to an upload" "$?" 0
eq "... the mount from podd/ghost was tried and answered 202" \
	"$(grep -c "debug: POST http://$R/v2/podd/fallback/blobs/uploads/?from=podd%2Fghost&mount=sha256%3A[0-9a-f]*: 202," "$T/err")" \
	2
eq "... and the upload goes on in the session it opened: PATCH, PUT" \
	"$(grep -oE 'debug: [A-Z]+ [^ ]*/blobs/uploads/' "$T/err" | awk '{print $2}' | tr '\n' ' ')" \
	"POST PATCH PUT POST PATCH PUT "
P15="$PODCTL --root $T/root15 --runroot $T/run15"
eq "... and a fresh store pulls the same image from there" \
	"$($P15 pull -q --tls-verify=false "$R/podd/fallback:latest")" "$ID"
# Two sources, the first without the blobs: its session is cancelled
# (DELETE) and the second mounts.
$P14 tag "$R/podd/ghost:1" "$R/podd/seed:latest" || not_ok "P14: tag podd/seed"
$P14 --log-level debug push --tls-verify=false "$R/podd/ghost:1" "$R/podd/second:latest" \
	> /dev/null 2> "$T/err"
eq "with two sources, a 202 is cancelled and the next one mounts" \
	"$?/$(grep -oE 'debug: [A-Z]+ [^ ]*/blobs/uploads/[^ ]*: [0-9]+' "$T/err" | awk '{print $2, $NF}' | tr '\n' ' ')" \
	"0/POST 202 DELETE 204 POST 201 POST 202 DELETE 204 POST 201 "
eq "... from podd/ghost, then podd/seed" \
	"$(grep -oE 'debug: POST [^ ]*from=podd%2F[a-z]*' "$T/err" | sed 's/.*%2F//' | tr '\n' ' ')" \
	"ghost seed ghost seed "

# a fresh store pulls back what was pushed
P2="$PODCTL --root $T/root2 --runroot $T/run2"
eq "pull of the pushed image gives the same id" \
	"$($P2 pull -q --tls-verify=false "$R/podd/busybox:latest")" "$ID"
eq "pull by digest" "$($P2 pull -q --tls-verify=false "$R/podd/busybox@$SEED_DIGEST")" "$ID"
# By digest into an empty store: no byte reaches podd-image before it is
# checked against the digest the user gave, so nothing is streamed.
PD="$PODCTL --root $T/rootd --runroot $T/rund"
eq "pull by digest into an empty store" \
	"$($PD --log-level debug pull -q --tls-verify=false "$R/podd/busybox@$SEED_DIGEST" 2> "$T/debug-digest")" "$ID"
if grep -q "unpacked as it streamed in" "$T/debug-digest"; then
	not_ok "... streams no layer to podd-image"
else
	ok "... streams no layer to podd-image"
fi
eq "the manifest, config and layer are in the store" "$(blobs "$T/root" | wc -l)" 3

eq "pull from localhost:PORT (names resolved in the sandbox)" \
	"$($P2 pull -q --tls-verify=false "localhost:$PORT_reg/podd/busybox:latest")" "$ID"

# An image index (two platforms): linux/amd64 is chosen, --arch another.
MAN=$(jq -r '.manifests[0].digest' "$T/oci/index.json")
MAN_SIZE=$(jq -r '.manifests[0].size' "$T/oci/index.json")
cp -r "$T/oci" "$T/oci-multi"
# arm64's manifest: the same blobs with an annotation, so another digest
jq -c '. + {annotations: {"podd.test": "arm64"}}' "$T/oci/blobs/sha256/${MAN#sha256:}" > "$T/arm.json"
ARM=sha256:$(sha256sum < "$T/arm.json" | cut -d' ' -f1)
cp "$T/arm.json" "$T/oci-multi/blobs/sha256/${ARM#sha256:}"
cat > "$T/index.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$ARM","size":$(stat -c %s "$T/arm.json"),"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$MAN","size":$MAN_SIZE,"platform":{"architecture":"amd64","os":"linux"}}]}
EOF
IDX=sha256:$(sha256sum < "$T/index.json" | cut -d' ' -f1)
cp "$T/index.json" "$T/oci-multi/blobs/sha256/${IDX#sha256:}"
echo "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"$IDX\",\"size\":$(stat -c %s "$T/index.json"),\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}" > "$T/oci-multi/index.json"
skopeo copy -q --all --preserve-digests --dest-tls-verify=false "oci:$T/oci-multi:latest" \
	"docker://$R/podd/multi:latest" || exit 1
PI="$PODCTL --root $T/rooti --runroot $T/runi"
eq "pull of an index picks linux/amd64" "$($PI pull -q --tls-verify=false "$R/podd/multi:latest")" "$ID"
$PI image inspect "$R/podd/multi:latest" > "$T/inspect-multi"
eq "... and the record keeps the index's digest and the manifest's" \
	"$(jq -r '.[0].RepoDigests | sort | join(" ")' "$T/inspect-multi")" \
	"$(printf '%s\n' "$R/podd/multi@$IDX" "$R/podd/multi@$MAN" | sort | tr '\n' ' ' | sed 's/ $//')"
$PI pull --tls-verify=false --arch arm64 "$R/podd/multi:latest" > /dev/null 2> "$T/err"
eq "--arch arm64 picks the other manifest" "$(ls "$T/rooti/storage/blobs/sha256" | grep -c "${ARM#sha256:}")" 1
expect_fail "a platform the index lacks" 125 "choosing an image from manifest list" \
	$PI pull --tls-verify=false --arch s390x "$R/podd/multi:latest"

before=$(blobs "$T/root")
expect_fail "pull of a missing tag: podman's error" 125 \
	"initializing source docker://$R/podd/busybox:nope: reading manifest nope in $R/podd/busybox: manifest unknown: manifest unknown" \
	$P pull --tls-verify=false "$R/podd/busybox:nope"
eq "a failed pull stores nothing" "$(blobs "$T/root")" "$before"
expect_fail "a plain-HTTP registry with TLS verification on" 125 \
	"pinging container registry $R: Get \"https://$R/v2/\"" $P pull "$R/podd/busybox:latest"
expect_fail "push of an unknown image" 125 "" \
	$P push --tls-verify=false "$R/podd/nothing:latest"

# --- the bundled busybox image: load, push, rmi, pull back ---------------
ARCHIVE=${PODD_BUSYBOX_ARCHIVE:-}
if [ -z "$ARCHIVE" ] || [ ! -f "$ARCHIVE" ]; then
	ARCHIVE="$T/busybox-oci.tar"
	"$PODD_SOURCE_DIR/scripts/make-image.sh" "$ARCHIVE" || exit 1
fi
P7="$PODCTL --root $T/root7 --runroot $T/run7"
$P7 load -q -i "$ARCHIVE" > /dev/null || exit 1
BB=$($P7 images -q --no-trunc | head -1)
BB=${BB#sha256:}
$P7 --log-level debug push --tls-verify=false "$BB" "$R/podd/busybox:latest" > /dev/null \
	2> "$T/err"
eq "push of the loaded busybox image" "$?" 0
# Nothing to mount from (its names are on no registry): uploads as
# podman's, POST, one PATCH with the blob, PUT with its digest.
grep -oE 'debug: [A-Z]+ [^ ]*/blobs/uploads/' "$T/err" | awk '{print $2}' | tr '\n' ' ' > "$T/seq"
check "a blob upload is POST, PATCH, PUT (each blob's)" grep -qxE '(POST PATCH PUT ){2,}' "$T/seq"
$P7 rmi "$BB" > /dev/null
eq "rmi leaves no image" "$($P7 images -q | wc -l)" 0
eq "pull it back: the same id" \
	"$($P7 --log-level debug pull -q --tls-verify=false "$R/podd/busybox:latest" 2> "$T/debug")" "$BB"
# Its one layer reached podd-image through the pull's pipe and was unpacked
# as it downloaded (UnpackStreamRequest), not again from the blob.
check "... its layer unpacked as it streamed in" \
	grep -q "podd-image\[[0-9]*\]: debug: layer sha256:[0-9a-f]\{12\} unpacked as it streamed in" "$T/debug"
eq "... and no temporary layer is left" "$(ls "$T/root7/storage/layers" | grep -c '^tmp-')" 0
eq "images shows it fully qualified" "$($P7 images --format '{{.Repository}}:{{.Tag}}')" \
	"$R/podd/busybox:latest"
$P7 image inspect "$R/podd/busybox:latest" > "$T/inspect"
eq "image inspect: Id" "$(jq -r '.[0].Id' "$T/inspect")" "$BB"
eq "image inspect: RepoDigests" "$(jq -r '.[0].RepoDigests[0]' "$T/inspect")" \
	"$R/podd/busybox@$(skopeo inspect --tls-verify=false "docker://$R/podd/busybox:latest" | jq -r .Digest)"
eq "its layers are unpacked in the store" \
	"$(ls "$T/root7/storage/layers" | grep -c '^[0-9a-f]\{64\}$')" \
	"$(jq -r '.[0].RootFS.Layers | length' "$T/inspect")"
check "busybox is in its top layer" test -x "$T/root7/storage/layers/$(ls "$T/root7/storage/layers" | grep -E '^[0-9a-f]{64}$' | head -1)/diff/bin/busybox"
env -u REGISTRY_AUTH_FILE podman --root "$T/pm" --runroot "$T/pmr" --storage-driver vfs pull -q --tls-verify=false \
	"$R/podd/busybox:latest" > "$T/out" 2>&1
eq "podman pulls what podctl pushed: the same id" "$(cat "$T/out")" "$BB"

# Two layers, the top one the larger (3 MB that do not compress): the
# streamed layer is the second, taken by the image in its place while
# the first is unpacked from its blob.
$P7 run --name twolayer --network none "$R/podd/busybox:latest" \
	sh -c 'head -c 3000000 /dev/urandom > /big && sha256sum /big > /big.sum' > /dev/null
TWO=$($P7 commit -q twolayer "$R/podd/two:latest")
$P7 rm twolayer > /dev/null
$P7 push -q --tls-verify=false "$R/podd/two:latest" || not_ok "push the two-layer image"
P21="$PODCTL --root $T/root21 --runroot $T/run21"
eq "a two-layer image pulls" \
	"$($P21 --log-level debug pull -q --tls-verify=false "$R/podd/two:latest" 2> "$T/debug-two")" \
	"$TWO"
check "... its larger, second layer unpacked as it streamed in" \
	grep -q "unpacked as it streamed in (3[0-9]\{6\} bytes)" "$T/debug-two"
eq "... both layers in place, no temporary left" \
	"$(ls "$T/root21/storage/layers" | grep -c '^[0-9a-f]\{64\}$')/$(ls "$T/root21/storage/layers" | grep -c '^tmp-')" \
	"2/0"
eq "... and its file is whole in a container" \
	"$($P21 run --rm --network none "$R/podd/two:latest" sh -c 'sha256sum -c /big.sum')" "/big: OK"

# run and create pull what they lack (--pull=missing, the default), or
# every time (--pull=always); -q silences the pull's lines.
P20="$PODCTL --root $T/root20 --runroot $T/run20"
out=$($P20 run --rm --tls-verify=false "$R/podd/busybox:latest" echo pulled-and-ran 2> "$T/err")
eq "run pulls a missing image, then runs it" "$out" "pulled-and-ran"
check "... printing the pull's steps" grep -q "^Trying to pull $R/podd/busybox:latest" "$T/err"
eq "... and stores it" "$($P20 images -q --no-trunc)" "sha256:$BB"
out=$($P20 run --rm -q --pull=always --tls-verify=false "$R/podd/busybox:latest" echo again 2> "$T/err")
eq "--pull=always pulls again; -q prints nothing of it" "$out/$(cat "$T/err")" "again/"
before=$(ls "$T/root20/storage/blobs/sha256" | sort)
expect_fail "--pull=never of a missing image" 125 "$R/podd/busybox:v9: image not known" \
	$P20 create --pull=never --tls-verify=false "$R/podd/busybox:v9"
expect_fail "create of a tag the registry lacks: the pull's error" 125 "manifest unknown" \
	$P20 create --tls-verify=false "$R/podd/busybox:v9"
eq "... and nothing is stored, no container made" \
	"$(ls "$T/root20/storage/blobs/sha256" | sort)/$($P20 ps -a -q | wc -l)" "$before/0"
expect_fail "a short name with no search registries: podman's error" 125 \
	"short-name \"nosuchimage\" did not resolve to an alias and no unqualified-search registries are defined" \
	env PODD_REGISTRIES_CONF=$T/none.json $P20 run --rm nosuchimage true
eq "a local short name needs no registry" \
	"$(env PODD_REGISTRIES_CONF=$T/none.json $P20 run --rm busybox echo local)" "local"

# An image loaded from a docker-archive (podman save) has an uncompressed
# layer: it is pushed as stored, with its media types, and podman pulls it.
PM7="env -u REGISTRY_AUTH_FILE podman --root $T/pm7 --runroot $T/pm7r --storage-driver vfs"
$PM7 load -q -i "$ARCHIVE" > /dev/null 2>&1 &&
	$PM7 save -q --format docker-archive -o "$T/docker.tar" "$BB" > /dev/null 2>&1
P8="$PODCTL --root $T/root8 --runroot $T/run8"
$P8 load -q -i "$T/docker.tar" > /dev/null 2>&1
$P8 push --tls-verify=false "$BB" "$R/podd/from-docker:latest" > /dev/null 2>&1
eq "push of a docker-archive image" "$?" 0
eq "... with its manifest's media types" \
	"$(skopeo inspect --raw --tls-verify=false "docker://$R/podd/from-docker:latest" | jq -r '.mediaType, .layers[0].mediaType' | tr '\n' ' ')" \
	"application/vnd.docker.distribution.manifest.v2+json application/vnd.docker.image.rootfs.diff.tar "
eq "... which podman pulls" \
	"$($PM7 pull -q --tls-verify=false "$R/podd/from-docker:latest" 2>&1)" "$BB"

# On a terminal, a progress line per blob; piped (above), none.
P9="$PODCTL --root $T/root9 --runroot $T/run9"
script -qec "$P9 pull --tls-verify=false $R/podd/busybox:latest" /dev/null > "$T/tty" 2>&1
check "on a terminal, pull draws a progress bar" grep -q 'Copying blob [0-9a-f]\{12\} \[=*-*\] ' "$T/tty"

# --- registries.json: insecure registries and short names ----------------
expect_fail "a short name without search registries: podman's error" 125 \
	"short-name \"podd/busybox\" did not resolve to an alias and no unqualified-search registries are defined in \"$T/registries.json\"" \
	$P pull podd/busybox
DEAD=$(free_port)
cat > "$T/registries.json" <<EOF
{"unqualified-search-registries": ["127.0.0.1:$DEAD", "$R"],
 "registries": [{"location": "$R", "insecure": true}, {"location": "127.0.0.1:$DEAD", "insecure": true}]}
EOF
eq "an insecure registry needs no --tls-verify=false" \
	"$($P pull -q "$R/podd/busybox:latest")" "$BB"
$P pull podd/busybox > "$T/out" 2> "$T/err"
eq "a short name is tried at each search registry in order" \
	"$(grep '^Trying' "$T/err" | tr '\n' '|')" \
	"Trying to pull 127.0.0.1:$DEAD/podd/busybox:latest...|Trying to pull $R/podd/busybox:latest...|"
eq "... and pulled from the one that has it" "$(cat "$T/out")" "$BB"
expect_fail "a short name found nowhere lists each registry's error" 125 \
	"2 errors occurred while pulling" $P pull podd/nothing
echo '{"unqualified-search-registries": "nope"}' > "$T/registries.json"
expect_fail "a malformed registries.json is an error" 125 "unqualified-search-registries" \
	$P pull podd/busybox
rm -f "$T/registries.json"

# --- a tampered blob -----------------------------------------------------
start_registry bad || exit 1
B=127.0.0.1:$PORT_bad
skopeo copy -q --dest-tls-verify=false "oci:$T/oci:latest" "docker://$B/podd/bad:latest" || exit 1
LAYER=$(jq -r '.layers[0].digest' "$T/oci/blobs/sha256/$(jq -r '.manifests[0].digest' "$T/oci/index.json" | cut -d: -f2)" | cut -d: -f2)
data="$T/bad/docker/registry/v2/blobs/sha256/${LAYER:0:2}/$LAYER/data"
size=$(stat -c %s "$data")
head -c "$size" /dev/urandom > "$data"
P3="$PODCTL --root $T/root3 --runroot $T/run3"
expect_fail "a layer whose bytes do not match its digest is refused" 125 "digest mismatch" \
	$P3 pull --tls-verify=false "$B/podd/bad:latest"
eq "... and nothing of it stays in the store" "$(blobs "$T/root3" | wc -l)" 0
eq "... nor of what podd-image unpacked as it streamed in" \
	"$(ls "$T/root3/storage/layers" 2> /dev/null | wc -l)" 0

# A config whose diff_id does not match its layer's uncompressed bytes:
# every blob downloads and checks out, the layer store refuses the image,
# and the pull leaves nothing behind.
cp -r "$T/oci" "$T/oci-diffid"
MAN=$(jq -r '.manifests[0].digest' "$T/oci/index.json")
CFG=$(jq -r '.config.digest' "$T/oci/blobs/sha256/${MAN#sha256:}")
jq -c '.rootfs.diff_ids = ["sha256:'"$(printf '%064d' 0)"'"]' "$T/oci/blobs/sha256/${CFG#sha256:}" > "$T/cfg.json"
NCFG=sha256:$(sha256sum < "$T/cfg.json" | cut -d' ' -f1)
cp "$T/cfg.json" "$T/oci-diffid/blobs/sha256/${NCFG#sha256:}"
jq -c --arg d "$NCFG" --argjson s "$(stat -c %s "$T/cfg.json")" '.config.digest = $d | .config.size = $s' \
	"$T/oci/blobs/sha256/${MAN#sha256:}" > "$T/man.json"
NMAN=sha256:$(sha256sum < "$T/man.json" | cut -d' ' -f1)
cp "$T/man.json" "$T/oci-diffid/blobs/sha256/${NMAN#sha256:}"
jq -c --arg d "$NMAN" --argjson s "$(stat -c %s "$T/man.json")" \
	'.manifests[0].digest = $d | .manifests[0].size = $s' "$T/oci/index.json" > "$T/oci-diffid/index.json"
skopeo copy -q --dest-tls-verify=false "oci:$T/oci-diffid:latest" "docker://$B/podd/diffid:latest" ||
	exit 1
P10="$PODCTL --root $T/root10 --runroot $T/run10"
expect_fail "a layer that is not its config's diff_id is refused" 125 "diff" \
	$P10 pull --tls-verify=false "$B/podd/diffid:latest"
eq "... and nothing of it stays in the store" \
	"$( (ls "$T/root10/storage/blobs/sha256"; ls "$T/root10/storage/layers") 2> /dev/null | wc -l)" 0
eq "... and no image is recorded" "$($P10 images -q | wc -l)" 0

# A layer that checks out (its diff_id is its uncompressed bytes) but does
# not unpack (not a tar), on top of the fixture's good layer: the registry
# process stores every blob, podd-image refuses the image, and the pull's
# blobs and layers go again, while those of an image already stored (the
# same base layer blob) stay.
python3 - "$T/oci" "$T/oci-unpack" <<'PY' || exit 1
import gzip, hashlib, json, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
shutil.copytree(src, dst)
blobs = os.path.join(dst, "blobs", "sha256")
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, d), "wb").write(data)
    return "sha256:" + d, len(data)
def get(digest):
    return open(os.path.join(blobs, digest.split(":")[1]), "rb").read()
index = json.loads(open(os.path.join(src, "index.json")).read())
man = json.loads(get(index["manifests"][0]["digest"]))
cfg = json.loads(get(man["config"]["digest"]))
raw = b"not a tar archive, but its diff_id is right" * 64
layer, size = put(gzip.compress(raw, mtime=0))
cfg["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(raw).hexdigest())
cfg["history"].append({"created_by": "a layer that does not unpack"})
man["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                      "digest": layer, "size": size})
man["config"]["digest"], man["config"]["size"] = put(json.dumps(cfg).encode())
index["manifests"][0]["digest"], index["manifests"][0]["size"] = put(json.dumps(man).encode())
open(os.path.join(dst, "index.json"), "w").write(json.dumps(index))
PY
skopeo copy -q --dest-tls-verify=false "oci:$T/oci-unpack:latest" "docker://$R/podd/unpack:latest" ||
	exit 1
P11="$PODCTL --root $T/root11 --runroot $T/run11"
$P11 pull -q --tls-verify=false "$R/podd/seed:latest" > /dev/null || not_ok "pull the seed image"
before=$( (blobs "$T/root11"; ls "$T/root11/storage/layers") 2> /dev/null)
[ "$(blobs "$T/root11" | wc -l)" -eq 3 ] || not_ok "the seed image's 3 blobs are stored"
expect_fail "a layer that does not unpack is refused" 125 "layer" \
	$P11 pull --tls-verify=false "$R/podd/unpack:latest"
eq "... and the pull's blobs and layers are gone, the stored image's stay" \
	"$( (blobs "$T/root11"; ls "$T/root11/storage/layers") 2> /dev/null)" "$before"
eq "... and only the first image is recorded" "$($P11 images -q --no-trunc)" "sha256:$ID"
P12="$PODCTL --root $T/root12 --runroot $T/run12"
expect_fail "... into an empty store too" 125 "layer" \
	$P12 pull --tls-verify=false "$R/podd/unpack:latest"
eq "... which stays empty" \
	"$( (ls "$T/root12/storage/blobs/sha256"; ls "$T/root12/storage/layers") 2> /dev/null | wc -l)" 0

# podd-image-registry's side of a pull, driven by hand (pull_session.c):
# after the fetch the session holds store.lock until PullFinishRequest (or
# EOF), which lets go of it. No session removes blobs: whatever it stored
# stays for gc, which podctl runs after a failed command.
if [ -n "${PODD_PULL_SESSION:-}" ] && [ -x "$PODD_PULL_SESSION" ]; then
	for mode in eof drop keep; do
		mkdir -p "$T/sess-$mode"
		if "$PODD_PULL_SESSION" "$PODD_IMAGE_REGISTRY" "$T/sess-$mode" "$R/podd/seed:latest" \
			"$mode"; then
			ok "pull session ($mode): fetched under store.lock, finished, exited"
		else
			not_ok "pull session ($mode)"
		fi
	done
	eq "EOF after the fetch leaves the pull's blobs to gc" "$(blobs "$T/sess-eof" | wc -l)" 3
	eq "PullFinishRequest keep=false too" "$(blobs "$T/sess-drop" | wc -l)" 3
	eq "PullFinishRequest keep=true keeps them" "$(blobs "$T/sess-keep" | wc -l)" 3
	# Two sessions, one store: A fetches and waits; B pulls the same image,
	# finds A's blobs there and records its image; then A fails (keep
	# false). A's failure must not take B's blobs: B's image stays whole.
	# (Before, A removed the blobs it had added, and B's config and layer
	# blobs went with them.)
	SH="$T/sess-shared"
	mkdir -p "$SH"
	"$PODD_PULL_SESSION" "$PODD_IMAGE_REGISTRY" "$SH" "$R/podd/seed:latest" hold \
		2> "$T/hold.err" &
	hold_pid=$!
	BG_PIDS="$BG_PIDS $hold_pid"
	for _ in $(seq 100); do [ "$(blobs "$SH" | wc -l)" -eq 3 ] && break; sleep 0.1; done
	PB="$PODCTL --root $SH --runroot $T/sess-shared-run"
	eq "a second pull of the same blobs, while the first holds them" \
		"$($PB pull -q --tls-verify=false "$R/podd/seed:latest")" "$ID"
	touch "$SH/go"
	wait "$hold_pid"
	eq "the first session fails after it (keep=false)" "$?" 0
	$PB image prune -f > /dev/null
	eq "the second image keeps its blobs" "$(blobs "$SH" | wc -l)" 3
	check "... and it saves whole" $PB save -o "$T/shared.tar" "$R/podd/seed:latest"
else
	not_ok "PODD_PULL_SESSION is not set to the pull_session binary"
fi

# --- a hostile registry ---------------------------------------------------
# python3 serves: a manifest larger than META_MAX_BYTES; a layer sent longer
# than its descriptor says (and on and on), another shorter; an error document with
# terminal escapes; a redirect to a file:// URL; an upload answered
# without a Location. Each is refused, nothing is stored, and no escape
# reaches the terminal.
HPORT=$(free_port)
cat > "$T/hostile.py" <<'EOF'
import http.server, json, sys
port = int(sys.argv[1])
layer_digest = "sha256:" + "ab" * 32
short_digest = "sha256:" + "ef" * 32
def manifest_for(layer):
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + "cd" * 32, "size": 10},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer, "size": 10}]}).encode()
manifest = manifest_for(layer_digest)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def send(self, code, body, ctype="application/json", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
    def stream(self, ctype, chunk, n):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            for _ in range(n):
                self.wfile.write(chunk)
        except Exception:
            pass
        self.close_connection = True
    def do_GET(self):
        p = self.path
        if p == "/v2/":
            return self.send(200, b"{}")
        if p.endswith("/manifests/huge"):
            return self.stream("application/vnd.oci.image.manifest.v1+json", b" " * 65536, 200)
        if p.endswith("/manifests/long"):
            return self.send(200, manifest, "application/vnd.oci.image.manifest.v1+json")
        if p.endswith("/manifests/short"):
            return self.send(200, manifest_for(short_digest), "application/vnd.oci.image.manifest.v1+json")
        if "/blobs/" in p and p.endswith(short_digest):
            return self.stream("application/octet-stream", b"12345", 1)
        if "/blobs/" in p and p.endswith(layer_digest):
            return self.stream("application/octet-stream", b"x" * 4096, 10000)
        if p.endswith("/manifests/escape"):
            return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"\\u001b[31mred\\u001b]0;title\\u0007"}]}')
        if p.endswith("/manifests/file"):
            return self.send(302, b"", extra=[("Location", "file:///etc/passwd")])
        return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
    def do_HEAD(self):
        self.send(404, b"")
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
    def do_POST(self):
        # evil/retry: a mount opens a session that is gone at its PATCH
        # (BLOB_UPLOAD_UNKNOWN); a plain upload works.
        if "/evil/retry/" in self.path:
            where = "gone" if "mount=" in self.path else "good"
            return self.send(202, b"", extra=[("Location", "/v2/evil/retry/blobs/uploads/" + where)])
        if "mount=" in self.path:
            return self.send(202, b"", extra=[("Location", "file:///etc/passwd")])
        self.send(202, b"")
    def do_PATCH(self):
        self.body()
        if self.path.endswith("/uploads/good"):
            return self.send(202, b"", extra=[("Location", "/v2/evil/retry/blobs/uploads/good2")])
        self.send(404, b'{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"blob upload unknown"}]}')
    def do_PUT(self):
        self.body()
        if "/uploads/good2" in self.path or "/evil/retry/manifests/" in self.path:
            return self.send(201, b"")
        self.send(404, b"{}")
    def do_DELETE(self):
        self.send(204, b"")
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
python3 "$T/hostile.py" "$HPORT" > "$T/hostile.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_port "$HPORT" || exit 1
H=127.0.0.1:$HPORT
PH="$PODCTL --root $T/rooth --runroot $T/runh"
expect_fail "hostile: a manifest larger than 4 MiB is refused" 125 "answer larger than" \
	$PH pull --tls-verify=false "$H/evil/x:huge"
expect_fail "hostile: a layer longer than its descriptor is refused" 125 \
	"copying blob sha256:abababab" $PH pull --tls-verify=false "$H/evil/x:long"
expect_fail "hostile: a layer shorter than its descriptor is refused" 125 "truncated: 5 of 10 bytes" \
	$PH pull --tls-verify=false "$H/evil/x:short"
expect_fail "hostile: a redirect to file:// is refused" 125 "neither http nor https" \
	$PH pull --tls-verify=false "$H/evil/x:file"
expect_fail "hostile: an error document's escapes are shown escaped" 125 '\x1b[31mred' \
	$PH pull --tls-verify=false "$H/evil/x:escape"
if grep -q "$(printf '\033')" "$T/err"; then
	not_ok "hostile: an escape byte reached stderr"
else
	ok "hostile: no escape byte reaches stderr"
fi
expect_fail "hostile: an upload without a Location is refused" 125 "starting an upload" \
	$P push --tls-verify=false "$R/podd/seed:latest" "$H/evil/x:up"
eq "hostile: nothing stored" "$(blobs "$T/rooth" | wc -l)" 0
# A mount's session at a file:// URL is not followed: the mount is
# refused and the upload that follows fails as above.
PHM="$PODCTL --root $T/roothm --runroot $T/runhm"
$PHM pull -q --tls-verify=false "$R/podd/seed:latest" > /dev/null &&
	$PHM tag "$R/podd/seed:latest" "$H/evil/src:1" || not_ok "PHM: an image named on the hostile registry"
$PHM --log-level debug push --tls-verify=false "$H/evil/src:1" "$H/evil/x:up" > /dev/null 2> "$T/err"
eq "hostile: a mount's file:// session is refused, and the upload after it" \
	"$?/$(grep -c 'mounting blob sha256:[0-9a-f]* from evil/src: .*neither http nor https' "$T/err")/$(grep -c '^Error: .*starting an upload' "$T/err")" \
	"125/1/1"

# A mount's session that is gone by its PATCH (404 BLOB_UPLOAD_UNKNOWN):
# cancelled, and the blob uploaded once more in a session of its own.
PHR="$PODCTL --root $T/roothr --runroot $T/runhr"
$PHR pull -q --tls-verify=false "$R/podd/seed:latest" > /dev/null &&
	$PHR tag "$R/podd/seed:latest" "$H/evil/src2:1" || not_ok "PHR: an image named on the hostile registry"
$PHR --log-level debug push --tls-verify=false "$H/evil/src2:1" "$H/evil/retry:1" > /dev/null 2> "$T/err"
eq "a mount's session gone at its PATCH: the blobs upload in new sessions" \
	"$?/$(grep -c 'upload in the session a mount opened failed' "$T/err")" "0/2"

# --- htpasswd Basic auth -------------------------------------------------
htpasswd -Bbn podd s3cret > "$T/htpasswd"
start_registry auth "auth:
  htpasswd:
    realm: podd-test
    path: $T/htpasswd" || exit 1
A=127.0.0.1:$PORT_auth
skopeo copy -q --dest-tls-verify=false --dest-creds podd:s3cret "oci:$T/oci:latest" \
	"docker://$A/podd/busybox:latest" || exit 1
P4="$PODCTL --root $T/root4 --runroot $T/run4"
expect_fail "pull without credentials from an auth registry" 125 \
	"unauthorized: authentication required" $P4 pull --tls-verify=false "$A/podd/busybox:latest"
expect_fail "pull with wrong credentials" 125 "unauthorized" \
	$P4 pull --tls-verify=false --creds podd:wrong "$A/podd/busybox:latest"
eq "pull with --creds" "$($P4 pull -q --tls-verify=false --creds podd:s3cret "$A/podd/busybox:latest")" "$ID"
expect_fail "login with a wrong password" 125 "logging into \"$A\": invalid username/password" \
	$P4 login --tls-verify=false -u podd -p wrong "$A"
eq "a failed login saves nothing" "$(cat "$T/auth.json" 2> /dev/null | grep -c "$A")" 0
echo s3cret | $P4 login --tls-verify=false -u podd --password-stdin "$A" > "$T/out" 2> "$T/err"
eq "login" "$(cat "$T/out")" "Login Succeeded!"
eq "login writes podman's auth file entry" "$(jq -r ".auths[\"$A\"].auth" "$T/auth.json")" \
	"$(printf podd:s3cret | base64)"
podman --root "$T/pm" --runroot "$T/pmr" --storage-driver vfs login --get-login --authfile "$T/auth.json" "$A" > "$T/out" 2>&1
eq "podman reads the entry" "$(cat "$T/out")" podd
eq "pull with the auth file's credentials" "$($P4 pull -q --tls-verify=false "$A/podd/busybox:latest")" "$ID"
$P4 push --tls-verify=false "$A/podd/busybox:latest" "$A/podd/pushed:latest" > /dev/null 2>&1
eq "push with the auth file's credentials" "$?" 0
eq "logout" "$($P4 logout "$A")" "Removed login credentials for $A"
eq "logout removes the entry" "$(jq -c '.auths' "$T/auth.json")" "{}"
expect_fail "logout when not logged in" 125 "not logged into $A" $P4 logout "$A"
podman --root "$T/pm" --runroot "$T/pmr" --storage-driver vfs login --tls-verify=false \
	--authfile "$T/auth.json" -u podd -p s3cret "$A" > /dev/null 2>&1
eq "podctl uses podman's login" "$($P4 pull -q --tls-verify=false "$A/podd/busybox:latest")" "$ID"
eq "logout -a" "$($P4 logout -a)" "Removed login credentials for all registries"
expect_fail "pull after logout" 125 "unauthorized" $P4 pull --tls-verify=false "$A/podd/busybox:latest"

# --- a bearer-token front ------------------------------------------------
# python3 answers /v2/ with a Bearer challenge, hands out a token for
# podd:s3cret at /token (writing down the scopes asked for), forwards
# manifest requests and uploads bearing it to the plain registry and
# redirects blob downloads there (307 to another origin): the client's side
# of the token flow and of redirects, against real registry answers behind
# it. A repository request's challenge names its scope, as
# docker-distribution's do; a mount from podd/secret is refused (401) as
# if the token did not cover pulling from there, and no token is given for
# a scope on podd/forbidden (403).
TPORT=$(free_port)
cat > "$T/bearer.py" <<'EOF'
import base64, http.server, json, sys, threading, urllib.parse, urllib.request
port, upstream = int(sys.argv[1]), sys.argv[2]
# "lazy": /v2/ needs no token (the challenge comes with the first
# repository request) and each token is good for two requests (so a pull
# must fetch a fresh one on the way, as when a token expires).
lazy = len(sys.argv) > 3 and sys.argv[3] == "lazy"
TOKEN = "tok-" + "x" * 20
tokens, lock, issued = {}, threading.Lock(), [0]
def valid(auth):
    if not lazy:
        return auth == "Bearer " + TOKEN
    with lock:
        t = (auth or "")[len("Bearer "):]
        if tokens.get(t, 0) <= 0:
            return False
        tokens[t] -= 1
        return True
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def deny(self):
        scope = ""
        u = urllib.parse.urlsplit(self.path)
        if u.path.startswith("/v2/") and u.path != "/v2/":
            name = u.path[4:].split("/blobs/")[0].split("/manifests/")[0]
            scope = "repository:%s:%s" % (name, "pull" if self.command in ("GET", "HEAD") else "pull,push")
            q = urllib.parse.parse_qs(u.query)
            if "from" in q:
                scope += " repository:%s:pull" % q["from"][0]
            scope = ',scope="%s"' % scope
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Bearer realm="http://127.0.0.1:%d/token",service="podd-test"%s' % (port, scope))
        self.send_header("Content-Length", "0")
        self.end_headers()
    def token(self):
        want = "Basic " + base64.b64encode(b"podd:s3cret").decode()
        if self.headers.get("Authorization") != want or "service=podd-test" not in self.path:
            self.send_response(401); self.send_header("Content-Length", "0"); self.end_headers(); return
        with lock:
            scopes = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("scope", [])
            open((sys.argv[5] if len(sys.argv) > 5 else sys.argv[3]) + ".scopes", "a").write(
                "|".join(scopes) + "\n")
        if any("podd/forbidden" in s for s in scopes):
            self.send_response(403); self.send_header("Content-Length", "0"); self.end_headers(); return
        tok = TOKEN
        if lazy:
            with lock:
                issued[0] += 1
                tok = "tok-%d" % issued[0]
                tokens[tok] = 2
            with open(sys.argv[4], "w") as f:
                f.write(str(issued[0]))
        body = json.dumps({"access_token": tok} if lazy else {"token": tok}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def forward(self):
        if self.path.startswith("/token"):
            return self.token()
        if self.path.startswith("/cdn/"):
            leak = sys.argv[5] if len(sys.argv) > 5 else sys.argv[3]
            open(leak + ".cdn", "a").write("GET " + self.path + "\n")
            if self.headers.get("Authorization"):
                open(leak, "a").write(self.path + "\n")
            self.path = self.path[4:]
            return self.proxy()
        if lazy and self.path == "/v2/":
            self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers(); return
        if not valid(self.headers.get("Authorization")) or "from=podd%2Fsecret" in self.path:
            return self.deny()
        if self.command == "GET" and "/blobs/" in self.path:
            # Blobs elsewhere, as a CDN would serve them: another origin
            # (this server under another name), which must not see the
            # token.
            self.send_response(307)
            self.send_header("Location", "http://localhost:%d/cdn%s" % (port, self.path))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        return self.proxy()
    def proxy(self):
        n = int(self.headers.get("Content-Length") or 0)
        req = urllib.request.Request(upstream + self.path, method=self.command,
                                     data=self.rfile.read(n) if n else None,
                                     headers={k: v for k, v in self.headers.items() if k.lower() in ("accept", "content-type")})
        try:
            r = urllib.request.urlopen(req)
        except urllib.error.HTTPError as e:
            r = e
        body = r.read()
        self.send_response(r.status if hasattr(r, "status") else r.code)
        for k, v in r.headers.items():
            if k.lower() in ("content-type", "docker-content-digest", "location"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    do_GET = do_HEAD = do_POST = do_PUT = forward
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
python3 "$T/bearer.py" "$TPORT" "http://$R" "$T/leaked" > "$T/bearer.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_port "$TPORT" || exit 1
P5="$PODCTL --root $T/root5 --runroot $T/run5"
expect_fail "bearer: anonymous token request refused" 125 "invalid username/password" \
	$P5 pull --tls-verify=false "127.0.0.1:$TPORT/podd/busybox:latest"
eq "bearer: pull with a token fetched with the credentials" \
	"$($P5 pull -q --tls-verify=false --creds podd:s3cret "127.0.0.1:$TPORT/podd/busybox:latest")" "$BB"
eq "bearer: login checks the credentials at the token server" \
	"$($P5 login --tls-verify=false -u podd -p s3cret --authfile "$T/auth5.json" "127.0.0.1:$TPORT")" \
	"Login Succeeded!"
expect_fail "bearer: login with a wrong password" 125 "invalid username/password" \
	$P5 login --tls-verify=false -u podd -p nope --authfile "$T/auth5.json" "127.0.0.1:$TPORT"

TPORT2=$(free_port)
python3 "$T/bearer.py" "$TPORT2" "http://$R" lazy "$T/tokens-issued" "$T/leaked" > "$T/bearer2.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_port "$TPORT2" || exit 1
eq "bearer: a challenge after the ping, and tokens that run out, are met again" \
	"$($PODCTL --root "$T/root5b" --runroot "$T/run5b" pull -q --tls-verify=false --creds podd:s3cret "127.0.0.1:$TPORT2/podd/busybox:latest")" "$BB"
check "... with more than one token" test "$(cat "$T/tokens-issued")" -gt 1
eq "bearer: blobs redirected to another origin are fetched without the token" \
	"$(cat "$T/leaked" 2> /dev/null)" ""
check "... and they were fetched there" grep -q 'GET /cdn/v2/podd/busybox/blobs/' "$T/leaked.cdn"

# A push that mounts: one token for pushing to the destination and pulling
# from the source, a scope parameter each.
: > "$T/leaked.scopes"
$P5 push --tls-verify=false --creds podd:s3cret "127.0.0.1:$TPORT/podd/busybox:latest" \
	"127.0.0.1:$TPORT/podd/bearer-mount:latest" > /dev/null 2> "$T/err"
eq "bearer: a push that mounts" "$?" 0
eq "... its token covers push to the destination and pull from the source" \
	"$(cat "$T/leaked.scopes")" "repository:podd/bearer-mount:pull,push|repository:podd/busybox:pull"
eq "... and its blobs (a layer, the config) are mounted" \
	"$(grep -c '^Copying .* skipped: already exists$' "$T/err")/$(grep -c '^Copying ' "$T/err")" "2/2"
# A mount the registry refuses (401 again with the challenge's scope: the
# token does not cover the source) is an upload; the push succeeds.
P5c="$PODCTL --root $T/root5c --runroot $T/run5c"
$P5c pull -q --tls-verify=false --creds podd:s3cret "127.0.0.1:$TPORT/podd/busybox:latest" \
	> /dev/null && $P5c tag "$BB" "127.0.0.1:$TPORT/podd/secret:1" &&
	$P5c untag "$BB" "127.0.0.1:$TPORT/podd/busybox:latest" || not_ok "P5c: an image named only podd/secret"
: > "$T/leaked.scopes"
$P5c --log-level debug push --tls-verify=false --creds podd:s3cret "$BB" \
	"127.0.0.1:$TPORT/podd/from-secret:latest" > /dev/null 2> "$T/err"
eq "bearer: a refused mount falls back to an upload" "$?" 0
check "... the mount was refused" grep -q "debug: POST [^ ]*/v2/podd/from-secret/blobs/uploads/?from=podd%2Fsecret&mount=[^ ]*: 401," "$T/err"
check "... after a token asked for the challenge's scopes" \
	grep -qx "repository:podd/from-secret:pull,push|repository:podd/secret:pull" "$T/leaked.scopes"
eq "... and podman pulls what was uploaded: the same id" \
	"$(env -u REGISTRY_AUTH_FILE podman --root "$T/pm5" --runroot "$T/pm5r" --storage-driver vfs pull -q --tls-verify=false "$R/podd/from-secret:latest" 2>&1)" "$BB"
# A token server that will not grant pull on the source: the push asks
# again without it and uploads.
$P5c tag "$BB" "127.0.0.1:$TPORT/podd/forbidden:1" &&
	$P5c untag "$BB" "127.0.0.1:$TPORT/podd/secret:1" || not_ok "P5c: an image named only podd/forbidden"
: > "$T/leaked.scopes"
$P5c --log-level debug push --tls-verify=false --creds podd:s3cret "$BB" \
	"127.0.0.1:$TPORT/podd/from-forbidden:latest" > /dev/null 2> "$T/err"
eq "bearer: a token refused for the source: the push goes on without mounts" \
	"$?/$(tr '\n' ' ' < "$T/leaked.scopes")/$(grep -c 'debug: POST [^ ]*?from=' "$T/err")" \
	"0/repository:podd/from-forbidden:pull,push|repository:podd/forbidden:pull repository:podd/from-forbidden:pull,push /0"

# --- TLS with a self-signed certificate ----------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2> /dev/null ||
	exit 1
start_registry tls "  tls:
    certificate: $T/cert.pem
    key: $T/key.pem" || exit 1
S=127.0.0.1:$PORT_tls
skopeo copy -q --dest-cert-dir=/nonexistent --dest-tls-verify=false "oci:$T/oci:latest" \
	"docker://$S/podd/busybox:latest" || exit 1
P6="$PODCTL --root $T/root6 --runroot $T/run6"
expect_fail "a self-signed certificate is refused by default" 125 "certificate" \
	$P6 pull "$S/podd/busybox:latest"
eq "--tls-verify=false accepts it" "$($P6 pull -q --tls-verify=false "$S/podd/busybox:latest")" "$ID"
# --cert-dir: the registry's CA as a *.crt makes it trusted, with
# verification on (the system's CAs stay trusted beside it).
mkdir -p "$T/certs" "$T/certs-bad"
cp "$T/cert.pem" "$T/certs/ca.crt"
P6b="$PODCTL --root $T/root6b --runroot $T/run6b"
eq "pull --cert-dir with the registry's CA verifies it" \
	"$($P6b pull -q --cert-dir "$T/certs" "$S/podd/busybox:latest")" "$ID"
$P6b push -q --cert-dir "$T/certs" "$S/podd/busybox:latest" "$S/podd/again:latest"
eq "push --cert-dir too" "$?" 0
cp "$T/cert.pem" "$T/certs-bad/client.cert"
expect_fail "a client certificate without its key" 125 "missing key client.key" \
	$P6b pull --cert-dir "$T/certs-bad" "$S/podd/busybox:latest"

# A registry that asks for a client certificate (mutual TLS): a CA of our
# own signs the client's; the certs.d pair (client.cert, client.key)
# answers, and without it the handshake fails.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=podd-test-client-ca \
	-keyout "$T/cca.key" -out "$T/cca.pem" 2> /dev/null &&
	openssl req -newkey rsa:2048 -nodes -subj /CN=podd-client -keyout "$T/certs/client.key" \
		-out "$T/client.csr" 2> /dev/null &&
	openssl x509 -req -in "$T/client.csr" -CA "$T/cca.pem" -CAkey "$T/cca.key" \
		-CAcreateserial -days 1 -out "$T/certs/client.cert" 2> /dev/null || exit 1
start_registry mtls "  tls:
    certificate: $T/cert.pem
    key: $T/key.pem
    clientcas:
      - $T/cca.pem" || exit 1
M=127.0.0.1:$PORT_mtls
skopeo copy -q --dest-cert-dir="$T/certs" "oci:$T/oci:latest" "docker://$M/podd/busybox:latest" ||
	exit 1
P6c="$PODCTL --root $T/root6c --runroot $T/run6c"
eq "mutual TLS: the certs.d client certificate is presented" \
	"$($P6c pull -q --cert-dir "$T/certs" "$M/podd/busybox:latest")" "$ID"
rm "$T/certs/client.cert" "$T/certs/client.key"
$P6c rmi -a > /dev/null
if $P6c pull -q --cert-dir "$T/certs" "$M/podd/busybox:latest" > /dev/null 2> "$T/err"; then
	not_ok "mutual TLS without a client certificate is refused"
else
	ok "mutual TLS without a client certificate is refused"
fi

# --- podd-image's peak memory: a 64 MiB layer against a small one --------
TREEMEM="$T/treemem"
if cc -O2 -o "$TREEMEM" "$PODD_SOURCE_DIR/bench/treemem.c" 2> /dev/null; then
	"$FIXTURE" "$T/oci-big" $((64 << 20)) > /dev/null || exit 1
	skopeo copy -q --dest-tls-verify=false "oci:$T/oci-big:latest" "docker://$R/podd/big:latest" ||
		exit 1
	peak() { # the podd-image line of treemem -v
		"$TREEMEM" -v $PODCTL --root "$T/$1" --runroot "$T/$1-run" pull -q \
			--tls-verify=false "$R/podd/$2:latest" 2>&1 >/dev/null |
			sed -n 's/.*pid [0-9]* podd-image[-a-z]*: peak \([0-9]*\) KiB.*/\1/p' | sort -n | tail -1
	}
	small=$(peak mem-small busybox)
	big=$(peak mem-big big)
	echo "# podd-image peak RSS: small layer ${small} KiB, 64 MiB layer ${big} KiB"
	if [ -n "$small" ] && [ -n "$big" ] && [ "$big" -lt $((small + 8192)) ]; then
		ok "podd-image's memory does not grow with the layer (${small} vs ${big} KiB)"
	else
		not_ok "podd-image's memory grows with the layer (${small} vs ${big} KiB)"
	fi
else
	not_ok "build bench/treemem.c"
fi

finish
