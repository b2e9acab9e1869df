#!/usr/bin/env bash
# run.sh - golden tests: every real-stack sample gives exactly its expected per-endpoint state
# sequences (samples/expected/NAME.txt) and the anomalies it must (NAME.anomalies).
# Regenerate one expected file from the current output with: tests/golden/run.sh --update NAME
. "$(dirname "$0")/../lib.sh"
need sqlite3
update=
if [ "${1:-}" = --update ]; then update=$2; fi
[ -d "$SAMPLES/expected" ] || skip "no samples/expected"

# sequences DB: one block per flow, in order of the flow's first packet (then id):
#   flow ORIG:PORT RESP:PORT / orig FROM TO TO ... / resp FROM TO ...
sequences() {
	local db=$1
	sql "$db" "SELECT f.id, CASE f.ip_version WHEN 6 THEN '[' || f.orig_addr || ']' ELSE f.orig_addr END || ':' || f.orig_port, CASE f.ip_version WHEN 6 THEN '[' || f.resp_addr || ']' ELSE f.resp_addr END || ':' || f.resp_port
	    FROM flows f ORDER BY f.first_ts, f.id" | while IFS='|' read -r id o r; do
		echo "flow $o $r"
		for ep in orig resp; do
			sql "$db" "SELECT from_state, to_state FROM transitions WHERE flow_id = $id AND
			    endpoint = '$ep' AND evidence != 'end' AND from_state != to_state ORDER BY id" |
			awk -F'|' -v ep="$ep" 'NR == 1 { line = ep " " $1 } { line = line " " $2 }
			    END { if (NR == 0) line = ep; print line }'
		done
	done
}

n=0
for exp in "$SAMPLES"/expected/*.txt; do
	name=$(basename "$exp" .txt)
	cap=$SAMPLES/$name.pcap
	[ -f "$cap" ] || { fail "$name: no capture $cap"; continue; }
	[ -n "$update" ] && [ "$update" != "$name" ] && continue
	n=$((n + 1))
	db=$TMP/$name.db
	"$PCAPSTATE" analyze -q -d "$db" -r "$cap" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" = 0 ] && ok || { fail "$name: exit $rc: $(head -3 "$TMP/err")"; continue; }
	sequences "$db" >"$TMP/$name.got"
	if [ -n "$update" ]; then
		cp "$TMP/$name.got" "$exp"
		echo "updated $exp"
		continue
	fi
	if diff -u <(grep -v '^#' "$exp" | sed '/^$/d') "$TMP/$name.got" >"$TMP/diff"; then ok; else
		fail "$name: state sequences differ (- expected, + pcapstate)"; cat "$TMP/diff"; fi
	an=$SAMPLES/expected/$name.anomalies
	[ -f "$an" ] || continue
	sql "$db" "SELECT kind, coalesce(endpoint, '-') FROM anomalies" | tr '|' ' ' | sort -u >"$TMP/kinds"
	if [ ! -s "$an" ] || ! grep -qv '^#' "$an"; then
		# a clean capture: no serious kind at all
		bad=$(sql "$db" "SELECT kind FROM anomalies WHERE kind NOT IN ('zero_window','fin_retransmission',
		    'syn_retransmission','simultaneous_open','simultaneous_close','midstream')" | sort -u | tr '\n' ' ')
		[ -z "$bad" ] && ok || fail "$name: a clean capture reported: $bad"
		continue
	fi
	while read -r kind ep _; do
		case "$kind" in ''|'#'*) continue ;; esac
		if grep -qx "$kind $ep" "$TMP/kinds"; then ok; else
			fail "$name: expected anomaly '$kind $ep' not found (got: $(tr '\n' ',' <"$TMP/kinds"))"; fi
	done <"$an"
done
[ "$n" -gt 0 ] && ok || fail "no golden sample ran"
finish
