#!/bin/sh
# Builds podd.pp with the refpolicy devel Makefile (selinux-policy-dev) in
# OUT, then checks that the module holds every podd domain.
# Usage: build.sh SRC_DIR OUT_DIR
set -eu
src=$1 out=$2
makefile=/usr/share/selinux/devel/Makefile
[ -f "$makefile" ] || { echo "Error: $makefile missing: install selinux-policy-dev" >&2; exit 1; }
mkdir -p "$out"
cp "$src/podd.te" "$src/podd.fc" "$src/podd.if" "$out/"
cd "$out"
rm -f podd.pp
make -s -f "$makefile" podd.pp
test -s podd.pp
# The module's own declarations, as the compiled module lists them.
mkdir -p check
cd check
semodule_unpackage ../podd.pp podd.mod podd.mod.fc
for t in podd_ctl_t podd_state_t podd_image_t podd_exec_t podd_net_t \
	podd_exec_launcher_t podd_net_launcher_t podd_export_t podd_var_lib_t podd_storage_t \
	podd_runtime_t; do
	grep -aq "$t" podd.mod || { echo "Error: $t missing from podd.pp" >&2; exit 1; }
done
grep -q podd_state_exec_t podd.mod.fc
echo "podd.pp built: $(wc -c < ../podd.pp) bytes"
