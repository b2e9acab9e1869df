#!/usr/bin/env bash
# run.sh - builds the libFuzzer harnesses, replays tests/fuzz/regress/, fuzzes each for PCAPSTATE_FUZZ_SECONDS (default 20).
# Skipped (77) when clang cannot link a libFuzzer program. Fails on any crash, sanitizer report,
# leak, timeout (> 10 s for one input) or contract violation; a new crashing input is copied to
# ./fuzz-artifacts/ in the build directory, to be added under tests/fuzz/regress/HARNESS/.
# The harnesses run in parallel. FUZZ_BUILD=DIR reuses (and incrementally updates) a build dir.
. "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
secs=${PCAPSTATE_FUZZ_SECONDS:-20}
harnesses="fuzz_decode fuzz_pipeline"
need python3

cc=
for c in clang clang-14; do
	if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
done
[ -n "$cc" ] || skip "clang not installed"
printf '%s\n' '#include <stdint.h>' '#include <stddef.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
	>"$TMP/probe.c"
"$cc" -fsanitize=fuzzer,address,undefined "$TMP/probe.c" -o "$TMP/probe" >/dev/null 2>&1 ||
	skip "$cc cannot link -fsanitize=fuzzer (install libclang-rt-14-dev)"

build=${FUZZ_BUILD:-$TMP/build}
if FUZZ_CC=$cc "$here/build.sh" "$build" >"$TMP/build.log" 2>&1; then ok; else
	fail "the harnesses do not build"; tail -30 "$TMP/build.log"; finish; fi
"$here/seeds.sh" "$TMP/seeds" >"$TMP/seeds.log" 2>&1 || { fail "seeds.sh failed"; cat "$TMP/seeds.log"; }

# libFuzzer exits 77 on a crash by default: that would read as a skip. Make every error 1.
common="-error_exitcode=1 -timeout_exitcode=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1"
# Regression inputs, one run each: every one must run clean.
# shellcheck disable=SC2086 # $common is a list of options
for h in $harnesses; do
	n=0
	for f in "$here/regress/$h"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if "$build/$h" $common -runs=1 "$f" >"$TMP/$h.regress.log" 2>&1; then ok; else
			fail "$h: regression input tests/fuzz/regress/$h/$(basename "$f") fails"
			grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_|.*runtime error)|^    #[0-9] ' \
				"$TMP/$h.regress.log" | head -12 | sed 's/^/    /'
		fi
	done
	echo "$h: replayed $n regression inputs"
done

# Fuzz every harness for $secs seconds, in parallel; a crash stops that harness.
# (libFuzzer reads -max_total_time=0 as "forever": 0 means replay only.)
case $secs in ''|*[!0-9]*) fail "PCAPSTATE_FUZZ_SECONDS='$secs' is not a number"; finish ;; esac
[ "$secs" -gt 0 ] || harnesses=
pids=()
for h in $harnesses; do
	mkdir -p "$TMP/corpus-$h" "$TMP/art-$h"
	# shellcheck disable=SC2086
	"$build/$h" $common -max_total_time="$secs" -artifact_prefix="$TMP/art-$h/" \
		"$TMP/corpus-$h" "$TMP/seeds/$h" >"$TMP/$h.log" 2>&1 &
	pids+=($!)
done
i=0
for h in $harnesses; do
	wait "${pids[$i]}"
	rc=$?
	i=$((i + 1))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$h.log")
	echo "$h: ${runs:-?} inputs in ${secs} s, exit $rc"
	if [ "$rc" = 0 ]; then ok; continue; fi
	fail "$h: crash after ${runs:-?} inputs"
	grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_|.*runtime error|INFO: Seed)|^    #[0-9] ' "$TMP/$h.log" | head -30
	mkdir -p fuzz-artifacts
	for a in "$TMP/art-$h"/*; do
		[ -f "$a" ] || continue
		cp "$a" "fuzz-artifacts/$h-$(basename "$a")"
		echo "    reproducer: $(pwd)/fuzz-artifacts/$h-$(basename "$a") (add it to tests/fuzz/regress/$h/)"
	done
done
finish
