#!/bin/bash
# run.sh - hand-run benchmark: makes a synthetic capture, times the libpcap floor and pcapstate analyze (plain and gzip), prints a table.
#
# shellcheck source-path=SCRIPTDIR
# usage: tests/bench/run.sh [SIZE_MB]        (default 300; at least 100 for meaningful numbers)
# environment:
#   PCAPSTATE=path   the binary to measure (default: build one with CFLAGS="-O2 -g" in the work dir)
#   RUNS=n           hyperfine runs of each pcapstate command (default 3; the floors get 2n+1)
#   SEED=n           gencap seed (default 1)
#   BENCH_DIR=dir    work directory (default: a new one under /var/tmp, removed at the end)
#   KEEP=1           keep the work directory (capture, databases, results.txt)
#   CAPTURE=file     measure this capture instead of generating one (must be pcap or pcapng)
# Not part of "make check". Needs hyperfine, GNU time (Debian package 'time'), a C compiler,
# libpcap-dev, gzip; sqlite3 (the CLI) for the row counts.
set -euo pipefail

size_mb=${1:-300}
runs=${RUNS:-3}
seed=${SEED:-1}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

die() { echo "run.sh: $*" >&2; exit 1; }
command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
[ -x /usr/bin/time ] || die "GNU time is not installed (apt-get install time)"
command -v gzip >/dev/null || die "gzip is not installed"

if [ -n "${BENCH_DIR:-}" ]; then
	work=$BENCH_DIR
	mkdir -p "$work"
else
	work=$(mktemp -d /var/tmp/pcapstate-bench.XXXXXX)
fi
if [ "${KEEP:-0}" != 1 ] && [ -z "${BENCH_DIR:-}" ]; then
	trap 'rm -rf "$work"' EXIT
fi
results=$work/results.txt
: >"$results"
log() { echo "$*" | tee -a "$results"; }

# ---- build the tools (and pcapstate unless given)
# shellcheck source=lib.sh disable=SC1091
. "$here/lib.sh"
bench_build_tools "$here" "$src" "$work" || die "building the bench tools failed"
PCAPSTATE=$(bench_pcapstate "$src" "$work") || die "no pcapstate to measure"

# ---- the capture
if [ -n "${CAPTURE:-}" ]; then
	cap=$CAPTURE
	log "capture: $cap (given)"
else
	cap=$work/bench.pcap
	/usr/bin/time -o "$work/gencap.time" -f '%e' "$work/bin/gencap" "$cap" "$size_mb" "$seed" \
		2>"$work/gencap.txt"
	gen_s=$(cat "$work/gencap.time")
	cat "$work/gencap.txt" >>"$results"
	cat "$work/gencap.txt"
	log "gencap took ${gen_s} s"
fi
gz=$work/bench.pcap.gz
gzip -c -6 "$cap" >"$gz"

bytes=$(stat -c %s "$cap")
gzbytes=$(stat -c %s "$gz")
read -r frames _ _ < <("$work/bin/pcapfloor" "$cap")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')

# ---- timing helpers
# hf NAME RUNS WARMUP COMMAND: hyperfine; appends "NAME mean stddev user system" to $work/times.
hf() {
	local name=$1 n=$2 warm=$3 cmd=$4 csv
	csv=$work/hf-$name.csv
	hyperfine --style basic --runs "$n" --warmup "$warm" --export-csv "$csv" "$cmd" >>"$work/hyperfine.log" 2>&1 ||
		die "hyperfine failed on: $cmd (see $work/hyperfine.log)"
	tail -1 "$csv" | awk -F, -v name="$name" \
		'{ print name, $(NF-6), $(NF-5), $(NF-3), $(NF-2) }' >>"$work/times"
}
# gtime NAME COMMAND...: one run under GNU time; appends "NAME wall user sys maxrss_kb".
gtime() {
	local name=$1
	shift
	/usr/bin/time -o "$work/gtime.out" -f '%e %U %S %M' "$@" >/dev/null
	echo "$name $(cat "$work/gtime.out")" >>"$work/rss"
}
: >"$work/times"
: >"$work/rss"

floor_runs=$((2 * runs + 1))
hf floor "$floor_runs" 1 "$work/bin/pcapfloor -n $cap"
hf floor_touch "$floor_runs" 1 "$work/bin/pcapfloor -n -t $cap"
hf floor_gz "$floor_runs" 1 "gzip -dc $gz | $work/bin/pcapfloor -n -"
hf sha_own "$floor_runs" 1 "$work/bin/shafloor $cap"
if command -v openssl >/dev/null; then
	hf sha_openssl "$floor_runs" 1 "openssl dgst -sha256 $cap"
fi

db=$work/bench.db
dbgz=$work/bench-gz.db
hf analyze "$runs" 0 "rm -f $db; $PCAPSTATE analyze -q -d $db -r $cap"
hf analyze_gz "$runs" 0 "rm -f $dbgz; $PCAPSTATE analyze -q -d $dbgz -r $gz"
rm -f "$db" "$dbgz"
gtime analyze "$PCAPSTATE" analyze -q -d "$db" -r "$cap"
gtime analyze_gz "$PCAPSTATE" analyze -q -d "$dbgz" -r "$gz"
gtime floor "$work/bin/pcapfloor" -n "$cap"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	shmdb=/dev/shm/pcapstate-bench-$$.db
	rm -f "$shmdb"
	gtime analyze_shm "$PCAPSTATE" analyze -q -d "$shmdb" -r "$cap"
	rm -f "$shmdb"
fi
# A second input appended to an existing database: the whole file is hashed first (skip check).
cp "$db" "$work/append.db"
gtime analyze_append "$PCAPSTATE" analyze -q -d "$work/append.db" -r "$gz"
rm -f "$work/append.db"

dbbytes=$(stat -c %s "$db")
rows="(sqlite3 CLI not installed)"
if command -v sqlite3 >/dev/null; then
	rows=$(sqlite3 "$db" "SELECT 'flows ' || (SELECT count(*) FROM flows) || ', transitions ' ||
		(SELECT count(*) FROM transitions) || ', anomalies ' || (SELECT count(*) FROM anomalies)")
	nrows=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM flows) + (SELECT count(*) FROM transitions) +
		(SELECT count(*) FROM anomalies)")
else
	nrows=0
fi

# ---- the table
{
	echo
	echo "pcapstate benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "binary: $PCAPSTATE"
	echo "capture: $mb MB, $frames frames; gzip -6: $(awk -v b="$gzbytes" 'BEGIN { printf "%.1f", b / 1048576 }') MB"
	echo "times are hyperfine means (wall, +- stddev) and user+sys CPU seconds; rates are per wall second"
	echo
	awk -v frames="$frames" -v bytes="$bytes" -v gzbytes="$gzbytes" -v nrows="$nrows" '
	FNR == NR { wall[$1] = $2; sd[$1] = $3; cpu[$1] = $4 + $5; next }
	{ rss[$1] = $5; gw[$1] = $2; gc[$1] = $3 + $4 }
	function row(label, k, base,    r) {
		if (!(k in wall)) return
		r = (base != "" && base in wall) ? sprintf("%6.1fx %6.1fx", wall[k] / wall[base], cpu[k] / cpu[base]) : ""
		printf "%-34s %8.2f %6.2f %8.2f %10.0f %8.1f %9s  %s\n", label, wall[k], sd[k], cpu[k],
		    frames / wall[k], bytes / 1048576 / wall[k], (k in rss) ? sprintf("%.0f MB", rss[k] / 1024) : "-", r
	}
	function one(label, k, base) {
		if (!(k in gw)) return
		printf "%-34s %8.2f %6s %8.2f %10.0f %8.1f %9s  %6.1fx %6.1fx\n", label, gw[k], "(1 run)", gc[k],
		    frames / gw[k], bytes / 1048576 / gw[k], sprintf("%.0f MB", rss[k] / 1024),
		    gw[k] / wall[base], gc[k] / cpu[base]
	}
	END {
		printf "%-34s %8s %6s %8s %10s %8s %9s  %s\n", "what", "wall s", "+-", "cpu s", "pkts/s", "MB/s", "peak RSS", "vs floor: wall   cpu"
		row("libpcap floor (pcap_next_ex)", "floor", "")
		row("libpcap floor + touch data", "floor_touch", "floor")
		row("gzip -dc | libpcap floor", "floor_gz", "floor")
		row("SHA-256 of file (pcapstate code)", "sha_own", "floor")
		row("SHA-256 of file (openssl)", "sha_openssl", "floor")
		row("pcapstate analyze", "analyze", "floor")
		row("pcapstate analyze, .gz input", "analyze_gz", "floor_gz")
		one("pcapstate analyze, DB on tmpfs", "analyze_shm", "floor")
		one("pcapstate analyze, append (.gz)", "analyze_append", "floor_gz")
		printf "\n(MB/s is of the uncompressed capture; the .gz file is %.0f%% of it.)\n", 100 * gzbytes / bytes
		if (nrows > 0)
			printf "rows written: %d (%.0f per second of analyze wall time, %.2f per packet)\n", nrows, nrows / wall["analyze"], nrows / frames
	}' "$work/times" "$work/rss"
	echo "database: $(awk -v b="$dbbytes" -v c="$bytes" 'BEGIN { printf "%.1f MB (%.2f x the capture)", b / 1048576, b / c }'); $rows"
} | tee -a "$results"

if [ "${KEEP:-0}" = 1 ] || [ -n "${BENCH_DIR:-}" ]; then
	echo "kept: $work (results.txt, hyperfine.log, bench.pcap, bench.db)"
fi
