#!/bin/sh
# Builds the crate (cargo build --release, plus any arguments given; with a
# --profile NAME among them, that profile instead of release) and
# prints where the products are, as shell assignments for `eval`:
#   header=.../out/zmq.h   cdylib=.../libzmq.so   staticlib=.../libzmq.a
# The paths come from cargo's own JSON messages, so CARGO_TARGET_DIR, a
# --target triple or a changed build-script hash are all handled.
# Compiler diagnostics still go to stderr; a failed build exits non-zero.
set -eu
CARGO=${CARGO:-cargo}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
profile=--release
for a in "$@"; do
    case "$a" in --profile|--profile=*) profile= ;; esac
done
"$CARGO" build $profile --message-format=json-render-diagnostics "$@" >"$tmp"

# The package's own messages: its package_id names the crate, zmq-rs-abi.
pkg='zmq-rs-abi[@#]'
out_dir=$(grep '"reason":"build-script-executed"' "$tmp" | grep "$pkg" |
    sed -n 's/.*"out_dir":"\([^"]*\)".*/\1/p' | tail -n 1)
files=$(grep '"reason":"compiler-artifact"' "$tmp" | grep "$pkg" |
    grep '"name":"zmq"' | sed -n 's/.*"filenames":\[\([^]]*\)\].*/\1/p' | tail -n 1 | tr ',' '\n' | tr -d '"')
cdylib=$(printf '%s\n' "$files" | grep '/libzmq\.so$' || true)
staticlib=$(printf '%s\n' "$files" | grep '/libzmq\.a$' || true)

if [ -z "$out_dir" ] || [ -z "$cdylib" ] || [ -z "$staticlib" ]; then
    echo "cargo-artifacts.sh: cannot find the build products in cargo's output" >&2
    exit 1
fi
printf "header='%s'\ncdylib='%s'\nstaticlib='%s'\n" "$out_dir/zmq.h" "$cdylib" "$staticlib"
