#!/usr/bin/env python3
"""An OCI archive for test_run_image.sh: a base layer from a rootfs
directory, optionally a second layer with OCI whiteouts, and an image
config with the given Entrypoint/Cmd/Env/WorkingDir/User/StopSignal.

usage: make_test_image.py ROOTFS OUT.tar NAME [--config JSON] [--layer2]

--layer2 adds a layer on top that deletes /etc/motd (a .wh.motd
whiteout), replaces /opq with an opaque dir holding only "new", and adds
/layer2. The base layer gets /etc/motd and /opq/old for it to hide.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

rootfs, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
cfg = {}
layer2 = False
args = sys.argv[4:]
while args:
    a = args.pop(0)
    if a == "--config":
        cfg = json.loads(args.pop(0))
    elif a == "--layer2":
        layer2 = True
    else:
        sys.exit("unknown argument " + a)


def norm(ti):
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    ti.mtime = 1700000000
    return ti


def add_bytes(t, path, data, mode=0o644):
    ti = norm(tarfile.TarInfo(path))
    ti.size = len(data)
    ti.mode = mode
    t.addfile(ti, io.BytesIO(data))


def add_dir(t, path, mode=0o755):
    ti = norm(tarfile.TarInfo(path))
    ti.type = tarfile.DIRTYPE
    ti.mode = mode
    t.addfile(ti)


def base_layer():
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        for top, dirs, files in os.walk(rootfs):
            dirs.sort()
            for n in sorted(dirs) + sorted(files):
                p = os.path.join(top, n)
                t.add(p, arcname=os.path.relpath(p, rootfs), recursive=False, filter=norm)
        add_bytes(t, "etc/motd", b"base motd\n")
        add_dir(t, "opq")
        add_bytes(t, "opq/old", b"old\n")
        add_dir(t, "home")
        add_dir(t, "home/user", 0o777)
    return b.getvalue()


def second_layer():
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        add_dir(t, "etc")
        add_bytes(t, "etc/.wh.motd", b"")
        add_dir(t, "opq")
        add_bytes(t, "opq/.wh..wh..opq", b"")
        add_bytes(t, "opq/new", b"new\n")
        add_bytes(t, "layer2", b"from layer 2\n")
    return b.getvalue()


blobs = {}


def blob(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs[d] = data
    return d


layers = [base_layer()] + ([second_layer()] if layer2 else [])
diff_ids, descs = [], []
for tar in layers:
    diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as g:
        g.write(tar)
    gz = gz.getvalue()
    descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                  "digest": blob(gz), "size": len(gz)})
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
config = json.dumps({
    "created": "2023-11-14T22:13:20Z", "architecture": arch, "os": "linux",
    "config": cfg, "rootfs": {"type": "layers", "diff_ids": diff_ids},
}).encode()
cdesc = {"mediaType": "application/vnd.oci.image.config.v1+json",
         "digest": blob(config), "size": len(config)}
manifest = json.dumps({"schemaVersion": 2,
                       "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": cdesc, "layers": descs}).encode()
mdesc = {"mediaType": "application/vnd.oci.image.manifest.v1+json",
         "digest": blob(manifest), "size": len(manifest),
         "annotations": {"org.opencontainers.image.ref.name": name}}
index = json.dumps({"schemaVersion": 2, "manifests": [mdesc]}).encode()
with tarfile.open(out, "w") as t:
    add_bytes(t, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    add_bytes(t, "index.json", index)
    for d, data in blobs.items():
        add_bytes(t, "blobs/sha256/" + d[7:], data)
