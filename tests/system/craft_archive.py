#!/usr/bin/env python3
"""Hostile image archives for test_images.sh: each breaks one rule the
loader must enforce. Usage: craft_archive.py KIND OUT.tar

Kinds:
  digest-mismatch   an oci-archive blob whose content is not its name
  truncated         an oci-archive cut off in the middle of its layer blob
  member-traversal  an archive member named ../escape
  layer-traversal   a layer (valid digests) with an entry ../escape
  layer-symlink     a layer with a symlink to / and a file written through it
  layer-hardlink    a layer with a hardlink to ../../etc/passwd
  diff-id-mismatch  a layer whose config diff_id is not its content's
  too-many-layers   an image of 129 layers, one more than a container can
                    run on
  second-diff-id-mismatch  two images: the first valid, the second's
                    diff_id not its layer's content
  docker-layer-traversal  a docker-archive whose layer has an entry ../escape
  good NAME         a valid one-layer image named NAME (control)
  docker-good NAME  the same as a docker-archive with RepoTags [NAME]
  nested-index NAME an oci-archive whose index names an index of two
                    platforms (arm64, absent, and amd64)
  hostile-history NAME  a valid image whose history's created_by and
                    comment carry terminal escape sequences
  dated NAME        a valid image created 2024-01-01T00:00:00Z whose layer
                    holds NAME (two NAMEs: two images created at once)
"""
import gzip, hashlib, io, json, sys, tarfile

def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()

def layer_tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for ti, data in entries:
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()

def entry(name, kind=tarfile.REGTYPE, data=b"", link=""):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.linkname = link
    ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    if kind == tarfile.REGTYPE:
        ti.size = len(data)
        return ti, data
    return ti, None

def image_blobs(layers, diff_ids=None, gzipped=True, history=None, created=None):
    """An image's layer blobs, config and manifest: (blobs, config, manifest)."""
    blobs = [gzip.compress(l, mtime=0) if gzipped else l for l in layers]
    cfg = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
           "rootfs": {"type": "layers", "diff_ids": diff_ids or [sha(l) for l in layers]}}
    if history is not None:
        cfg["history"] = history
    if created is not None:
        cfg["created"] = created
    config = json.dumps(cfg).encode()
    kind = "tar+gzip" if gzipped else "tar"
    manifest = json.dumps({"schemaVersion": 2,
                           "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": sha(config), "size": len(config)},
                           "layers": [{"mediaType":
                                       "application/vnd.oci.image.layer.v1." + kind,
                                       "digest": sha(b), "size": len(b)}
                                      for b in blobs]}).encode()
    return blobs, config, manifest

def oci_layout(out, images):
    """An oci-archive of images: [(layers, diff_ids or None, gzipped, name)]."""
    blobs, entries = {}, []
    for layers, diff_ids, gzipped, name in images:
        lblobs, config, manifest = image_blobs(layers, diff_ids, gzipped)
        for b in lblobs + [config, manifest]:
            blobs[sha(b)] = b
        entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": sha(manifest), "size": len(manifest),
                        "annotations": {"org.opencontainers.image.ref.name": name}})
    index = json.dumps({"schemaVersion": 2, "manifests": entries}).encode()
    with tarfile.open(out, mode="w", format=tarfile.PAX_FORMAT) as t:
        def put(path, data):
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        put("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        put("index.json", index)
        for d, b in blobs.items():
            put("blobs/sha256/" + d[7:], b)

def oci_archive(out, layer, name="localhost/crafted:latest", diff_id=None,
                corrupt_blob=False, truncate=False, extra_member=None, nested=False,
                history=None, created=None):
    (gz,), config, manifest = image_blobs([layer], [diff_id] if diff_id else None,
                                          history=history, created=created)
    index = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(manifest),
         "size": len(manifest),
         "annotations": {"org.opencontainers.image.ref.name": name}}]}).encode()
    inner = None
    if nested:
        # A multi-platform index: an arm64 manifest that is not in the
        # archive at all, and ours for amd64; the loader must pick amd64.
        inner = json.dumps({"schemaVersion": 2,
                            "mediaType": "application/vnd.oci.image.index.v1+json",
                            "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": "sha256:" + "e" * 64, "size": 100,
             "platform": {"architecture": "arm64", "os": "linux"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": sha(manifest), "size": len(manifest),
             "platform": {"architecture": "amd64", "os": "linux"}}]}).encode()
        index = json.dumps({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": sha(inner),
             "size": len(inner),
             "annotations": {"org.opencontainers.image.ref.name": name}}]}).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        def put(path, data, size=None):
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        put("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        put("index.json", index)
        put("blobs/sha256/" + sha(config)[7:], config)
        put("blobs/sha256/" + sha(manifest)[7:], manifest)
        if inner:
            put("blobs/sha256/" + sha(inner)[7:], inner)
        if extra_member:
            put(extra_member, b"escape\n")
        data = gz
        if corrupt_blob:
            data = bytearray(gz)
            data[len(data) // 2] ^= 0xff
            data = bytes(data)
        put("blobs/sha256/" + sha(gz)[7:], data)
    raw = buf.getvalue()
    if truncate:
        # Cut inside the layer blob, half of it written.
        at = raw.find(gz)
        assert at > 0
        raw = raw[:at + len(gz) // 2]
    with open(out, "wb") as f:
        f.write(raw)

def docker_archive(out, layer, name="localhost/crafted:latest"):
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [sha(layer)]}}).encode()
    manifest = json.dumps([{"Config": sha(config)[7:] + ".json", "RepoTags": [name],
                            "Layers": [sha(layer)[7:] + ".tar"]}]).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        def put(path, data):
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        put(sha(layer)[7:] + ".tar", layer)
        put(sha(config)[7:] + ".json", config)
        put("manifest.json", manifest)
    with open(out, "wb") as f:
        f.write(buf.getvalue())

def main():
    kind, out = sys.argv[1], sys.argv[2]
    base = [entry("etc", tarfile.DIRTYPE), entry("etc/hello", data=b"hello\n")]
    if kind == "good":
        oci_archive(out, layer_tar(base), name=sys.argv[3])
    elif kind == "digest-mismatch":
        oci_archive(out, layer_tar(base), corrupt_blob=True)
    elif kind == "truncated":
        oci_archive(out, layer_tar(base + [entry("big", data=bytes(range(256)) * 512)]),
                    truncate=True)
    elif kind == "member-traversal":
        oci_archive(out, layer_tar(base), extra_member="../escape")
    elif kind == "layer-traversal":
        oci_archive(out, layer_tar(base + [entry("../escape", data=b"x")]))
    elif kind == "layer-symlink":
        oci_archive(out, layer_tar(base + [entry("out", tarfile.SYMTYPE, link="/tmp"),
                                           entry("out/podd-escape", data=b"x")]))
    elif kind == "layer-hardlink":
        oci_archive(out, layer_tar(base + [entry("pw", tarfile.LNKTYPE,
                                                 link="../../etc/passwd")]))
    elif kind == "nested-index":
        oci_archive(out, layer_tar(base), name=sys.argv[3], nested=True)
    elif kind == "hostile-history":
        oci_archive(out, layer_tar(base), name=sys.argv[3], history=[
            {"created": "2026-01-01T00:00:00Z",
             "created_by": "\x1b]0;pwned\x07\x1b[2J\x1b[31mRED",
             "comment": "\u009b31m c1 and \x1b[0m reset"}])
    elif kind == "dated":
        oci_archive(out, layer_tar(base + [entry("name", data=sys.argv[3].encode())]),
                    name=sys.argv[3], created="2024-01-01T00:00:00Z")
    elif kind == "docker-good":
        docker_archive(out, layer_tar(base), name=sys.argv[3])
    elif kind == "docker-layer-traversal":
        docker_archive(out, layer_tar(base + [entry("../escape", data=b"x")]))
    elif kind == "diff-id-mismatch":
        oci_archive(out, layer_tar(base), diff_id="sha256:" + "0" * 64)
    elif kind == "too-many-layers":
        oci_layout(out, [([layer_tar([entry("f%d" % i, data=b"%d\n" % i)]) for i in range(129)],
                          None, False, "localhost/crafted:latest")])
    elif kind == "second-diff-id-mismatch":
        first = layer_tar(base + [entry("first", data=b"first image\n")])
        oci_layout(out, [([first], None, True, "localhost/first:latest"),
                         ([layer_tar(base)], ["sha256:" + "0" * 64], True,
                          "localhost/second:latest")])
    else:
        sys.exit("unknown kind " + kind)

main()
