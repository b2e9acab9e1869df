# lib.sh - shared by run.sh and profile.sh: builds the bench tools and, unless PCAPSTATE is set, an optimized pcapstate.
# shellcheck shell=bash

# bench_build_tools BENCHDIR SRCDIR OUTDIR: gencap, pcapfloor and shafloor into OUTDIR/bin.
bench_build_tools() {
	local here=$1 src=$2 out=$3 cc=${CC:-cc} pcap_cflags pcap_libs
	pcap_cflags=$(pkg-config --cflags libpcap 2>/dev/null || true)
	pcap_libs=$(pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
	mkdir -p "$out/bin"
	"$cc" -std=c11 -O2 -Wall -Wextra -o "$out/bin/gencap" "$here/gencap.c" -lm || return 1
	# shellcheck disable=SC2086 # pkg-config output is a list of words
	"$cc" -std=c11 -O2 -Wall -Wextra $pcap_cflags -o "$out/bin/pcapfloor" "$here/pcapfloor.c" \
		$pcap_libs || return 1
	"$cc" -std=c11 -O2 -Wall -Wextra -I"$src/analyzer" -o "$out/bin/shafloor" "$here/shafloor.c" \
		"$src/analyzer/sha256.c"
}

# bench_pcapstate SRCDIR OUTDIR: prints the binary to measure: $PCAPSTATE, or one built in
# OUTDIR/build with CFLAGS="-O2 -g" (the release flags). Returns 1 when that fails.
bench_pcapstate() {
	local src=$1 out=$2
	if [ -n "${PCAPSTATE:-}" ]; then
		[ -x "$PCAPSTATE" ] || { echo "$PCAPSTATE: not an executable" >&2; return 1; }
		echo "$PCAPSTATE"
		return
	fi
	if [ ! -x "$src/configure" ]; then
		(cd "$src" && autoreconf -fi) >/dev/null 2>&1 || { echo "autoreconf failed" >&2; return 1; }
	fi
	mkdir -p "$out/build"
	if ! (cd "$out/build" && "$src/configure" -q CFLAGS="-O2 -g" && make -s -j2 pcapstate) \
		>"$out/build.log" 2>&1; then
		tail -20 "$out/build.log" >&2
		echo "building pcapstate failed (log: $out/build.log)" >&2
		return 1
	fi
	echo "$out/build/pcapstate"
}
