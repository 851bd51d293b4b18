#!/bin/sh
# make_oci_image.sh DIR [EXTRA_BYTES]: an OCI image layout in DIR with one
# gzip layer holding busybox-static (and, with EXTRA_BYTES, a file of that
# many random bytes, for the pull memory measurement). For the registry
# tests, pushed with skopeo where the bundled image is not at hand.
set -eu
dir=$1
extra=${2:-0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$dir/blobs/sha256"
cp /bin/busybox "$work/root/bin/busybox"
ln -s busybox "$work/root/bin/sh"
ln -s busybox "$work/root/bin/echo"
if [ "$extra" -gt 0 ]; then
	head -c "$extra" /dev/urandom > "$work/root/random.bin"
fi
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/root" -cf "$work/layer.tar" .
diff_id=$(sha256sum < "$work/layer.tar" | cut -d' ' -f1)
gzip -n -1 < "$work/layer.tar" > "$work/layer.tar.gz"
layer=$(sha256sum < "$work/layer.tar.gz" | cut -d' ' -f1)
layer_size=$(stat -c %s "$work/layer.tar.gz")
mv "$work/layer.tar.gz" "$dir/blobs/sha256/$layer"
cat > "$work/config.json" <<JSON
{"created":"2026-01-01T00:00:00Z","architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh","-c","echo hello from podd"]},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created":"2026-01-01T00:00:00Z","created_by":"make_oci_image.sh"}]}
JSON
config=$(sha256sum < "$work/config.json" | cut -d' ' -f1)
config_size=$(stat -c %s "$work/config.json")
mv "$work/config.json" "$dir/blobs/sha256/$config"
cat > "$work/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer","size":$layer_size}]}
JSON
manifest=$(sha256sum < "$work/manifest.json" | cut -d' ' -f1)
manifest_size=$(stat -c %s "$work/manifest.json")
mv "$work/manifest.json" "$dir/blobs/sha256/$manifest"
printf '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
cat > "$dir/index.json" <<JSON
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest","size":$manifest_size,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}
JSON
echo "$config"
