#!/usr/bin/env bash
# zeek_conn.sh - pcapstate's case database against Zeek's own conn.log baselines (corpus zeek/).
#
# For every (trace, baseline) pair in zeek/INDEX.tsv (full and cut conn.logs, and the script
# baselines that print history/conn_state or endpoint states), pcapstate analyses the trace and
# its flows are matched to Zeek's TCP rows by 5-tuple, either orientation; conn_state and history
# are compared.  Zeek rows of connections inside a tunnel (tunnel_parents set: Teredo, GTP) are
# left out; the plain TCP rows of those traces are compared.  Connections only one side has are
# counted per 5-tuple (Zeek splits a 5-tuple when its timers or IsReuse end a connection).
#
# Every difference must be listed in zeek-db-known-differences.txt with its reason; the test fails
# on an unlisted difference, on a listed one that no longer happens, and when conn_state agrees on
# less than 95% of the matched connections.  (tests/unit/test_zeek.c checks the Zeek model itself
# with its own driver; this test checks what reaches the database.)
. "$(dirname "$0")/../lib.sh"
need sqlite3
need python3
need_corpus
zeek=$CORPUS/zeek
[ -f "$zeek/INDEX.tsv" ] || skip "no $zeek/INDEX.tsv"
known=$SRCDIR/tests/corpus/zeek-db-known-differences.txt
helper=$SRCDIR/tests/corpus/zeek_conn.py

mkdir "$TMP/flows"
# Each trace once, whatever the number of its baselines.
tail -n +2 "$zeek/INDEX.tsv" | cut -f1 | sort -u >"$TMP/traces"
while IFS= read -r trace; do
	db=$TMP/flows/$trace.db
	"$PCAPSTATE" analyze -q -d "$db" -r "$zeek/$trace" >/dev/null 2>"$TMP/flows/$trace.err"
	echo $? >"$TMP/flows/$trace.rc"
	# A trace pcapstate cannot read leaves no flows: Zeek's rows then count as missing.
	sqlite3 -batch -noheader -separator "$(printf '\t')" "$db" \
	    "SELECT orig_addr, orig_port, resp_addr, resp_port, conn_state, history
	     FROM flows ORDER BY first_ts, id" >"$TMP/flows/$trace.tsv" 2>/dev/null || :
done <"$TMP/traces"

python3 "$helper" "$zeek" "$TMP/flows" "$known" >"$TMP/result" 2>&1 || fail "$helper failed"
while IFS= read -r line; do
	case "$line" in
	"ok "*) ok ;;
	"fail "*) fail "${line#fail }" ;;
	"info "*) echo "${line#info }" ;;
	*) echo "$line" ;;
	esac
done <"$TMP/result"
finish
