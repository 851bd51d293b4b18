#!/bin/bash
# images --filter, --digests, --sort and --noheading on a real store: a
# labelled import, a second name, a container, a dangling image.
. "$(dirname "$0")/lib.sh"

ARCHIVE=${PODD_BUSYBOX_ARCHIVE:-}
if [ -z "$ARCHIVE" ] || [ ! -f "$ARCHIVE" ]; then
	ARCHIVE="$T/busybox-oci.tar"
	"$PODD_SOURCE_DIR/scripts/make-image.sh" "$ARCHIVE" || exit 1
fi
$P load -q -i "$ARCHIVE" > /dev/null || exit 1
bb=$($P images -q localhost/busybox)
tar -C "$ROOTFS" -cf "$T/rootfs.tar" .
lab=$($P import -q -c "LABEL a=b" "$T/rootfs.tar" localhost/labelled | cut -c8-19)
$P tag localhost/busybox localhost/other:v1
$P create --name user localhost/busybox true > /dev/null

ids() { $P images -q "$@" 2>&1 | sort | tr '\n' ' '; }
eq "label=KEY=VALUE: the labelled image" "$(ids -f label=a=b)" "$lab "
eq "label=KEY" "$(ids -f label=a)" "$lab "
eq "label!=KEY: the others" "$(ids -f 'label!=a')" "$bb "
eq "reference: a name without host or tag" "$(ids -f reference=other)" "$bb "
eq "reference: a path.Match pattern" "$(ids -f 'reference=*/lab*')" "$lab "
eq "several references: any" "$(ids -f reference=other -f reference=labelled)" \
	"$(printf '%s\n' "$bb" "$lab" | sort | tr '\n' ' ')"
eq "containers=true: the image a container uses" "$(ids -f containers=true)" "$bb "
eq "containers=NAME" "$(ids -f containers=user)" "$bb "
expect_fail "containers=NAME of no container: podman's error" 125 \
	'unsupported value "nosuch" for containers filter' $P images -f containers=nosuch
eq "dangling=true: none yet" "$(ids -f dangling=true)" ""
eq "since=IMAGE: created after it" "$(ids -f since=localhost/busybox)" "$lab "
eq "before=IMAGE" "$(ids -f before=localhost/labelled)" "$bb "
eq "until=DURATION" "$(ids -f until=1h)" "$bb "
eq "id=ID (the whole id)" "$(ids -f id="$($P images -q --no-trunc localhost/busybox | cut -c8-)")" "$bb "
expect_fail "an unknown filter" 125 'unsupported image filter "bogus"' $P images -f bogus=1
expect_fail "dangling=true and false" 125 \
	'specifying "dangling" filter more than once with different values is not supported' \
	$P images -f dangling=true -f dangling=false
$P untag localhost/labelled
eq "an untagged image is dangling" "$(ids -f dangling=true)" "$lab "

eq "--digests adds DIGEST after TAG" "$($P images --digests | head -1 | tr -s ' ')" \
	"REPOSITORY TAG DIGEST IMAGE ID CREATED SIZE"
eq "  ... the manifest's" "$($P images --digests --noheading localhost/busybox | awk 'NR==1 {print $3}')" \
	"$($P image inspect localhost/busybox | jq -r '.[0].Digest')"
eq "--noheading" "$($P images --noheading | grep -c REPOSITORY)" "0"
eq "--sort repository" "$($P images --sort repository --format '{{.Repository}}' | tr '\n' ' ')" \
	"<none> localhost/busybox localhost/other "
expect_fail "--sort of an unknown key" 125 "is not a valid option for --sort" \
	$P images --sort color
$P rm user > /dev/null

# image prune takes the same filters: -a with until= removes only the old.
expect_fail "prune with an unknown filter, before any question" 125 \
	'unsupported image filter "bogus"' $P image prune --filter bogus=1
eq "prune -a --filter until=1h removes only the images older than an hour" \
	"$($P image prune -a -f --filter until=1h | cut -c1-12)" "$bb"
eq "  ... the newer stays" "$(ids)" "$lab "
finish
