#!/bin/bash
# The OCI bundles podd-exec writes validate against the runtime-spec schema
# (Debian's golang-github-opencontainers-specs-dev), for the default
# container, every option that changes config.json, and exec sessions.
. "$(dirname "$0")/lib.sh"
validate="python3 $PODD_SOURCE_DIR/tests/system/oci_validate.py"

# A config known to be wrong must fail: the check can fail.
echo '{"ociVersion": "1.0.2", "process": {"args": ["x"]}}' > "$T/bad.json"
bad_out=$($validate config "$T/bad.json")
eq "the validator refuses a config without cwd" \
	"$? $(grep -c "'cwd' is a required property" <<< "$bad_out")" "1 1"

n=0
bundle_ok() {
	local what=$1 id
	shift
	n=$((n + 1))
	id=$($P run -d --name "v$n" "$@" --rootfs "$ROOTFS" /bin/sleep 1000) || {
		not_ok "$what: run failed"
		return
	}
	if out=$($validate config "$T/run/containers/$id/config.json"); then
		ok "$what: config.json validates"
	else
		not_ok "$what: $out"
	fi
}

bundle_ok "default"
bundle_ok "terminal and stdin" -i -t
bundle_ok "read-only" --read-only
bundle_ok "privileged" --privileged
bundle_ok "capabilities" --cap-add NET_ADMIN --cap-drop CHOWN
bundle_ok "security options" --security-opt no-new-privileges --security-opt seccomp=unconfined
bundle_ok "limits" --memory 64m --cpus 0.5 --pids-limit 100 --ulimit nofile=512:1024 --shm-size 16m
bundle_ok "init" --init
bundle_ok "environment, user, workdir" -e A=1 -u 1000:1000 -w /tmp --hostname box
bundle_ok "dns and hosts" --dns 127.0.0.1 --dns-search example.org --add-host db:127.0.0.2
bundle_ok "host network" --network host

sid=$($P exec -d v1 /bin/sleep 1)
id=$($P inspect --format '{{.Id}}' v1)
if out=$($validate process "$T/run/containers/$id/exec/$sid/process.json"); then
	ok "an exec session's process.json validates"
else
	not_ok "exec process.json: $out"
fi

# What the runtime reads is what the launcher checked (podd-exec/pin.c): a
# runtime wrapper, standing in for a worker racing the runtime, tries to
# rewrite and to replace config.json, process.json and /etc/hosts' source
# just before the runtime reads them, and records what it managed.
runc_path=$(command -v runc)
cat > "$T/racer" << EOF
#!/bin/sh
log=$T/racer.log
bundle= ; spec= ; prev=
for a in "\$@"; do
	case "\$prev" in --bundle|-b) bundle=\$a ;; --process|-p) spec=\$a ;; esac
	prev=\$a
done
try() {
	(echo '{"hooks":{}}' > "\$1") 2> /dev/null && echo "wrote \${1##*/}" >> "\$log"
	echo x > "\$1.new"
	mv -f "\$1.new" "\$1" 2> /dev/null && echo "replaced \${1##*/}" >> "\$log"
	rm -f "\$1.new"
	echo "tried \${1##*/}" >> "\$log"
}
if [ -n "\$bundle" ]; then try "\$bundle/config.json"; try "\$bundle/hosts"; fi
if [ -n "\$spec" ]; then try "\$spec"; fi
exec $runc_path "\$@"
EOF
chmod 0755 "$T/racer"
: > "$T/racer.log"
if $P --runtime "$T/racer" run -d --name raced --rootfs "$ROOTFS" /bin/sleep 1000 > /dev/null &&
	$P exec raced /bin/true; then
	# hosts stays writable (the container may write its /etc/hosts); it
	# cannot be replaced.
	eq "the runtime's config.json and process.json could not be changed, hosts not replaced" \
		"$(grep -v '^tried' "$T/racer.log" | sort | tr '\n' ' ')" "wrote hosts "
	eq "the racer ran at create and exec" "$(grep -c '^tried' "$T/racer.log")" "3"
	eq "no pin outlives the spawn" "$(grep -cF -- " $T/run/containers/" /proc/self/mountinfo)" "0"
else
	not_ok "run or exec with the racing runtime failed: $(cat "$T/racer.log")"
fi
finish
