#!/bin/bash
# The signature policy (containers-policy.json) on pull, run and load,
# against a real docker-registry on 127.0.0.1: podman's message for a
# rejected image, the most specific scope wins, signature requirements
# podd cannot verify refused with its own error, malformed policies and a
# missing --signature-policy file refused as podman does; nothing is
# stored by a refused command.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry_lib.sh"

FIXTURE="$PODD_SOURCE_DIR/tests/system/make_oci_image.sh"

blobs() { ls "$1/storage/blobs/sha256" 2>/dev/null | sort; } # blobs ROOT
no_images() { [ -z "$($P images -q)" ]; }

"$FIXTURE" "$T/oci" > "$T/fixture-id" || exit 1
ID=$(cat "$T/fixture-id")
start_registry reg || exit 1
start_registry reg2 || exit 1
R=127.0.0.1:$PORT_reg
R2=127.0.0.1:$PORT_reg2
for ref in "$R/podd/seed:latest" "$R/other/x:latest" "$R2/podd/seed:latest"; do
	skopeo copy -q --dest-tls-verify=false "oci:$T/oci:latest" "docker://$ref" || exit 1
done

ACCEPT='{"type":"insecureAcceptAnything"}'
REJECT='{"type":"reject"}'
SIGNED='{"type":"signedBy","keyType":"GPGKeys","keyPath":"/nonexistent/key.gpg"}'
policy() { echo "$2" > "$T/$1.json"; } # policy NAME JSON
pull() { $P pull --tls-verify=false --signature-policy "$@"; }

# --- pull: reject and insecureAcceptAnything ---------------------------
policy reject "{\"default\":[$REJECT]}"
pull "$T/reject.json" "$R/podd/seed:latest" > "$T/out" 2> "$T/err"
eq "a default reject refuses the pull with podman's message (exit 125)" "$?/$(cat "$T/err")" \
	"125/Trying to pull $R/podd/seed:latest...
Error: Source image rejected: Running image docker://$R/podd/seed:latest is rejected by policy."
check "... and nothing is stored" no_images
eq "... not even a blob" "$(blobs "$T/root")" ""

policy accept "{\"default\":[$ACCEPT]}"
eq "insecureAcceptAnything accepts" "$(pull "$T/accept.json" -q "$R/podd/seed:latest")" "$ID"
$P rmi -a > /dev/null 2>&1

policy repo "{\"default\":[$ACCEPT],\"transports\":{\"docker\":{\"$R/podd\":[$REJECT]}}}"
expect_fail "a reject for a namespace scope refuses its repositories" 125 \
	"Source image rejected: Running image docker://$R/podd/seed:latest is rejected by policy." \
	pull "$T/repo.json" "$R/podd/seed:latest"
eq "... and accepts another repository" "$(pull "$T/repo.json" -q "$R/other/x:latest")" "$ID"
eq "... which alone is stored" "$($P images --format '{{.Repository}}')" "$R/other/x"
$P rmi -a > /dev/null 2>&1

policy specific "{\"default\":[$ACCEPT],\"transports\":{\"docker\":{
	\"$R\":[$REJECT], \"$R/other/x:latest\":[$ACCEPT], \"\":[$ACCEPT]}}}"
eq "the most specific scope wins (host:tag over host)" \
	"$(pull "$T/specific.json" -q "$R/other/x:latest")" "$ID"
expect_fail "... the host scope over the transport's \"\"" 125 "is rejected by policy" \
	pull "$T/specific.json" "$R/podd/seed:latest"
$P rmi -a > /dev/null 2>&1

policy wildcard "{\"default\":[$ACCEPT],\"transports\":{\"docker\":{\"*.0.1\":[$REJECT]}}}"
expect_fail "a wildcard scope matches the host's parent domains" 125 "is rejected by policy" \
	pull "$T/wildcard.json" "$R/other/x:latest"
# A wildcard is a host's parent domains without the port: one written
# with the port never matches, in podman 4.3 as here.
policy wildport "{\"default\":[$ACCEPT],\"transports\":{\"docker\":{\"*.0.1:$PORT_reg\":[$REJECT]}}}"
eq "a wildcard scope with a port does not match" \
	"$(pull "$T/wildport.json" -q "$R/other/x:latest")" "$ID"
$P rmi -a > /dev/null 2>&1
policy transport "{\"default\":[$ACCEPT],\"transports\":{\"docker\":{\"\":[$REJECT]}}}"
expect_fail "the transport's \"\" scope applies before the default" 125 \
	"is rejected by policy" pull "$T/transport.json" "$R/other/x:latest"
policy otherscope "{\"default\":[$REJECT],\"transports\":{\"docker\":{\"$R/podd\":[$ACCEPT]}}}"
expect_fail "a scope of another namespace does not apply" 125 "is rejected by policy" \
	pull "$T/otherscope.json" "$R/other/x:latest"
check "nothing is stored by the refused pulls" no_images

# --- requirements podd cannot verify -----------------------------------
policy signed "{\"default\":[$ACCEPT],\"transports\":{\"docker\":{\"$R/podd/seed\":[$SIGNED]}}}"
expect_fail "signedBy is refused with podd's error naming it and the scope" 125 \
	"Source image rejected: policy requirement \"signedBy\" (transport \"docker\", scope \"$R/podd/seed\" in $T/signed.json) for docker://$R/podd/seed:latest: podd cannot verify signatures" \
	pull "$T/signed.json" "$R/podd/seed:latest"
policy sigstore "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/nonexistent/cosign.pub\"}]}"
expect_fail "sigstoreSigned in the default is refused" 125 \
	"policy requirement \"sigstoreSigned\" (\"default\" in $T/sigstore.json)" \
	pull "$T/sigstore.json" "$R/podd/seed:latest"
policy both "{\"default\":[$ACCEPT, $SIGNED]}"
expect_fail "every requirement must accept" 125 "podd cannot verify signatures" \
	pull "$T/both.json" "$R/podd/seed:latest"
check "nothing is stored by the refused pulls" no_images
eq "... not even a blob" "$(blobs "$T/root")" ""

# --- malformed policies: podman's errors, before anything is fetched ---
malformed() { # malformed DESCRIPTION JSON MESSAGE
	policy bad "$2"
	expect_fail "$1" 125 "invalid policy in \"$T/bad.json\": $3" \
		pull "$T/bad.json" "$R/podd/seed:latest"
}
malformed "an unknown requirement type is an error" '{"default":[{"type":"bogus"}]}' \
	'Unknown policy requirement type "bogus"'
malformed "an unknown top-level key is an error" "{\"default\":[$ACCEPT],\"foo\":1}" \
	'Unknown key "foo"'
malformed "an unknown key in a requirement is an error" \
	'{"default":[{"type":"reject","x":1}]}' 'Unknown key "x"'
malformed "a duplicate key is an error" "{\"default\":[$ACCEPT],\"default\":[$REJECT]}" \
	'Duplicate key "default"'
malformed "an empty requirement list is an error" '{"default":[]}' \
	'List of verification policy requirements must not be empty'
malformed "a missing default is an error" '{"transports":{}}' 'Default policy is missing'
malformed "truncated JSON is an error" '{"default":[' 'unexpected end of JSON input'
malformed "trailing text is an error" "{\"default\":[$ACCEPT]} x" 'invalid character'
malformed "a docker-archive scope other than \"\" is an error" \
	"{\"default\":[$ACCEPT],\"transports\":{\"docker-archive\":{\"/tmp\":[$ACCEPT]}}}" \
	'Unknown key "/tmp"'
malformed "signedBy without a key is an error" \
	'{"default":[{"type":"signedBy","keyType":"GPGKeys"}]}' \
	'Exactly one of keyPath, keyPaths and keyData must be specified, none of them present'
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' > "$T/huge.json"
expect_fail "a policy over 1 MiB is an error" 125 "huge.json" pull "$T/huge.json" "$R/podd/seed:latest"
mkdir -p "$T/home/.config/containers"
cp "$T/reject.json" "$T/home/.config/containers/policy.json"
HOME="$T/home" $P pull --tls-verify=false "$R/podd/seed:latest" > "$T/out" 2> "$T/err"
eq "without --signature-policy, \$HOME/.config/containers/policy.json applies" \
	"$?/$(tail -1 "$T/err")" \
	"125/Error: Source image rejected: Running image docker://$R/podd/seed:latest is rejected by policy."
check "... and nothing is stored" no_images
expect_fail "--signature-policy \"\" is the default lookup, as podman's" 125 \
	"Running image docker://$R/podd/seed:latest is rejected by policy." \
	env HOME="$T/home" $P pull --tls-verify=false --signature-policy "" "$R/podd/seed:latest"
policy bad '{"default":[{"type":"bogus"}]}'
cp "$T/bad.json" "$T/home/.config/containers/policy.json"
expect_fail "... and a malformed one there is an error" 125 \
	"invalid policy in \"$T/home/.config/containers/policy.json\": Unknown policy requirement type" \
	env HOME="$T/home" $P pull --tls-verify=false "$R/podd/seed:latest"
expect_fail "a missing --signature-policy file is an error" 125 \
	"open $T/none.json: no such file or directory" pull "$T/none.json" "$R/podd/seed:latest"
check "nothing is stored by the failed pulls" no_images

# --- short names: each candidate is judged by its own reference ---------
cat > "$T/registries.json" <<EOF
{"unqualified-search-registries": ["$R", "$R2"],
 "registries": [{"location": "$R", "insecure": true}, {"location": "$R2", "insecure": true}]}
EOF
policy first "{\"default\":[$ACCEPT],\"transports\":{\"docker\":{\"$R\":[$REJECT]}}}"
$P pull --signature-policy "$T/first.json" podd/seed > "$T/out" 2> "$T/err"
eq "a short name skips the refused registry and pulls from the next" "$(cat "$T/out")" "$ID"
eq "... having tried both, as podman" "$(grep '^Trying' "$T/err" | tr '\n' '|')" \
	"Trying to pull $R/podd/seed:latest...|Trying to pull $R2/podd/seed:latest...|"
eq "... and it is the next registry's image" "$($P images --format '{{.Repository}}')" "$R2/podd/seed"
$P rmi -a > /dev/null 2>&1
expect_fail "a short name refused everywhere lists each refusal" 125 "2 errors occurred while pulling:
 * Source image rejected: Running image docker://$R/podd/seed:latest is rejected by policy.
 * Source image rejected: Running image docker://$R2/podd/seed:latest is rejected by policy." \
	$P pull --signature-policy "$T/reject.json" podd/seed
rm -f "$T/registries.json"

# --- run and create pull under the policy --------------------------------
expect_fail "run refuses to pull what the policy rejects" 125 \
	"Source image rejected: Running image docker://$R/podd/seed:latest is rejected by policy." \
	$P run --rm --tls-verify=false --signature-policy "$T/reject.json" "$R/podd/seed:latest" true
expect_fail "create too" 125 "is rejected by policy" \
	$P create --tls-verify=false --signature-policy "$T/reject.json" "$R/podd/seed:latest" true
check "nothing is stored by them" no_images

# --- load: oci-archive scopes are paths, docker-archive's only "" -------
mkdir -p "$T/archives/deep"
skopeo copy -q "oci:$T/oci:latest" "oci-archive:$T/archives/deep/img.tar:podd/loaded:latest" || exit 1
skopeo copy -q "oci:$T/oci:latest" "docker-archive:$T/archives/deep/dimg.tar:podd/loaded:latest" || exit 1
expect_fail "load under a reject policy is refused" 125 \
	"Source image rejected: Running image oci-archive:$T/archives/deep/img.tar: is rejected by policy." \
	$P load --signature-policy "$T/reject.json" -i "$T/archives/deep/img.tar"
expect_fail "... from stdin too" 125 "is rejected by policy" \
	$P load --signature-policy "$T/reject.json" < "$T/archives/deep/dimg.tar"
policy dir "{\"default\":[$ACCEPT],\"transports\":{\"oci-archive\":{\"$T/archives\":[$REJECT]}}}"
expect_fail "an oci-archive scope matches the archive's parent directories" 125 \
	"Source image rejected: Running image oci-archive:$T/archives/deep/img.tar: is rejected by policy." \
	$P load --signature-policy "$T/dir.json" -i "$T/archives/deep/img.tar"
ln -s "$T/archives/deep/img.tar" "$T/link.tar"
expect_fail "... with symlinks resolved, the file named as given" 125 \
	"Source image rejected: Running image oci-archive:$T/link.tar: is rejected by policy." \
	$P load --signature-policy "$T/dir.json" -i "$T/link.tar"
check "nothing is stored by the refused loads" no_images
eq "... and the refused archive's blobs are collected" "$(blobs "$T/root")" ""
eq "... while a docker-archive there is not refused by it" \
	"$($P load --signature-policy "$T/dir.json" -i "$T/archives/deep/dimg.tar" 2> /dev/null)" \
	"Loaded image: docker.io/podd/loaded:latest"
$P rmi -a > /dev/null 2>&1
policy file "{\"default\":[$ACCEPT],\"transports\":{\"oci-archive\":{\"$T/archives/deep/img.tar\":[$SIGNED]}}}"
expect_fail "an oci-archive scope naming the archive: signedBy refused" 125 \
	"policy requirement \"signedBy\" (transport \"oci-archive\", scope \"$T/archives/deep/img.tar\"" \
	$P load --signature-policy "$T/file.json" -i "$T/archives/deep/img.tar"
eq "load under an accepting policy loads" \
	"$($P load --signature-policy "$T/accept.json" -i "$T/archives/deep/img.tar" 2> /dev/null)" \
	"Loaded image: localhost/podd/loaded:latest"
# Only oci-archive refused, the archive a docker-archive at a path that is
# not ASCII: the refusal podd-image holds for the other format carries the
# path made printable, and the load goes on.
utf8="$T/archives/d$(printf '\xc3\xb6')kk.tar"
python3 "$PODD_SOURCE_DIR/tests/system/craft_archive.py" docker-good "$utf8" \
	localhost/podd/utf8:latest || exit 1
policy ocidir "{\"default\":[$ACCEPT],\"transports\":{\"oci-archive\":{\"$T/archives\":[$REJECT]}}}"
eq "a docker-archive at a path that is not ASCII loads when only oci-archive is refused" \
	"$($P load --signature-policy "$T/ocidir.json" -i "$utf8" 2>&1 | tail -1)" \
	"Loaded image: localhost/podd/utf8:latest"
$P rmi -a > /dev/null 2>&1
eq "load -i /dev/stdin of a pipe: judged as stdin, and loaded" \
	"$(cat "$utf8" | $P load --signature-policy "$T/ocidir.json" -i /dev/stdin 2>&1 | tail -1)" \
	"Loaded image: localhost/podd/utf8:latest"
$P rmi -a > /dev/null 2>&1
# --- load refused for the archive's format: podman's list of the formats
# it tried, word for word: podman itself on the same archive and policy.
PM="podman --root $T/pm/root --runroot $T/pm/run --storage-driver vfs --cgroup-manager cgroupfs --events-backend none"
mkdir -p "$T/pmtmp" "$T/archives/Up"
cp "$T/archives/deep/img.tar" "$T/archives/Up/img.tar"
# same_refusal DESC POLICY FILE: podctl and podman, in $T/archives, fail
# with the same output and exit code.
same_refusal() {
	local pd pm
	pd=$(cd "$T/archives" && $P load --signature-policy "$2" -i "$3" 2>&1; echo "exit $?")
	pm=$(cd "$T/archives" && TMPDIR="$T/pmtmp" $PM load --signature-policy "$2" -i "$3" 2>&1
		echo "exit $?")
	eq "$1" "$pd" "$pm"
}
same_refusal "oci-archive refused: podman's list of formats, as podman prints it (exit 125)" \
	"$T/dir.json" deep/img.tar
same_refusal "  ... at a path that reads as no image name (uppercase)" "$T/dir.json" Up/img.tar
same_refusal "  ... at a path that reads as no image name (./)" "$T/dir.json" ./deep/img.tar
same_refusal "  ... at the absolute path" "$T/dir.json" "$T/archives/deep/img.tar"
# Both formats refused: podctl refuses before anything reads the archive
# (podman reads it first, to word its list by the archive's format).
pd=$(cd "$T/archives" && $P load --signature-policy "$T/reject.json" -i deep/img.tar 2>&1)
eq "  ... both formats refused: exit 125" "$?" 125
eq "  ... before the archive is read: each format's refusal" "$pd" \
	"Error: payload does not match any of the supported image formats:
 * oci-archive: Source image rejected: Running image oci-archive:deep/img.tar: is rejected by policy.
 * docker-archive: Source image rejected: Running image docker-archive:deep/img.tar is rejected by policy."
policy dockrej "{\"default\":[$ACCEPT],\"transports\":{\"docker-archive\":{\"\":[$REJECT]}}}"
pd=$(cd "$T/archives" && $P load --signature-policy "$T/dockrej.json" -i deep/dimg.tar 2>&1)
eq "a docker-archive refused exits 125" "$?" 125
pm=$(cd "$T/archives" && TMPDIR="$T/pmtmp" $PM load --signature-policy "$T/dockrej.json" \
	-i deep/dimg.tar 2>&1)
eq "  ... with podman's list: the oci and dir lines as podman's" \
	"$(sed -n '1,2p;5p' <<< "$pd")" "$(sed -n '1,2p;5p' <<< "$pm")"
eq "  ... the docker-archive line the refusal (podman's also names the archive's tag)" \
	"$(sed -n 4p <<< "$pd")" \
	" * docker-archive: Source image rejected: Running image docker-archive:deep/dimg.tar is rejected by policy."
eq "  ... the oci-archive line says it has no index (podman's names its temporary copy)" \
	"$(sed -n 3p <<< "$pd")" " * oci-archive: loading index: open index.json: no such file or directory"
check "nothing is stored by the refused loads" no_images
eq "... and their blobs are collected" "$(blobs "$T/root")" ""

malformed_load() {
	policy bad '{"default":[{"type":"bogus"}]}'
	$P load --signature-policy "$T/bad.json" -i "$T/archives/deep/img.tar"
}
expect_fail "load with a malformed policy is an error" 125 \
	"invalid policy in \"$T/bad.json\": Unknown policy requirement type \"bogus\"" malformed_load

# --- import: the tarball transport, which has no scope but "" ----------
tar -C "$ROOTFS" -cf "$T/rootfs.tar" .
expect_fail "import under a reject policy is refused with podman's message" 125 \
	"Source image rejected: Running image tarball:$T/rootfs.tar is rejected by policy." \
	$P import --signature-policy "$T/reject.json" "$T/rootfs.tar" podd/imported
policy tarball "{\"default\":[$REJECT],\"transports\":{\"tarball\":{\"\":[$ACCEPT]}}}"
check "... and accepted by the tarball transport's \"\" scope" \
	$P import --signature-policy "$T/tarball.json" "$T/rootfs.tar" podd/imported
$P rmi -a > /dev/null 2>&1
malformed "a tarball scope other than \"\" is an error" \
	"{\"default\":[$ACCEPT],\"transports\":{\"tarball\":{\"/x\":[$ACCEPT]}}}" \
	'Unknown key "/x"'
check "nothing is stored by the refused import" no_images

# --- save: the store is the source (containers-storage) -----------------
$P load -q -i "$T/archives/deep/img.tar" > /dev/null 2>&1
expect_fail "save under a reject policy is refused with podman's message" 125 \
	"Error: Source image rejected: Running image containers-storage:[overlay@$T/root+$T/run]@$ID is rejected by policy." \
	$P save --signature-policy "$T/reject.json" -o "$T/saved.tar" podd/loaded
check "... and makes no output file" test ! -e "$T/saved.tar"
expect_fail "... an unknown image is still that error first" 125 "nosuch: image not known" \
	$P save --signature-policy "$T/reject.json" -o "$T/saved.tar" nosuch
policy cs "{\"default\":[$ACCEPT],\"transports\":{\"containers-storage\":{\"[overlay@/x+/y]podd/loaded\":[$REJECT]}}}"
expect_fail "... a containers-storage scope podd cannot match refuses" 125 \
	"podd cannot match the scope \"[overlay@/x+/y]podd/loaded\" of transport \"containers-storage\"" \
	$P save --signature-policy "$T/cs.json" -o "$T/saved.tar" podd/loaded
check "save under an accepting policy saves" \
	$P save --signature-policy "$T/accept.json" -q -o "$T/saved.tar" podd/loaded
$P rmi -a > /dev/null 2>&1

finish
