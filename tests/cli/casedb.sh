#!/usr/bin/env bash
# casedb.sh - the case database is idempotent, deterministic, interrupt- and crash-safe, and mergeable.
. "$(dirname "$0")/../lib.sh"
need sqlite3
GENCAP=${GENCAP:-$(dirname "$PCAPSTATE")/tests/cli/gencap}
[ -x "$GENCAP" ] || skip "no gencap at $GENCAP"
a=$SAMPLES/handshake-close-client-first.pcap
b=$SAMPLES/syn-flood.pcap

rows() {	# rows DB: every row of the case tables, ids included, in id order
	sqlite3 -batch "$1" "SELECT * FROM inputs ORDER BY id;" \
	    "SELECT * FROM flows ORDER BY id;" "SELECT * FROM transitions ORDER BY id;" \
	    "SELECT * FROM anomalies ORDER BY id;" | sed 's/^[0-9]*|[^|]*|//' >/dev/null
	sqlite3 -batch "$1" "SELECT id, sha256, format, compression, link_type, snaplen, first_ts,
	    last_ts, packets, tcp_packets, status FROM inputs ORDER BY id;" \
	    "SELECT * FROM flows ORDER BY id;" "SELECT * FROM transitions ORDER BY id;" \
	    "SELECT * FROM anomalies ORDER BY id;"
}
count() { sql "$1" "SELECT (SELECT count(*) FROM inputs) || ' ' || (SELECT count(*) FROM flows) || ' ' ||
    (SELECT count(*) FROM transitions) || ' ' || (SELECT count(*) FROM anomalies)"; }
healthy() {	# healthy DB WHAT: integrity, foreign keys, no journal files left
	[ "$(sql "$1" "PRAGMA integrity_check")" = ok ] && ok || fail "$2: integrity_check"
	[ -z "$(sql "$1" "PRAGMA foreign_key_check")" ] && ok || fail "$2: foreign_key_check"
	for s in -wal -shm -journal; do
		[ ! -e "$1$s" ] && ok || fail "$2: $1$s left beside the database"
	done
}

# Pragmas of a new database.
"$PCAPSTATE" analyze -q -d "$TMP/a.db" -r "$a"
[ "$(sql "$TMP/a.db" "PRAGMA application_id")" = 1346589524 ] && ok || fail "application_id"
[ "$(sql "$TMP/a.db" "PRAGMA user_version")" = 1 ] && ok || fail "user_version"
healthy "$TMP/a.db" "fresh run"

# Idempotent: the same input again (even under another name) adds nothing.
before=$(count "$TMP/a.db")
cp "$a" "$TMP/renamed.pcap"
expect_status 0 "$PCAPSTATE" analyze -d "$TMP/a.db" -r "$a" -r "$TMP/renamed.pcap"
[ "$(count "$TMP/a.db")" = "$before" ] && ok || fail "re-analysis added rows: $before -> $(count "$TMP/a.db")"
grep -q 'already in' "$TMP/err" && ok || fail "no 'already in' note"
# ... while a new input is added, with ids continuing
expect_status 0 "$PCAPSTATE" analyze -q -d "$TMP/a.db" -r "$b"
[ "$(sql "$TMP/a.db" "SELECT count(*) FROM inputs")" = 2 ] && ok || fail "second input not added"

# Deterministic: two runs give identical rows, ids included.
"$GENCAP" 3000 4 >"$TMP/big.pcap"
"$PCAPSTATE" analyze -q -d "$TMP/d1.db" -r "$TMP/big.pcap" -r "$b"
"$PCAPSTATE" analyze -q -d "$TMP/d2.db" -r "$b" -r "$TMP/big.pcap"
if cmp -s <(rows "$TMP/d1.db") <(rows "$TMP/d2.db"); then ok; else fail "two runs differ"; fi

# Interrupted (SIGINT, SIGTERM) and killed (SIGKILL) runs: committed data kept, database sound,
# the interrupted input not complete, and the next run gives what an uninterrupted run gives.
# Two inputs that overlap in time, so flows ended in one input can still be open in memory.
"$GENCAP" 40000 6 >"$TMP/huge.pcap"
"$GENCAP" 30000 3 >"$TMP/huge2.pcap"
"$PCAPSTATE" analyze -q -d "$TMP/ref.db" -r "$TMP/huge.pcap" -r "$TMP/huge2.pcap"
for sig in INT TERM KILL KILL KILL; do
	case $sig in KILL) delay=$(( RANDOM % 3 ))."$(( RANDOM % 10 ))" ;; *) delay=0.5 ;; esac
	db=$TMP/int-$sig-$delay.db
	"$PCAPSTATE" analyze -q -d "$db" -r "$TMP/huge.pcap" -r "$TMP/huge2.pcap" 2>"$TMP/int.err" &
	pid=$!
	sleep "$delay"
	start=$(date +%s%N)
	kill -s "$sig" "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ "$sig" != KILL ]; then
		[ "$rc" = 130 ] || [ "$rc" = 0 ] && ok || fail "SIG$sig: exit $rc: $(cat "$TMP/int.err")"
		[ "$took" -lt 1500 ] && ok || fail "SIG$sig: took $took ms to stop"
	fi
	[ -e "$db" ] || continue
	[ "$(sql "$db" "PRAGMA integrity_check")" = ok ] && ok || fail "SIG$sig at ${delay}s: integrity_check"
	st=$(sql "$db" "SELECT group_concat(status) FROM inputs")
	if [ "$rc" != 0 ]; then
		case ",$st," in *,complete,*) fail "SIG$sig at ${delay}s: an interrupted input marked complete ($st)" ;; *) ok ;; esac
	fi
	# rerun: the result equals the uninterrupted run
	"$PCAPSTATE" analyze -q -d "$db" -r "$TMP/huge.pcap" -r "$TMP/huge2.pcap"
	if cmp -s <(rows "$TMP/ref.db") <(rows "$db"); then ok; else fail "SIG$sig at ${delay}s: rerun differs from an uninterrupted run"; fi
	healthy "$db" "SIG$sig rerun"
done

# merge: ids remapped, foreign keys intact, inputs already present skipped, strangers refused.
"$PCAPSTATE" analyze -q -d "$TMP/m1.db" -r "$a"
"$PCAPSTATE" analyze -q -d "$TMP/m2.db" -r "$b"
expect_status 0 "$PCAPSTATE" merge -o "$TMP/merged.db" "$TMP/m1.db" "$TMP/m2.db" "$TMP/m1.db"
c1=$(count "$TMP/m1.db"); c2=$(count "$TMP/m2.db")
want=$(echo "$c1 $c2" | awk '{ print $1 + $5, $2 + $6, $3 + $7, $4 + $8 }')
[ "$(count "$TMP/merged.db")" = "$want" ] && ok || fail "merge counts $(count "$TMP/merged.db"), want $want"
healthy "$TMP/merged.db" "merge"
[ "$(sql "$TMP/merged.db" "SELECT count(DISTINCT flow_id) FROM transitions")" = \
  "$(sql "$TMP/merged.db" "SELECT count(*) FROM flows")" ] && ok || fail "merged transitions lost their flows"
"$PCAPSTATE" analyze -q -d "$TMP/both.db" -r "$a" -r "$b"
# (final states may differ: in one run a later input lets an earlier TIME_WAIT run out)
q="SELECT uid, orig_addr, orig_port, resp_port, orig_pkts, resp_pkts, conn_state, history FROM flows ORDER BY uid"
if cmp -s <(sql "$TMP/both.db" "$q") <(sql "$TMP/merged.db" "$q"); then ok; else fail "merged flows differ from one run over both"; fi
echo "not a database" >"$TMP/stranger.db"
expect_status 4 "$PCAPSTATE" merge -o "$TMP/merged.db" "$TMP/stranger.db"
grep -q 'stranger.db' "$TMP/err" && ok || fail "merge refusal does not name the file"
sqlite3 "$TMP/other.db" "PRAGMA user_version = 7; CREATE TABLE t(x);"
expect_status 4 "$PCAPSTATE" merge -o "$TMP/merged2.db" "$TMP/other.db"
finish
