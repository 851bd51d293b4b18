#!/bin/sh
# Installs every Debian 12 package podd needs to build, test and run.
# Idempotent: apt-get skips what is already installed.
set -eu

PACKAGES="
build-essential cmake pkg-config clang
libseccomp-dev libcap-dev libprotobuf-c-dev protobuf-c-compiler liblmdb-dev lmdb-utils
libcmocka-dev libjson-c-dev libcurl4-openssl-dev libarchive-dev libssl-dev
libzstd-dev zlib1g-dev libacl1-dev
libsubid-dev libselinux1-dev
runc crun conmon catatonit containernetworking-plugins uidmap slirp4netns
golang-github-opencontainers-specs-dev python3 python3-jsonschema jq podman
busybox-static selinux-policy-dev checkpolicy semodule-utils zstd
libclang-rt-14-dev llvm util-linux procps strace
docker-registry skopeo apache2-utils openssl ca-certificates
"

if [ "$(id -u)" -ne 0 ]; then
	echo "Error: install-deps.sh must run as root (it uses apt-get)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $PACKAGES
