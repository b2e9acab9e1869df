#!/bin/bash
# profile.sh - where pcapstate analyze spends its time: perf on a full-size capture (when perf works) and callgrind on a slice.
#
# shellcheck source-path=SCRIPTDIR
# usage: tests/bench/profile.sh [SIZE_MB [SLICE_MB]]     (defaults 300 and 30)
# environment: PCAPSTATE, SEED, BENCH_DIR, KEEP as for run.sh; CAPTURE=file profiles that file
# with perf (and its first SLICE_MB, cut with editcap, with callgrind).
# Prints: perf's top symbols (self time) and shared objects; callgrind's top functions by
# exclusive and inclusive instruction counts; and a summary by component. The slice is the
# start of the same generated capture (gencap with the same seed writes the same prefix).
# callgrind takes 60-100x the run time: a 30 MB slice takes a few minutes.
set -euo pipefail

size_mb=${1:-300}
slice_mb=${2:-30}
seed=${SEED:-1}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

die() { echo "profile.sh: $*" >&2; exit 1; }
command -v valgrind >/dev/null || die "valgrind is not installed (apt-get install valgrind)"

if [ -n "${BENCH_DIR:-}" ]; then
	work=$BENCH_DIR
	mkdir -p "$work"
else
	work=$(mktemp -d /var/tmp/pcapstate-prof.XXXXXX)
fi
if [ "${KEEP:-0}" != 1 ] && [ -z "${BENCH_DIR:-}" ]; then
	trap 'rm -rf "$work"' EXIT
fi

# shellcheck source=lib.sh disable=SC1091
. "$here/lib.sh"
bench_build_tools "$here" "$src" "$work" || die "building the bench tools failed"
PCAPSTATE=$(bench_pcapstate "$src" "$work") || die "no pcapstate to measure"

if [ -n "${CAPTURE:-}" ]; then
	cap=$CAPTURE
	slice=$work/slice.pcap
	editcap -F pcap -r "$cap" "$slice" "1-$(( slice_mb * 5000 ))" 2>/dev/null ||
		die "editcap could not cut a slice of $cap"
else
	cap=$work/prof.pcap
	slice=$work/slice.pcap
	[ -s "$cap" ] || "$work/bin/gencap" -q "$cap" "$size_mb" "$seed"
	[ -s "$slice" ] || "$work/bin/gencap" -q "$slice" "$slice_mb" "$seed"
fi

echo "pcapstate profile, $(date -u '+%Y-%m-%d %H:%M UTC'), binary $PCAPSTATE"

# ---- perf (sampling, self time) on the whole capture
if perf record -q -o "$work/perf.test" -- true >/dev/null 2>&1; then
	rm -f "$work/perf.test"
	rm -f "$work/perf.db"
	perf record -q -F 999 -o "$work/perf.data" -- \
		"$PCAPSTATE" analyze -q -d "$work/perf.db" -r "$cap" >/dev/null 2>&1 ||
		die "perf record failed"
	echo
	echo "== perf, $(stat -c %s "$cap" | awk '{ printf "%.0f MB", $1 / 1048576 }') capture: by shared object (self time)"
	perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null |
		awk '/^ +[0-9]/ && ++n <= 8'
	echo
	echo "== perf: top symbols (self time)"
	perf report -i "$work/perf.data" --no-children --sort symbol,dso --stdio 2>/dev/null |
		awk '/^ +[0-9]/ && ++n <= 30'
else
	echo "(perf record does not work here: callgrind only)"
fi

# ---- callgrind (instruction counts, inclusive) on the slice
rm -f "$work/cg.db"
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
	"$PCAPSTATE" analyze -q -d "$work/cg.db" -r "$slice" >/dev/null 2>"$work/valgrind.log" ||
	die "valgrind failed (see $work/valgrind.log)"
callgrind_annotate "$work/callgrind.out" >"$work/cg-self.txt" 2>/dev/null
callgrind_annotate --inclusive=yes "$work/callgrind.out" >"$work/cg-incl.txt" 2>/dev/null
frames=$("$work/bin/pcapfloor" "$slice" | cut -d' ' -f1)
total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$work/cg-self.txt")
echo
echo "== callgrind, $(stat -c %s "$slice" | awk '{ printf "%.0f MB", $1 / 1048576 }') slice, $frames frames: $total instructions ($(( total / frames )) per frame)"
echo "top functions by exclusive instructions:"
grep -E '^ *[0-9,]+ \(' "$work/cg-self.txt" | sed -n '2,26p' | sed -E 's/ \[[^]]*\]$//'
echo
echo "== by component (inclusive instructions; nested rows are part of the row above them)"
incl() { # incl LABEL REGEX: the largest inclusive count of a function matching REGEX
	awk -v re="$2" -v label="$1" -v total="$total" -v frames="$frames" '
		$0 ~ re { gsub(",", "", $1); if ($1 + 0 > best) best = $1 + 0 }
		END { printf "  %-58s %6.1f%%  %7.0f instr/frame\n", label, 100 * best / total, best / frames }' \
		"$work/cg-incl.txt"
}
incl "read: capture_next (libpcap + instream + most of SHA-256)" ':capture_next '
incl "SHA-256 of the input as stored (sha256_update, all calls)" ':sha256_update '
incl "gzip inflate (compressed inputs only)" ':inflate '
incl "decode_frame" ':decode_frame '
incl "analyze_segment (all per-packet analysis)" ':analyze_segment '
incl "  flow table lookup (flowtab_find)" ':flowtab_find '
incl "  sequence tracking (seqtrack_update)" ':seqtrack_update '
incl "  Zeek history model (zeek_segment)" ':zeek_segment '
incl "  detectors (detect_on_segment)" ':detect_on_segment '
incl "  state setter (endpoint_set_state)" ':endpoint_set_state '
incl "  anomaly text (analyze_flow_anomaly)" ':analyze_flow_anomaly '
incl "  host watch (hostwatch_add)" ':hostwatch_add '
incl "analyze_finish (flows still live at the end)" ':analyze_finish '
incl "emit_flow (all flow output, mid-run and at the end)" ':emit_flow'
incl "  uid (flowid_uid)" ':flowid_uid '
incl "  community id (flowid_community)" ':flowid_community '
incl "  store: flow rows (cb_flow)" ':cb_flow '
incl "  store: transition rows (cb_transition)" ':cb_transition '
incl "  store: anomaly rows (cb_anomaly)" ':cb_anomaly '
incl "  all SQLite statements (sqlite3_step)" ':sqlite3_step '
incl "  SQLite mutexes (pthread_mutex_lock)" 'pthread_mutex_lock'
incl "malloc (everyone's)" '[:/]malloc '
incl "free (everyone's)" '[:/]free '
if [ "${KEEP:-0}" = 1 ] || [ -n "${BENCH_DIR:-}" ]; then
	echo
	echo "full reports: $work/cg-self.txt, $work/cg-incl.txt; perf: perf report -i $work/perf.data"
fi
