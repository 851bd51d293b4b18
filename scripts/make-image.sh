#!/bin/sh
# Builds the bundled default image, localhost/busybox:latest, as an OCI
# archive (what `podctl load -i` and `podman load -i` read) from Debian's
# busybox-static: the root filesystem of make-rootfs.sh as one gzip layer,
# a config with Cmd ["sh"] and PATH set. No registry on the internet is
# reachable here; tests and the demo load this archive.
# Usage: make-image.sh OUTPUT.tar [NAME]
set -eu
out=${1:?usage: make-image.sh OUTPUT.tar [NAME]}
name=${2:-localhost/busybox:latest}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/podd-make-image.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

"$here/make-rootfs.sh" "$work/rootfs"
python3 - "$work/rootfs" "$out" "$name" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile, time

rootfs, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
# Reproducible: every time stamp is busybox's, every owner root.
epoch = int(os.environ.get("SOURCE_DATE_EPOCH", os.stat("/bin/busybox").st_mtime))

def normalise(ti):
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    ti.mtime = epoch
    return ti

layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
    for top, dirs, files in os.walk(rootfs):
        dirs.sort()
        for n in sorted(dirs) + sorted(files):
            p = os.path.join(top, n)
            t.add(p, arcname=os.path.relpath(p, rootfs), recursive=False, filter=normalise)
tar = layer.getvalue()
diff_id = "sha256:" + hashlib.sha256(tar).hexdigest()
gz = io.BytesIO()
with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as g:
    g.write(tar)
gz = gz.getvalue()

created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
config = json.dumps({
    "created": created,
    "architecture": arch,
    "os": "linux",
    "config": {
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "Cmd": ["sh"],
    },
    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    "history": [{"created": created, "created_by": "podd scripts/make-image.sh",
                 "comment": "busybox-static from Debian"}],
}, separators=(",", ":")).encode()

def desc(media, data, **extra):
    d = {"mediaType": media, "digest": "sha256:" + hashlib.sha256(data).hexdigest(),
         "size": len(data)}
    d.update(extra)
    return d

manifest = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": desc("application/vnd.oci.image.config.v1+json", config),
    "layers": [desc("application/vnd.oci.image.layer.v1.tar+gzip", gz)],
}, separators=(",", ":")).encode()
index = json.dumps({
    "schemaVersion": 2,
    "manifests": [desc("application/vnd.oci.image.manifest.v1+json", manifest,
                       annotations={"org.opencontainers.image.ref.name": name})],
}, separators=(",", ":")).encode()

tmp = out + ".tmp"
with tarfile.open(tmp, mode="w", format=tarfile.PAX_FORMAT) as t:
    def put(path, data):
        ti = tarfile.TarInfo(path)
        ti.size = len(data)
        ti.mtime = epoch
        ti.mode = 0o644
        t.addfile(ti, io.BytesIO(data))
    put("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    for blob in (config, gz, manifest):
        put("blobs/sha256/" + hashlib.sha256(blob).hexdigest(), blob)
    put("index.json", index)
os.replace(tmp, out)
PY
