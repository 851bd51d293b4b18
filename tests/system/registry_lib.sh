# Sourced after lib.sh by the tests that need real registries: docker-registry
# instances on 127.0.0.1 with their storage in $T, stopped by lib.sh's
# cleanup (their PIDs are in BG_PIDS).

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {
	local i
	for i in $(seq 1 100); do
		if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),1)" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "# nothing listens on $1" >&2
	return 1
}

# start_registry NAME [YAML for http and auth]: a docker-registry with its
# storage in $T/NAME; sets PORT_<NAME>.
start_registry() {
	local name=$1 extra=${2:-} port
	port=$(free_port)
	cat > "$T/$name.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $T/$name
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$extra
EOF
	# docker-registry reads REGISTRY_* variables as configuration.
	env -u REGISTRY_AUTH_FILE docker-registry serve "$T/$name.yml" > "$T/$name.log" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	eval "PORT_$name=$port"
	wait_port "$port"
}
