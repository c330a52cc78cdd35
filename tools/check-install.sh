#!/bin/sh
# Checks an installed libzmq (make install PREFIX=DIR): pkg-config finds it,
# and tools/install-check.c builds against it with pkg-config's flags, both
# linked to libzmq.so (loaded from DIR, not the system's) and to libzmq.a,
# and runs.
# Usage: tools/check-install.sh PREFIX [LIBDIR]   (PKG_CONFIG_PATH and CC
# default to LIBDIR/pkgconfig and cc).
set -eu
prefix=$1
libdir=${2:-$prefix/lib}
here=$(cd "$(dirname "$0")" && pwd)
export PKG_CONFIG_PATH=${PKG_CONFIG_PATH:-$libdir/pkgconfig}
CC=${CC:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "PKG_CONFIG_PATH=$PKG_CONFIG_PATH"
echo "pkg-config --modversion libzmq: $(pkg-config --modversion libzmq)"
cflags=$(pkg-config --cflags libzmq)
libs=$(pkg-config --libs libzmq)
static_libs=$(pkg-config --static --libs libzmq)
echo "pkg-config --cflags --libs libzmq: $(pkg-config --cflags --libs libzmq)"
echo "pkg-config --static --libs libzmq: $static_libs"
case "$cflags $libs" in
*"$prefix"*) ;;
*) echo "pkg-config did not pick the libzmq.pc of $prefix" >&2; exit 1 ;;
esac

# Dynamic: must load DIR's libzmq.so.5.
# shellcheck disable=SC2086
$CC -Wall -Wextra -Werror -o "$work/dynamic" "$here/install-check.c" $cflags $libs
resolved=$(LD_LIBRARY_PATH=$libdir ldd "$work/dynamic" | sed -n 's/.*libzmq\.so\.5 => \([^ ]*\).*/\1/p')
echo "dynamic: libzmq.so.5 => $resolved"
case "$resolved" in
"$libdir"/*) ;;
*) echo "the program does not load $libdir/libzmq.so.5" >&2; exit 1 ;;
esac
LD_LIBRARY_PATH=$libdir "$work/dynamic"

# Static: libzmq.a plus Libs.private.
static_libs=$(printf '%s\n' "$static_libs" | sed 's/-lzmq\b/-l:libzmq.a/')
# shellcheck disable=SC2086
$CC -Wall -Wextra -Werror -o "$work/static" "$here/install-check.c" $cflags $static_libs
if ldd "$work/static" | grep -q libzmq; then
    echo "the static build still links libzmq.so" >&2; exit 1
fi
echo "static: no libzmq.so dependency"
"$work/static"
