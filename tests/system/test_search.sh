#!/bin/bash
# podctl search against real docker-registry instances on 127.0.0.1 (the v2
# catalog, paginated; tags lists; htpasswd Basic auth; TLS with --cert-dir),
# and against search_registry.py, a registry that serves the v1 search API
# and answers as a hostile one would. Outputs are compared with podman 4.3's where
# podman runs here (its own --root and --runroot in $T).
. "$(dirname "$0")/lib.sh"
. "$PODD_SOURCE_DIR/tests/system/registry_lib.sh"

ARCHIVE=${PODD_BUSYBOX_ARCHIVE:?PODD_BUSYBOX_ARCHIVE must name the busybox OCI archive}
CONF=$PODD_REGISTRIES_CONF
# podman gets its own registries.conf; the auth file is lib.sh's.
export CONTAINERS_REGISTRIES_CONF="$T/registries.conf"
: > "$CONTAINERS_REGISTRIES_CONF"
PM=
if command -v podman > /dev/null; then
	PM="podman --root $T/pm --runroot $T/pmr --storage-driver vfs"
fi
# same_as_podman DESCRIPTION ARGS...: podctl search's stdout, stderr and
# exit code are podman search's (skipped without podman).
same_as_podman() {
	local what=$1 a b
	shift
	[ -n "$PM" ] || return 0
	a=$($P search "$@" 2>&1; echo "rc=$?")
	# podman logs a catalog failure with logrus too: that line is not ours.
	b=$($PM search "$@" 2>&1 | grep -v '^time=.*level=error'; echo "rc=${PIPESTATUS[0]}")
	eq "$what: as podman" "$a" "$b"
}

skopeo copy -q "oci-archive:$ARCHIVE" "oci:$T/oci:latest" || exit 1
push_to() { local dest=$1; shift; skopeo copy -q --dest-tls-verify=false "$@" "oci:$T/oci:latest" "docker://$dest"; }

# --- a plain registry: the catalog ------------------------------------
start_registry reg || exit 1
R=127.0.0.1:$PORT_reg
for n in podd/busybox:latest podd/busybox:v1 podd/busybox:v2 podd/alpine:3 library/busy:1 \
	other/thing:x; do
	push_to "$R/$n" || exit 1
done

echo '{}' > "$REGISTRY_AUTH_FILE"
$P search --tls-verify=false "$R/" > "$T/out" 2> "$T/err"
eq "search REGISTRY/ lists every repository, podman's table" "$(cat "$T/out")/$(cat "$T/err")" \
	"NAME                          DESCRIPTION
$R/library/busy  
$R/other/thing   
$R/podd/alpine   
$R/podd/busybox  /"
same_as_podman "search REGISTRY/" --tls-verify=false "$R/"
eq "search REGISTRY/TERM: names containing the term" \
	"$($P search --tls-verify=false "$R/busy" | awk 'NR > 1 {print $1}' | tr '\n' ' ')" \
	"$R/library/busy $R/podd/busybox "
same_as_podman "search REGISTRY/TERM" --tls-verify=false "$R/busy"
eq "--limit 2: the first two" \
	"$($P search --tls-verify=false --limit 2 "$R/" | awk 'NR > 1 {print $1}' | tr '\n' ' ')" \
	"$R/library/busy $R/other/thing "
same_as_podman "--limit 2" --tls-verify=false --limit 2 "$R/"
$P search --tls-verify=false "$R/nomatch" > "$T/out" 2> "$T/err"
eq "no match: nothing at all, exit 0" "$?/$(cat "$T/out")/$(cat "$T/err")" "0//"
eq "--limit -1: nothing, as podman" "$($P search --tls-verify=false --limit -1 "$R/"; echo "rc=$?")" \
	"rc=0"
$P search --tls-verify=false --format json "$R/busy" > "$T/out"
eq "--format json: podman's keys and values" \
	"$(jq -c '[.[] | [.Index, .Name, .Description, .Stars, .Official, .Automated, .Tag]]' "$T/out")" \
	"[[\"$R\",\"$R/library/busy\",\"\",0,\"\",\"\",\"\"],[\"$R\",\"$R/podd/busybox\",\"\",0,\"\",\"\",\"\"]]"
eq "--format json: the keys in podman's order" "$(jq -c '.[0] | keys_unsorted' "$T/out")" \
	'["Index","Name","Description","Stars","Official","Automated","Tag"]'
same_as_podman "--format json" --tls-verify=false --format json "$R/busy"
eq "--format TEMPLATE: one line a result" \
	"$($P search --tls-verify=false --format '{{.Name}}|{{.Index}}|{{.Stars}}' "$R/busy")" \
	"$R/library/busy|$R|0
$R/podd/busybox|$R|0"
same_as_podman "--format TEMPLATE" --tls-verify=false --format '{{.Name}}|{{.Index}}|{{.Stars}}' "$R/busy"
same_as_podman "--format 'table ...': headings and columns" --tls-verify=false \
	--format 'table {{.Index}} {{.Name}}\t{{.Stars}}' "$R/busy"
same_as_podman "--compatible" --tls-verify=false --compatible "$R/busy"
expect_fail "--format naming no field of the report" 125 "can't evaluate field Bogus" \
	$P search --tls-verify=false --format '{{.Bogus}}' "$R/busy"

# --list-tags
$P search --tls-verify=false --list-tags "$R/podd/busybox" > "$T/out"
eq "--list-tags: NAME TAG, a row a tag" "$(cat "$T/out")" \
	"NAME                          TAG
$R/podd/busybox  latest
$R/podd/busybox  v1
$R/podd/busybox  v2"
same_as_podman "--list-tags" --tls-verify=false --list-tags "$R/podd/busybox"
eq "--list-tags ignores the tag given" \
	"$($P search --tls-verify=false --list-tags "$R/podd/busybox:v1" | wc -l)" 4
eq "--list-tags --limit 2" \
	"$($P search --tls-verify=false --list-tags --limit 2 "$R/podd/busybox" | awk 'NR > 1 {print $2}' | tr '\n' ' ')" \
	"latest v1 "
eq "--list-tags --format json: a name and its tags" \
	"$($P search --tls-verify=false --list-tags --format json "$R/podd/busybox" | jq -c .)" \
	"[{\"Name\":\"$R/podd/busybox\",\"Tags\":[\"latest\",\"v1\",\"v2\"]}]"
same_as_podman "--list-tags --format json" --tls-verify=false --list-tags --format json "$R/podd/busybox"
same_as_podman "--list-tags ignores a --format template" --tls-verify=false --list-tags \
	--format '{{.Name}}:{{.Tag}}' "$R/podd/busybox"

# errors
expect_fail "--list-tags of a repository that does not exist" 125 \
	"getting repository tags: fetching tags list: invalid status code from registry 404 (Not Found)" \
	$P search --tls-verify=false --list-tags "$R/podd/nothere"
eq "... in podman's words and layout" "$(cat "$T/err"; echo .)" \
	"Error: 1 error occurred:
	* getting repository tags: fetching tags list: invalid status code from registry 404 (Not Found)


."
same_as_podman "--list-tags of a missing repository" --tls-verify=false --list-tags "$R/podd/nothere"
expect_fail "--list-tags without a repository" 125 "reference \"\" must be a docker reference" \
	$P search --tls-verify=false --list-tags "$R/"
same_as_podman "--list-tags REGISTRY/" --tls-verify=false --list-tags "$R/"
CLOSED=$(free_port)
expect_fail "an unreachable registry: the plain HTTP attempt's error, as podman's" 125 \
	"* couldn't search registry \"127.0.0.1:$CLOSED\": pinging container registry 127.0.0.1:$CLOSED: Get \"http://127.0.0.1:$CLOSED/v2/\": " \
	$P search --tls-verify=false "127.0.0.1:$CLOSED/busy"
expect_fail "a registry that speaks no TLS, verified" 125 \
	"couldn't search registry \"$R\": pinging container registry $R: Get \"https://$R/v2/\"" \
	$P search "$R/busy"
expect_fail "--list-tags with --filter" 125 "filters are not applicable to list tags result" \
	$P search --tls-verify=false --list-tags --filter stars=1 "$R/podd/busybox"
expect_fail "no term" 125 "accepts 1 arg(s), received 0" $P search
expect_fail "two terms" 125 "accepts 1 arg(s), received 2" $P search a b
expect_fail "--limit not a number" 125 \
	"invalid argument \"x\" for \"--limit\" flag: strconv.ParseInt: parsing \"x\": invalid syntax" \
	$P search --limit x "$R/"
expect_fail "--filter stars without a value" 125 \
	"invalid filter [\"stars\"], should be stars=<value>" $P search --filter stars "$R/"
expect_fail "--filter stars=x" 125 \
	"incorrect value type for stars filter: strconv.Atoi: parsing \"x\": invalid syntax" \
	$P search --filter stars=x "$R/"
expect_fail "--filter of an unknown key" 125 "invalid filter type \"foo=1\"" \
	$P search --filter foo=1 "$R/"
rm -f "$REGISTRY_AUTH_FILE"
expect_fail "--authfile that does not exist" 125 "stat $T/nofile: no such file or directory" \
	$P search --authfile "$T/nofile" "$R/"
same_as_podman "REGISTRY_AUTH_FILE naming no file" --tls-verify=false "$R/"
# podman wants the auth file REGISTRY_AUTH_FILE names to exist.
echo '{}' > "$REGISTRY_AUTH_FILE"
for args in "--filter foo=1 $R/" "--filter stars $R/" "--filter stars=x $R/"; do
	# shellcheck disable=SC2086
	same_as_podman "error: $args" --tls-verify=false $args
done

# --- a paginated catalog: the Link header, the default limit of 25 --------
start_registry pag "catalog:
  maxentries: 2" || exit 1
G=127.0.0.1:$PORT_pag
for i in $(seq 10 39); do push_to "$G/z/r$i" || exit 1; done
for i in $(seq 10 39); do push_to "$G/z/r10:t$i" || exit 1; done
eq "a paginated catalog: 25 results by default" \
	"$($P search --tls-verify=false "$G/" | tail -n +2 | wc -l)" 25
eq "--limit 30: every page followed" \
	"$($P search --tls-verify=false --limit 30 "$G/" | awk 'NR > 1 {print $1}' | tr '\n' ' ')" \
	"$(for i in $(seq 10 39); do printf '%s ' "$G/z/r$i"; done)"
eq "--limit 100: as many as there are" \
	"$($P search --tls-verify=false --limit 100 "$G/" | tail -n +2 | wc -l)" 30
eq "a term matched across pages" \
	"$($P search --tls-verify=false "$G/r3" | awk 'NR > 1 {print $1}' | tr '\n' ' ')" \
	"$(for i in $(seq 30 39); do printf '%s ' "$G/z/r$i"; done)"
same_as_podman "a paginated catalog" --tls-verify=false --limit 30 "$G/"
eq "--list-tags: 25 tags by default" \
	"$($P search --tls-verify=false --list-tags "$G/z/r10" | tail -n +2 | wc -l)" 25
eq "--list-tags --limit 100: all 31" \
	"$($P search --tls-verify=false --list-tags --limit 100 "$G/z/r10" | tail -n +2 | wc -l)" 31
same_as_podman "--list-tags --limit 100" --tls-verify=false --list-tags --limit 100 "$G/z/r10"

# --- a term without a registry: registries.json's search registries --------
cat > "$CONF" <<EOF
{"unqualified-search-registries": ["127.0.0.1:$CLOSED", "$R"],
 "registries": [{"location": "$R", "insecure": true}, {"location": "127.0.0.1:$CLOSED", "insecure": true}]}
EOF
cat > "$CONTAINERS_REGISTRIES_CONF" <<EOF
unqualified-search-registries = ["127.0.0.1:$CLOSED", "$R"]
[[registry]]
location = "$R"
insecure = true
[[registry]]
location = "127.0.0.1:$CLOSED"
insecure = true
EOF
$P search busy > "$T/out" 2> "$T/err"
eq "a bare term: the search registries' results; one that fails is not an error" \
	"$?/$(awk 'NR > 1 {print $1}' "$T/out" | tr '\n' ' ')/$(cat "$T/err")" \
	"0/$R/library/busy $R/podd/busybox /"
same_as_podman "a bare term" busy
eq "an insecure registry needs no --tls-verify=false" \
	"$($P search --list-tags "$R/podd/busybox" 2>&1 | tail -n +2 | wc -l)" 3
expect_fail "a bare term that no search registry answers: each error" 125 \
	"Error: 2 errors occurred:" $P search --list-tags nothere
eq "... one line each, in order" "$(grep -c "^	\* getting repository tags: " "$T/err")/$(sed -n 2p "$T/err")" \
	"2/	* getting repository tags: pinging container registry 127.0.0.1:$CLOSED: Get \"http$(sed -n 2p "$T/err" | sed 's/.*Get "http//')"
eq "... the second: the missing repository" "$(sed -n 3p "$T/err")" \
	"	* getting repository tags: fetching tags list: invalid status code from registry 404 (Not Found)"
eq "a term's first part is its registry (localhost:PORT)" \
	"$($P search --tls-verify=false --list-tags "localhost:$PORT_reg/podd/busybox" | tail -n +2 | awk '{print $1}' | sort -u)" \
	"localhost:$PORT_reg/podd/busybox"
cat > "$CONF" <<EOF
{"unqualified-search-registries": ["$R"],
 "registries": [{"location": "$R", "blocked": true}]}
EOF
expect_fail "a blocked registry is not asked" 125 \
	"* creating new docker client: registry $R is blocked in $CONF" $P search busy
echo '{"unqualified-search-registries": []}' > "$CONF"
$P search busy > "$T/out" 2> "$T/err"
eq "no search registries: nothing, exit 0, as podman" "$?/$(cat "$T/out")/$(cat "$T/err")" "0//"
rm -f "$CONF"

# --- credentials ---------------------------------------------------------
htpasswd -Bbn podd s3cret > "$T/htpasswd"
start_registry auth "auth:
  htpasswd:
    realm: podd-test
    path: $T/htpasswd" || exit 1
A=127.0.0.1:$PORT_auth
push_to "$A/podd/secret:1" --dest-creds podd:s3cret || exit 1
expect_fail "a registry that wants credentials" 125 \
	"couldn't search registry \"$A\": unable to retrieve auth token: invalid username/password: unauthorized: authentication required" \
	$P search --tls-verify=false "$A/"
same_as_podman "no credentials" --tls-verify=false "$A/"
eq "--creds" "$($P search --tls-verify=false --creds podd:s3cret "$A/" | awk 'NR > 1 {print $1}')" \
	"$A/podd/secret"
expect_fail "--creds with a wrong password" 125 "unauthorized" \
	$P search --tls-verify=false --creds podd:wrong "$A/"
$P login --tls-verify=false -u podd -p s3cret --authfile "$T/login.json" "$A" > /dev/null
eq "the auth file's credentials" \
	"$($P search --tls-verify=false --authfile "$T/login.json" --list-tags "$A/podd/secret" | tail -n +2)" \
	"$A/podd/secret  1"

# --- TLS: a self-signed certificate, trusted through --cert-dir -----------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2> /dev/null ||
	exit 1
start_registry tls "  tls:
    certificate: $T/cert.pem
    key: $T/key.pem" || exit 1
S=127.0.0.1:$PORT_tls
push_to "$S/podd/tls:1" --dest-cert-dir=/nonexistent || exit 1
expect_fail "a self-signed certificate is refused by default" 125 \
	"couldn't search registry \"$S\": pinging container registry $S: Get \"https://$S/v2/\": tls: failed to verify certificate" \
	$P search "$S/"
mkdir -p "$T/certs"
cp "$T/cert.pem" "$T/certs/ca.crt"
eq "--cert-dir with the registry's CA verifies it" \
	"$($P search --cert-dir "$T/certs" "$S/" | tail -n +2 | awk '{print $1}')" "$S/podd/tls"
eq "--list-tags --cert-dir" \
	"$($P search --cert-dir "$T/certs" --list-tags "$S/podd/tls" | tail -n +2 | awk '{print $2}')" "1"

# --- the v1 search API and a hostile registry -------------------------------
FP=$(free_port)
python3 "$PODD_SOURCE_DIR/tests/system/search_registry.py" "$FP" "$T/fake.log" \
	> "$T/fake.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_port "$FP" || exit 1
F=127.0.0.1:$FP
$P search --tls-verify=false --compatible "$F/a" > "$T/v1out"
eq "v1 search: descriptions cut at 44, stars, official, automated; control characters shown as ?; names that are none left out" \
	"$(cat "$T/v1out")" \
	"NAME                             DESCRIPTION                                      STARS       OFFICIAL    AUTOMATED
$F/library/alpine   A minimal Docker image based on Alpine Linux...  9000        [OK]        
$F/user/auto-build  short one                                        3                       [OK]
$F/evil/escape      red ?[31mtext?2J and a newline                   1                       "
eq "v1 search was asked, with the term and the limit" "$(grep -c '^/v1/search?q=a&n=25$' "$T/fake.log")" 1
same_as_podman "v1 search" --tls-verify=false --compatible "$F/alp"
eq "--no-trunc" "$($P search --tls-verify=false --no-trunc "$F/alp" | tail -n +2)" \
	"$F/library/alpine  A minimal Docker image based on Alpine Linux with a complete package index"
same_as_podman "--no-trunc" --tls-verify=false --no-trunc "$F/alp"
eq "JSON keeps the whole description" \
	"$($P search --tls-verify=false --format json "$F/alp" | jq -r '.[0].Description')" \
	"A minimal Docker image based on Alpine Linux with a complete package index"
same_as_podman "v1 search --format json" --tls-verify=false --format json "$F/alp"
eq "--filter is-automated" "$($P search --tls-verify=false --filter is-automated "$F/a" | tail -n +2 | awk '{print $1}')" \
	"$F/user/auto-build"
eq "--filter stars=5" "$($P search --tls-verify=false --filter stars=5 "$F/a" | tail -n +2 | awk '{print $1}')" \
	"$F/library/alpine"
eq "--filter is-official=false" \
	"$($P search --tls-verify=false --filter is-official=false "$F/a" | tail -n +2 | awk '{print $1}' | tr '\n' ' ')" \
	"$F/user/auto-build $F/evil/escape "
same_as_podman "--filter stars=5" --tls-verify=false --filter stars=5 "$F/a"
same_as_podman "--filter stars=3 (at least 3)" --tls-verify=false --filter stars=3 "$F/a"
same_as_podman "--filter is-automated" --tls-verify=false --filter is-automated "$F/a"
same_as_podman "--filter is-official --compatible" --tls-verify=false --compatible \
	--filter is-official "$F/a"
eq "no v1 API: the catalog, its names that are none left out" \
	"$($P search --tls-verify=false "$F/nov1" | tail -n +2 | awk '{print $1}' | tr '\n' ' ')" \
	"$F/nov1/one $F/nov1/two "
eq "tags paginated through Link (another host's ignored), tags that are none left out" \
	"$($P search --tls-verify=false --list-tags "$F/paged" | tail -n +2 | awk '{print $2}' | tr '\n' ' ')" \
	"t1 t2 t3 t4 t5 t6 "
eq "... every page asked of this registry" \
	"$(grep -c '^/v2/paged/tags/list' "$T/fake.log")" 3
expect_fail "a Link that never ends: bounded" 125 "the registry's answer has more than 1000 pages" \
	$P search --tls-verify=false --list-tags "$F/loop"
expect_fail "a page larger than 1 MiB: refused" 125 "getting repository tags: " \
	$P search --tls-verify=false --list-tags "$F/huge"
$P search --tls-verify=false --list-tags "$F/paged" > "$T/tagsout" 2>&1
$P search --tls-verify=false "$F/nov1" > "$T/catout" 2>&1
if ! grep -q 'evil/escape  *red ?\[31mtext?2J' "$T/v1out" || ! grep -q paged "$T/tagsout" ||
	! grep -q nov1/one "$T/catout" ||
	LC_ALL=C grep -q $'\x1b' "$T/v1out" "$T/tagsout" "$T/catout"; then
	not_ok "no escape character reaches the terminal"
else
	ok "no escape character reaches the terminal"
fi

finish
