#!/usr/bin/env bash
# flood.sh - 1,000,000 spoofed SYNs (200,000 under sanitizers) with --max-flows 100000: bounded memory, every connection written, eviction and syn_flood recorded.
# The capture comes from tests/robust/synflood (check_PROGRAMS; compiled here with $CC if absent):
# N SYNs from N distinct sources to 192.0.2.80:80, every 10th answered by a SYN-ACK.
# Asserts: exit 0; peak RSS under PCAPSTATE_FLOOD_RSS_MB (default 400, 1200 under sanitizers;
# measured with /usr/bin/time when installed); a flows row for each of the N connections; the
# flows_evicted capture anomaly; a syn_flood anomaly for 192.0.2.80; at least N - 100000
# evictions, each flow evicted written with an 'evidence = timeout' transition; the rest
# ended with 'end'. PCAPSTATE_FLOOD_SYNS overrides N.
. "$(dirname "$0")/../lib.sh"
need sqlite3
here=$(cd "$(dirname "$0")" && pwd)
cap=100000
server=192.0.2.80

sanitized=0
if nm "$PCAPSTATE" 2>/dev/null | grep -q __asan_init; then sanitized=1; fi
if [ "$sanitized" = 1 ]; then n=${PCAPSTATE_FLOOD_SYNS:-200000}; rss_max=${PCAPSTATE_FLOOD_RSS_MB:-1200}
else n=${PCAPSTATE_FLOOD_SYNS:-1000000}; rss_max=${PCAPSTATE_FLOOD_RSS_MB:-400}; fi

gen=${SYNFLOOD:-$PWD/tests/robust/synflood}
if [ ! -x "$gen" ]; then
	gen=$TMP/synflood
	${CC:-cc} -O2 -o "$gen" "$here/synflood.c" || skip "cannot build synflood.c"
fi
read -r syns synacks < <("$gen" "$TMP/flood.pcap" "$n") || { fail "synflood failed"; finish; }
[ "$syns" = "$n" ] || { fail "synflood wrote $syns SYNs, not $n"; finish; }

db=$TMP/flood.db
timer=()
if [ -x /usr/bin/time ]; then timer=(/usr/bin/time -f %M -o "$TMP/rss"); fi
start=$(date +%s%N)
"${timer[@]}" timeout 900 "$PCAPSTATE" analyze -d "$db" --max-flows "$cap" -r "$TMP/flood.pcap" \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
wall=$((ms / 1000)).$(printf '%03d' $((ms % 1000)))
if [ "$rc" = 0 ]; then ok; else fail "analyze exit $rc"; tail -5 "$TMP/err"; finish; fi

rss_kb=
if [ -s "$TMP/rss" ]; then
	rss_kb=$(tail -1 "$TMP/rss")
	if [ "$rss_kb" -lt $((rss_max * 1024)) ]; then ok; else
		fail "peak RSS $((rss_kb / 1024)) MB, limit $rss_max MB"; fi
else
	echo "note: /usr/bin/time not installed: peak RSS not measured (Debian package 'time')"
fi

evicted=$(sed -n 's/^pcapstate: \([0-9]*\) connections evicted.*/\1/p' "$TMP/err")
flows=$(sql "$db" "SELECT count(*) FROM flows")
ev_rows=$(sql "$db" "SELECT count(*) FROM anomalies WHERE kind = 'flows_evicted'")
flood_rows=$(sql "$db" "SELECT count(*) FROM anomalies WHERE kind = 'syn_flood' AND host = '$server'")
timeout_flows=$(sql "$db" "SELECT count(DISTINCT flow_id) FROM transitions WHERE evidence = 'timeout'")
end_flows=$(sql "$db" "SELECT count(*) FROM flows f WHERE NOT EXISTS
	(SELECT 1 FROM transitions t WHERE t.flow_id = f.id AND t.evidence = 'timeout')")
complete=$(sql "$db" "SELECT count(*) FROM inputs WHERE status = 'complete'")

echo "flood: $syns SYNs, $synacks SYN-ACKs; ${wall} s; peak RSS $((${rss_kb:-0} / 1024)) MB;" \
	"flows $flows; evicted ${evicted:-?} (flows with a timeout row $timeout_flows, others $end_flows);" \
	"db $(($(stat -c %s "$db") / 1048576)) MB"

if [ "$flows" = "$n" ]; then ok; else fail "$flows flows written for $n connections"; fi
if [ "$ev_rows" -ge 1 ]; then ok; else fail "no flows_evicted anomaly"; fi
if [ "$flood_rows" -ge 1 ]; then ok; else fail "no syn_flood anomaly for $server"; fi
if [ -n "$evicted" ] && [ "$evicted" -ge $((n - cap)) ]; then ok; else
	fail "evicted ${evicted:-?} (want >= $((n - cap)))"; fi
if [ "$timeout_flows" -ge "${evicted:-0}" ] && [ "$timeout_flows" -gt 0 ]; then ok; else
	fail "$timeout_flows flows with a timeout transition, ${evicted:-?} evicted"; fi
if [ $((timeout_flows + end_flows)) = "$n" ]; then ok; else fail "timeout + end flows != $n"; fi
if [ "$complete" = 1 ]; then ok; else fail "the input is not marked complete"; fi
finish
