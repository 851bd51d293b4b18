#!/bin/bash
# Credential helpers: an auth file whose "credHelpers" names a helper for a
# registry makes pull, push, login and logout go through
# `docker-credential-NAME get|store|erase`, as podman does, against a real
# docker-registry with htpasswd Basic auth on 127.0.0.1. The helper here
# is a shell script keeping one file per server in $T/store and logging
# each call to $T/calls.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry_lib.sh"

FIXTURE="$PODD_SOURCE_DIR/tests/system/make_oci_image.sh"
"$FIXTURE" "$T/oci" > "$T/fixture-id" || exit 1
ID=$(cat "$T/fixture-id")

htpasswd -Bbn podd s3cret > "$T/htpasswd"
start_registry auth "auth:
  htpasswd:
    realm: basic
    path: $T/htpasswd" || exit 1
R=127.0.0.1:$PORT_auth
skopeo copy -q --dest-tls-verify=false --dest-creds podd:s3cret "oci:$T/oci:latest" \
	"docker://$R/podd/seed:latest" || exit 1

mkdir -p "$T/bin" "$T/store"
cat > "$T/bin/docker-credential-podd-test" <<EOF
#!/bin/sh
input=\$(cat)
echo "\$1 \$input" >> "$T/calls"
key() { echo "\$1" | tr '/:' '__'; }
case \$1 in
get)
	if [ -f "$T/store/\$(key "\$input")" ]; then cat "$T/store/\$(key "\$input")"
	else echo "credentials not found in native keychain"; exit 1; fi ;;
store)
	server=\$(echo "\$input" | sed 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/')
	echo "\$input" > "$T/store/\$(key "\$server")" ;;
erase)
	if [ -f "$T/store/\$(key "\$input")" ]; then rm "$T/store/\$(key "\$input")"
	else echo "credentials not found in native keychain"; exit 1; fi ;;
*) echo "unknown verb"; exit 1 ;;
esac
EOF
chmod +x "$T/bin/docker-credential-podd-test"
export PATH="$T/bin:$PATH"
printf '{"auths":{},"credHelpers":{"%s":"podd-test"}}' "$R" > "$T/auth.json"
auth_sum() { sha256sum "$T/auth.json" | cut -d' ' -f1; }
before=$(auth_sum)

expect_fail "pull: the helper has no credentials, so the registry refuses" 125 \
	"unauthorized" $P pull -q --tls-verify=false "$R/podd/seed:latest"
eq "  ... after asking the helper for the registry" "$(cat "$T/calls")" "get $R"

: > "$T/calls"
expect_fail "login with a wrong password fails" 125 "invalid username/password" \
	$P login --tls-verify=false -u podd -p wrong "$R"
eq "  ... and executes no helper" "$(cat "$T/calls")" ""

$P login --tls-verify=false -u podd -p s3cret "$R" > "$T/out" 2> "$T/err"
eq "login through the helper succeeds" "$(cat "$T/out")" "Login Succeeded!"
eq "  ... the helper stored podman's JSON" "$(cat "$T/calls")" \
	"store {\"ServerURL\":\"$R\",\"Username\":\"podd\",\"Secret\":\"s3cret\"}"
eq "  ... and the auth file is left as it was" "$(auth_sum)" "$before"

eq "pull with the helper's credentials" \
	"$($P pull -q --tls-verify=false "$R/podd/seed:latest" 2> "$T/err")" "$ID"
: > "$T/calls"
check "push with the helper's credentials" \
	$P push -q --tls-verify=false "$R/podd/seed:latest" "$R/podd/copy:1"
eq "  ... which asked the helper once" "$(cat "$T/calls")" "get $R"

: > "$T/calls"
eq "logout erases through the helper" "$($P logout "$R" 2>&1)" \
	"Removed login credentials for $R"
eq "  ... its store is empty" "$(ls "$T/store")" ""
eq "  ... the call was erase" "$(cat "$T/calls")" "erase $R"
eq "  ... and the auth file is left as it was" "$(auth_sum)" "$before"
expect_fail "logout again: not logged in" 125 "not logged into $R" $P logout "$R"

# logout --all erases through every helper and empties "auths".
$P login --tls-verify=false -u podd -p s3cret "$R" > /dev/null
jq --arg r "127.0.0.9:1" '.auths[$r] = {"auth": "eDp5"}' "$T/auth.json" > "$T/a" &&
	mv "$T/a" "$T/auth.json"
eq "logout --all" "$($P logout --all 2>&1)" "Removed login credentials for all registries"
eq "  ... the helper's credentials are erased" "$(ls "$T/store")" ""
eq "  ... and the file is podman's after it: no auths, no helpers" "$(jq -c . "$T/auth.json")" \
	'{"auths":{}}'
printf '{"auths":{},"credHelpers":{"%s":"podd-test"}}' "$R" > "$T/auth.json"
before=$(auth_sum)
expect_fail "logout --all when a helper has nothing: podman's error" 125 \
	'error erasing credentials - err: exit status 1, out: `credentials not found in native keychain`' \
	$P logout --all
eq "  ... and the file is left as it was" "$(auth_sum)" "$before"

# A helper that answers without end is cut off, not waited for.
cat > "$T/bin/docker-credential-podd-flood" <<'FLOOD'
#!/bin/sh
cat > /dev/null
exec yes aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
FLOOD
chmod +x "$T/bin/docker-credential-podd-flood"
printf '{"credHelpers":{"%s":"podd-flood"}}' "$R" > "$T/auth.json"
expect_fail "a helper whose answer has no end" 125 "its answer exceeds" \
	timeout 20 $P pull -q --tls-verify=false "$R/podd/seed:latest"
# ... nor waited for when it ignores SIGPIPE and stays.
cat > "$T/bin/docker-credential-podd-stubborn" <<'STUBBORN'
#!/bin/sh
cat > /dev/null
trap '' PIPE
head -c 200000 /dev/zero | tr '\0' a
exec sleep 60
STUBBORN
chmod +x "$T/bin/docker-credential-podd-stubborn"
printf '{"credHelpers":{"%s":"podd-stubborn"}}' "$R" > "$T/auth.json"
expect_fail "a helper that ignores SIGPIPE and stays is ended" 125 "its answer exceeds" \
	timeout 20 $P pull -q --tls-verify=false "$R/podd/seed:latest"

printf '{"credHelpers":{"%s":"podd-missing"}}' "$R" > "$T/auth.json"
expect_fail "a helper that is not installed: podman's error" 125 \
	'getting username and password: error getting credentials - err: exec: "docker-credential-podd-missing": executable file not found in $PATH' \
	$P pull -q --tls-verify=false "$R/podd/seed:latest"
printf '{"credHelpers":{"%s":"../bin/sh"}}' "$R" > "$T/auth.json"
expect_fail "a helper name that is a path is refused" 125 \
	"not a credential helper's name" $P pull -q --tls-verify=false "$R/podd/seed:latest"
eq "  ... before any image is stored" "$($P images -q | wc -l)" "1"

finish
