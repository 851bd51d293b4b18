#!/bin/bash
# history: podman's rows for an image podman built (COPY, LABEL and ENV, no
# RUN: no container runs) and saved, loaded into podd beside its base;
# then a commit's history, -q, --no-trunc, -H=false and templates.
. "$(dirname "$0")/lib.sh"

ARCHIVE=${PODD_BUSYBOX_ARCHIVE:-}
if [ -z "$ARCHIVE" ] || [ ! -f "$ARCHIVE" ]; then
	ARCHIVE="$T/busybox-oci.tar"
	"$PODD_SOURCE_DIR/scripts/make-image.sh" "$ARCHIVE" || exit 1
fi
PM="podman --root $T/pm/root --runroot $T/pm/run --storage-driver vfs --cgroup-manager cgroupfs --events-backend none"

$P load -q -i "$ARCHIVE" > /dev/null || exit 1
base=$($P images -q --no-trunc localhost/busybox | sed 's/^sha256://')

mkdir -p "$T/ctx"
echo hello > "$T/ctx/a-file-with-a-rather-long-name.txt"
printf 'FROM localhost/busybox:latest\nCOPY a-file-with-a-rather-long-name.txt /srv/\nLABEL a=b\nENV X=1\n' \
	> "$T/ctx/Containerfile"
if $PM load -q -i "$ARCHIVE" > /dev/null 2>&1 &&
	$PM build -q --pull=never --layers=false -t localhost/hist "$T/ctx" > /dev/null 2> "$T/build.err" &&
	$PM save -q --format oci-archive -o "$T/hist.tar" localhost/hist 2>> "$T/build.err"; then
	$P load -q -i "$T/hist.tar" > /dev/null
	eq "history --format json is podman's, byte for byte" \
		"$($P history --format json localhost/hist)" "$($PM history --format json localhost/hist)"
	# Cells split where two spaces or more pad them; CREATED left out.
	cells() { sed -E 's/ {2,}/|/g' | cut -d'|' -f1,3-; }
	eq "  ... and so is the table (times aside)" \
		"$($P history localhost/hist | cells)" "$($PM history localhost/hist | cells)"
	eq "  ... and -q" "$($P history -q localhost/hist)" "$($PM history -q localhost/hist)"
	$PM rmi -a -f > /dev/null 2>&1
else
	not_ok "podman builds and saves an image to compare with: $(cat "$T/build.err")"
fi

# A commit: the new layer's entry first, with the image's id; the base's
# entry with the base image's id, since that image is in the store.
$P run --name c1 localhost/busybox:latest sh -c 'echo x > /new' > /dev/null
id=$($P commit -q -a tester c1 localhost/committed)
eq "history of a commit: its rows, newest first" \
	"$($P history --format '{{.ID}}|{{.CreatedBy}}|{{.Comment}}' localhost/committed)" \
	"${id:0:12}|/bin/sh|FROM localhost/busybox:latest
${base:0:12}|podd scripts/make-image.sh|busybox-static from Debian"
eq "  ... -q" "$($P history -q localhost/committed | tr '\n' ' ')" "${id:0:12} ${base:0:12} "
eq "  ... --no-trunc" "$($P history -q --no-trunc localhost/committed | tr '\n' ' ')" "$id $base "
check "  ... -H=false: RFC 3339 times" bash -c \
	"$P history -H=false localhost/committed | grep -Eq '^[0-9a-f]{12}  [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z  '"
eq "  ... the base layer's size, as the store recorded it" \
	"$($P history --format json localhost/committed | jq '.[1].size')" \
	"$($P image inspect localhost/busybox | jq '.[0].Size')"
eq "image history is the same command" "$($P image history -q localhost/committed | wc -l)" "2"
# An image's words are hostile text: no escape sequence reaches the
# terminal from the table or a template.
python3 "$PODD_SOURCE_DIR/tests/system/craft_archive.py" hostile-history "$T/hostile.tar" \
	localhost/hostile:latest
$P load -q -i "$T/hostile.tar" > /dev/null
check "history's table carries no control character" bash -c \
	"! $P history --no-trunc localhost/hostile | LC_ALL=C grep -q \$'[\x01-\x1f\x7f]'"
check "  ... nor a template" bash -c \
	"! $P history --format '{{.CreatedBy}} {{.Comment}}' localhost/hostile | LC_ALL=C grep -q \$'[\x01-\x1f\x7f]|\xc2\x9b'"
eq "  ... the escapes shown as '?'" \
	"$($P history --no-trunc --format '{{.CreatedBy}}' localhost/hostile)" "?]0;pwned??[2J?[31mRED"
expect_fail "history of a missing image" 125 "nosuch: image not known" $P history nosuch
expect_fail "history without an image" 125 "accepts 1 arg(s), received 0" $P history

finish
