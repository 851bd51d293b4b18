#!/bin/bash
# registries.json's prefixes, locations, mirrors and blocked registries
# (podman 4.3's registries.conf semantics) against two real docker-registry
# instances on 127.0.0.1: a "mirror" that has busybox, a "primary" whose
# location is a port nothing listens on, and a second registry that has it
# under another path. example.test names no host: a pull of it that works
# went to 127.0.0.1, and the debug log shows every request's URL. A mirror
# behind htpasswd gets its own credentials from the auth file, never --creds
# meant for the name asked for.
. "$(dirname "$0")/lib.sh"
. "$PODD_SOURCE_DIR/tests/system/registry_lib.sh"

ARCHIVE=${PODD_BUSYBOX_ARCHIVE:?PODD_BUSYBOX_ARCHIVE must name the busybox OCI archive}
CONF=$PODD_REGISTRIES_CONF

start_registry mirror || exit 1
start_registry other || exit 1
M=127.0.0.1:$PORT_mirror
O=127.0.0.1:$PORT_other
CLOSED=$(free_port) # nothing listens on these
DOWN=$(free_port)
skopeo copy -q --dest-tls-verify=false "oci-archive:$ARCHIVE" "docker://$M/mirror/busybox:latest" ||
	exit 1
skopeo copy -q --dest-tls-verify=false "oci-archive:$ARCHIVE" "docker://$O/other/busybox:latest" ||
	exit 1
DIGEST=$(skopeo inspect --tls-verify=false "docker://$M/mirror/busybox:latest" | jq -r .Digest)
# The image id: its config's digest.
ID=$(skopeo inspect --raw --tls-verify=false "docker://$M/mirror/busybox:latest" |
	jq -r .config.digest | sed 's/^sha256://')

# root N: a private store per case
root() { echo "$PODCTL --root $T/root$1 --runroot $T/run$1"; }
# urls FILE: the hosts podd-image-registry's debug log shows requests to
urls() { grep -o 'debug: [A-Z]* https\?://[^/]*' "$1" | sed 's|.*://||' | sort -u | tr '\n' ' '; }
names() { $1 images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' '; }

# --- the location down, its mirror serves -----------------------------
cat > "$CONF" <<EOF
{"registries": [{"prefix": "example.test", "location": "127.0.0.1:$CLOSED/x", "insecure": true,
  "mirror": [{"location": "$M/mirror", "insecure": true}]}]}
EOF
P1=$(root 1)
$P1 --log-level=debug pull example.test/busybox > "$T/out" 2> "$T/err"
eq "pull through a mirror when the location is down" "$?/$(cat "$T/out")" "0/$ID"
eq "... shows the name asked for" "$(grep -v '^pod[-a-z]*\[[0-9]*\]: ' "$T/err" | head -1)" \
	"Trying to pull example.test/busybox:latest..."
eq "... contacts only the mirror" "$(urls "$T/err")" "$M "
eq "... and records the name asked for, not the mirror's" "$(names "$P1")" \
	"example.test/busybox:latest "
eq "run pulls a missing image through the mirror too" \
	"$($(root 2) run --rm example.test/busybox echo mirrored 2> "$T/err")" "mirrored"
eq "... recorded under the name asked for" "$(names "$(root 2)")" "example.test/busybox:latest "

# --- mirror-by-digest-only ---------------------------------------------
cat > "$CONF" <<EOF
{"registries": [{"prefix": "example.test", "location": "127.0.0.1:$CLOSED/x", "insecure": true,
  "mirror-by-digest-only": true, "mirror": [{"location": "$M/mirror", "insecure": true}]}]}
EOF
P3=$(root 3)
expect_fail "mirror-by-digest-only: a tag goes to the location alone" 125 \
	"Error: initializing source docker://example.test/busybox:latest: pinging container registry 127.0.0.1:$CLOSED: " \
	$P3 pull example.test/busybox
eq "... and the error is the location's alone" "$(grep -c 'Mirrors also failed' "$T/err")" 0
eq "... nothing stored" "$($P3 images -q -a)" ""
eq "mirror-by-digest-only: a digest comes from the mirror" \
	"$($P3 pull -q "example.test/busybox@$DIGEST" 2> "$T/err")" "$ID"

# --- every source down ---------------------------------------------------
cat > "$CONF" <<EOF
{"registries": [{"prefix": "example.test", "location": "127.0.0.1:$CLOSED/x", "insecure": true,
  "mirror": [{"location": "127.0.0.1:$DOWN/m1", "insecure": true},
             {"location": "127.0.0.1:$DOWN/m2"}]}]}
EOF
P4=$(root 4)
$P4 pull example.test/busybox > /dev/null 2> "$T/err"
eq "all sources down: exit 125" "$?" 125
# The transport's words differ from Go's; the frame is containers/image's.
sed 's/: Get "[^"]*": [^]]*\]/: GET]/; s/: Get "[^"]*": .*$/: GET/' "$T/err" > "$T/err.frame"
eq "... containers/image's error: each mirror, then the location" "$(cat "$T/err.frame")" \
	"Trying to pull example.test/busybox:latest...
Error: initializing source docker://example.test/busybox:latest: (Mirrors also failed: [127.0.0.1:$DOWN/m1/busybox:latest: pinging container registry 127.0.0.1:$DOWN: GET]
[127.0.0.1:$DOWN/m2/busybox:latest: pinging container registry 127.0.0.1:$DOWN: GET]): 127.0.0.1:$CLOSED/x/busybox:latest: pinging container registry 127.0.0.1:$CLOSED: GET"
eq "... nothing stored" "$($P4 images -q -a)" ""

# --- blocked -------------------------------------------------------------
cat > "$CONF" <<EOF
{"unqualified-search-registries": ["$M"],
 "registries": [{"location": "$M/mirror", "insecure": true, "blocked": true}]}
EOF
P5=$(root 5)
expect_fail "a blocked registry is refused" 125 \
	"Error: initializing source docker://$M/mirror/busybox:latest: registry $M/mirror is blocked in $CONF" \
	$P5 --log-level=debug pull "$M/mirror/busybox"
eq "... before anything is contacted" "$(urls "$T/err")" ""
eq "... nothing stored" "$($P5 images -q -a)" ""
expect_fail "a short name resolved to a blocked registry is refused" 125 \
	"registry $M/mirror is blocked in $CONF" $P5 pull mirror/busybox
expect_fail "push to a blocked registry is refused" 125 \
	"Error: initializing destination docker://$M/mirror/pushed:1: registry $M/mirror is blocked in $CONF" \
	$P1 push example.test/busybox "$M/mirror/pushed:1"
skopeo inspect --tls-verify=false "docker://$M/mirror/pushed:1" > /dev/null 2>&1
eq "... and nothing reached the registry" "$?" 1
$(root 6) pull --tls-verify=false "$M/mirrorx/busybox" > /dev/null 2> "$T/err"
eq "a path beside the blocked one is not blocked (the registry is asked)" \
	"$(grep -c 'blocked' "$T/err")/$(grep -c "reading manifest latest in $M/mirrorx/busybox" "$T/err")" \
	"0/1"
echo '{"registries": [{"location": "127.0.0.1:'$PORT_mirror'", "blocked": true}]}' > "$CONF"
expect_fail "login to a blocked registry is refused" 125 \
	"Error: authenticating creds for \"$M\": creating new docker client: registry $M is blocked in $CONF" \
	$P5 login --authfile "$T/blocked-auth.json" -u podd -p pw "$M"
eq "... and no credentials are written" "$(cat "$T/blocked-auth.json" 2> /dev/null)" ""

# A mirror under a blocked entry of its own is skipped uncontacted, as
# containers/image refuses it; the next source serves.
cat > "$CONF" <<EOF
{"registries": [{"location": "$M/mirror", "insecure": true, "blocked": true},
  {"prefix": "example.test", "location": "$O/other", "insecure": true,
   "mirror": [{"location": "$M/mirror", "insecure": true}]}]}
EOF
$(root 10) --log-level=debug pull -q example.test/busybox > "$T/out" 2> "$T/err"
eq "a mirror in a blocked registry is passed over" "$(cat "$T/out")" "$ID"
eq "... uncontacted" "$(urls "$T/err")" "$O "
cat > "$CONF" <<EOF
{"registries": [{"location": "$M/mirror", "insecure": true, "blocked": true},
  {"prefix": "example.test", "location": "127.0.0.1:$CLOSED/x", "insecure": true,
   "mirror": [{"location": "$M/mirror", "insecure": true}]}]}
EOF
expect_fail "... and its attempt's error is the blocked one" 125 \
	"(Mirrors also failed: [$M/mirror/busybox:latest: registry $M/mirror is blocked in $CONF]): 127.0.0.1:$CLOSED/x/busybox:latest: pinging container registry" \
	$(root 10) pull example.test/busybox

# --- a prefix with a path, rewritten to a location with another ------------
cat > "$CONF" <<EOF
{"unqualified-search-registries": ["example.test"],
 "registries": [{"prefix": "example.test", "location": "$O/other", "insecure": true,
                 "unknown-key": "ignored, as podman ignores unknown keys"},
                {"prefix": "example.test/team", "location": "$M/mirror", "insecure": true}]}
EOF
P7=$(root 7)
$P7 --log-level=debug pull -q example.test/busybox > "$T/out" 2> "$T/err"
eq "prefix example.test, location $O/other: pulled" "$(cat "$T/out")" "$ID"
eq "... from 127.0.0.1 only" "$(urls "$T/err")" "$O "
eq "... at the rewritten path" "$(grep -c "GET http://$O/v2/other/busybox/manifests/latest" "$T/err")" 1
$P7 --log-level=debug pull -q example.test/team/busybox > /dev/null 2> "$T/err"
eq "the longest prefix wins (example.test/team → $M/mirror)" "$(urls "$T/err")" "$M "
$P7 --log-level=debug pull -q busybox > /dev/null 2> "$T/err"
eq "a short name's search registry goes through the same matching" "$(urls "$T/err")" "$O "
eq "... all recorded under the names asked for" "$(names "$P7")" \
	"example.test/busybox:latest example.test/team/busybox:latest "

# --- each source's own credentials ------------------------------------------
htpasswd -Bbn podd s3cret > "$T/htpasswd"
start_registry auth "auth:
  htpasswd:
    realm: podd-test
    path: $T/htpasswd" || exit 1
A=127.0.0.1:$PORT_auth
skopeo copy -q --dest-tls-verify=false --dest-creds podd:s3cret "oci-archive:$ARCHIVE" \
	"docker://$A/secure/busybox:latest" || exit 1
cat > "$CONF" <<EOF
{"registries": [{"prefix": "example.test", "location": "127.0.0.1:$CLOSED/x", "insecure": true,
  "mirror": [{"location": "$A/secure", "insecure": true}]}]}
EOF
P8=$(root 8)
expect_fail "a mirror that wants credentials the auth file lacks" 125 \
	"(Mirrors also failed: [$A/secure/busybox:latest: " $P8 pull example.test/busybox
grep -q "unauthorized" "$T/err"
eq "... fails as unauthorized" "$?" 0
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$A/secure" "$(printf podd:s3cret | base64)" \
	> "$T/auth.json"
eq "the mirror's credentials come from the auth file's entry for its host/path" \
	"$($P8 pull -q example.test/busybox 2> "$T/err")" "$ID"
eq "--creds for example.test are not given to a mirror elsewhere (its own are)" \
	"$($(root 9) pull -q --creds podd:wrong example.test/busybox 2> "$T/err")" "$ID"
rm -f "$T/auth.json"

# --- invalid configurations ---------------------------------------------------
cat > "$CONF" <<EOF
{"registries": [{"location": "$O"}, {"prefix": "example.test", "location": "$O/x",
  "mirror": [{"insecure": true}]}]}
EOF
expect_fail "a mirror without a location is refused" 125 \
	"Error: $CONF: registries[1]: mirror[0]: invalid condition: mirror location is unset" \
	$P1 pull "127.0.0.1:$CLOSED/x/busybox"
echo '{"registries": [{"location": "127.0.0.1:1", "blocked": "yes"}]}' > "$CONF"
expect_fail "a non-boolean blocked is refused" 125 \
	"Error: $CONF: registries[0]: blocked is true or false" $P1 pull "127.0.0.1:$CLOSED/x/busybox"
echo '{"registries": [{"prefix": "example.test"}]}' > "$CONF"
expect_fail "a prefix without a location (not a wildcard) is refused" 125 \
	"location is unset and prefix is not in the format: *.example.com" \
	$P1 pull "127.0.0.1:$CLOSED/x/busybox"
eq "... and the store is as it was" "$(names "$P1")" "example.test/busybox:latest "

finish
