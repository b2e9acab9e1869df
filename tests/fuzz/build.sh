#!/usr/bin/env bash
# build.sh BUILDDIR - builds the libFuzzer harnesses (ASan+UBSan) from the analyzer sources into BUILDDIR.
# Standalone: no configure run is needed. The analyzer's source list is read from Makefile.am
# (libanalyzer_a_SOURCES), so files the project adds are picked up. Environment: FUZZ_CC
# (default clang, then clang-14), FUZZ_JOBS (parallel compiles, default 2), FUZZ_CFLAGS (extra).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=$1
mkdir -p "$out/obj"
out=$(cd "$out" && pwd)

cc=${FUZZ_CC:-}
if [ -z "$cc" ]; then
	for c in clang clang-14; do
		command -v "$c" >/dev/null 2>&1 && { cc=$c; break; }
	done
fi
[ -n "$cc" ] || { echo "build.sh: clang not found" >&2; exit 3; }

deps=(libpcap zlib libzstd liblzma)
if pkg-config --exists "${deps[@]}" 2>/dev/null; then
	dep_cflags=$(pkg-config --cflags "${deps[@]}")
	dep_libs=$(pkg-config --libs "${deps[@]}")
else
	dep_cflags=
	dep_libs="-lpcap -lz -lzstd -llzma"
fi

# AC_USE_SYSTEM_EXTENSIONS, as the configured config.h has it.
cat >"$out/config.h.tmp" <<'EOF'
/* config.h - written by tests/fuzz/build.sh for the standalone fuzzing build. */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE 1
#endif
#ifndef _DEFAULT_SOURCE
# define _DEFAULT_SOURCE 1
#endif
#define PACKAGE_NAME "pcapstate"
#define PACKAGE_VERSION "fuzz"
#define VERSION "fuzz"
EOF
if cmp -s "$out/config.h.tmp" "$out/config.h"; then rm -f "$out/config.h.tmp"; else mv "$out/config.h.tmp" "$out/config.h"; fi

# The .c files of libanalyzer_a_SOURCES in Makefile.am.
sources=$(awk '
	/^libanalyzer_a_SOURCES[ \t]*=/ { on = 1 }
	on { for (i = 1; i <= NF; i++) if ($i ~ /\.c$/) print $i; if ($0 !~ /\\$/) on = 0 }
' "$src/Makefile.am")
[ -n "$sources" ] || { echo "build.sh: no libanalyzer_a_SOURCES in $src/Makefile.am" >&2; exit 3; }

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cflags="-g -O1 $san -fsanitize=fuzzer-no-link -I$out -I$src/analyzer $dep_cflags ${FUZZ_CFLAGS:-}"
export cc cflags out src

# Compiles one source into obj/ unless the object is newer than it and every analyzer header.
compile_one() {
	local s=$1 o
	o=$out/obj/$(basename "${s%.c}").o
	if [ -f "$o" ] && [ "$o" -nt "$src/$s" ] && [ "$o" -nt "$out/config.h" ] &&
		[ -z "$(find "$src/analyzer" -newer "$o" \( -name '*.h' -o -name '*.def' \) -print -quit)" ]; then
		return 0
	fi
	# shellcheck disable=SC2086
	"$cc" $cflags -c "$src/$s" -o "$o.tmp" && mv "$o.tmp" "$o"
}
export -f compile_one
# shellcheck disable=SC2016 # $1 is expanded by the inner bash
echo "$sources" | xargs -P "${FUZZ_JOBS:-2}" -I{} bash -c 'compile_one "$1"' _ {}

objs=
for s in $sources; do objs="$objs $out/obj/$(basename "${s%.c}").o"; done
for h in fuzz_decode fuzz_pipeline; do
	# shellcheck disable=SC2086
	"$cc" $cflags -fsanitize=fuzzer "$here/$h.c" $objs $dep_libs -o "$out/$h.tmp"
	mv "$out/$h.tmp" "$out/$h"
done
echo "build.sh: built $out/fuzz_decode $out/fuzz_pipeline"
