#!/usr/bin/env bash
# mutate.sh - analyze exits 0, 1 or 3 (no crash, hang or sanitizer report) on 400 fixed-seed mutants of samples and corpus files.
# Mutants (tests/robust/mutate.py): bit flips in the file header, record headers and packet
# data; cuts; splices (header of one capture + records of another, records interleaved, raw
# joins); absurd caplen/len/snaplen/link type; wild timestamps; shuffled and duplicated records;
# corrupt gzip/xz. Also replays tests/robust/regress/* and the fuzz_pipeline regression inputs
# through the command line. 30 s timeout per run. A failing input is copied to
# ./robust-artifacts/ in the build directory (add it to tests/robust/regress/).
# MUTATE_COUNT and MUTATE_SEED override the defaults (400, 9293).
. "$(dirname "$0")/../lib.sh"
need python3
here=$(cd "$(dirname "$0")" && pwd)
count=${MUTATE_COUNT:-400}
seed=${MUTATE_SEED:-9293}

# A sanitizer report must not pass as exit 1 (UBSan's and ASan's default exit status).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=87:print_stacktrace=1"

sources=("$SAMPLES"/*.pcap)
for f in tcpdump/tcp-handshake-nano.pcap tcpdump/LINKTYPE_RAW_ipv6.pcap tcpdump/mptcp-v1.pcap \
	tcpdump/bigtcp-ipv4.pcap tcpdump/OSPFv2_Capture_FINAL.pcapng \
	other/zeek-linktypes/linux_dlt_sll2.pcap other/scapy/macos.pcapng \
	other/scapy/http_head.pcapng other/pcapng-test-generator/output_be/advanced/test101.pcapng \
	other/pcapng-test-generator/output_le/difficult/test202.pcapng \
	other/tcpreplay/test.pcap zeek/http-get.pcap; do
	[ -f "$CORPUS/$f" ] && sources+=("$CORPUS/$f")
done
python3 "$here/mutate.py" "$TMP/m" "$count" "$seed" "${sources[@]}" || { fail "mutate.py failed"; finish; }

# The scratch database lives in memory when it can: hundreds of fsyncs cost more than the runs.
dbdir=$TMP
if [ -d /dev/shm ] && [ -w /dev/shm ] && shm=$(mktemp -d /dev/shm/pcapstate-mutate.XXXXXX); then
	dbdir=$shm
	trap 'rm -rf "$TMP" "$shm"' EXIT
fi

# check FILE [OPTIONS...]: one analyze run; exit 0, 1 or 3 and no sanitizer output.
bad=0
check() {
	local f=$1 rc
	shift
	rm -f "$dbdir/m.db" "$dbdir/m.db-journal" "$dbdir/m.db-wal"
	timeout 30 "$PCAPSTATE" analyze -q -d "$dbdir/m.db" "$@" -r "$f" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if { [ "$rc" = 0 ] || [ "$rc" = 1 ] || [ "$rc" = 3 ]; } &&
		! grep -q -E 'runtime error|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer' "$TMP/err"; then
		ok
		return
	fi
	bad=$((bad + 1))
	if [ "$rc" = 124 ]; then fail "$(basename "$f"): timeout (30 s) $*"; else
		fail "$(basename "$f"): exit $rc $*"; fi
	grep -E 'runtime error|ERROR: |SUMMARY|^pcapstate|^    #[0-9] ' "$TMP/err" | head -12 | sed 's/^/    /'
	mkdir -p robust-artifacts
	cp "$f" robust-artifacts/ && echo "    input: $(pwd)/robust-artifacts/$(basename "$f")"
}

n=0
for f in "$TMP"/m/*; do
	n=$((n + 1))
	# Every third run with a tiny connection cap and thresholds: eviction and host detectors.
	if [ $((n % 3)) = 0 ]; then
		check "$f" --max-flows 4 --syn-flood 2 --time-wait-pileup 2
	else
		check "$f"
	fi
done
if [ "$n" = "$count" ]; then ok; else fail "only $n of $count mutants were written"; fi

# Regression inputs: captures that once crashed the analyzer or the fuzz harness.
for f in "$here"/regress/* "$here"/../fuzz/regress/fuzz_pipeline/*; do
	[ -f "$f" ] || continue
	check "$f"
	check "$f" --max-flows 16 --syn-flood 4 --time-wait-pileup 4
done
echo "mutate.sh: $n mutants from ${#sources[@]} sources (seed $seed), $bad bad"
finish
