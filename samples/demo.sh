#!/bin/sh
# The main job on the embedded sample tree: scan, dry-run diff, patch series.
# Usage: sh samples/demo.sh [path/to/kcodemod]
set -eu
kc=${1:-kcodemod}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/kcodemod-demo.XXXXXX")
cp -a "$here/linux-mini" "$out/linux-mini"
tree=$out/linux-mini
git -C "$tree" init -q -b master
git -C "$tree" add -A
git -C "$tree" -c user.name="Demo Developer" -c user.email="demo@example.org" \
    commit -q -m "Import the kcodemod sample tree"
git -C "$tree" config user.name "Demo Developer"
git -C "$tree" config user.email "demo@example.org"

echo "== kcodemod scan $tree"
"$kc" scan "$tree"
echo
echo "== kcodemod diff $tree"
"$kc" diff --color=never "$tree"
echo
echo "== kcodemod series $tree -o $out/patches"
"$kc" series "$tree" -o "$out/patches"
ls "$out/patches"
echo
echo "demo: sample tree in $tree, patch series in $out/patches"
