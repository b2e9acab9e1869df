#!/usr/bin/env bash
# queries.sh - every SQL query of the README's "Querying the database" section runs against the
# database of samples/ (plus one cut capture) and gives the answer in tests/golden/queries.out.
# Regenerate the answers after a reviewed change with: tests/cli/queries.sh --update
. "$(dirname "$0")/../lib.sh"
need sqlite3
readme=$SRCDIR/README.md
expected=$SRCDIR/tests/golden/queries.out

# Relative paths, so the stored input paths do not depend on where the checkout is.
mkdir -p "$TMP/case"
cp -r "$SAMPLES" "$TMP/case/samples"
head -c 3000 "$SAMPLES/bulk-transfer.pcap" >"$TMP/case/cut.pcap"
(cd "$TMP/case" && "$PCAPSTATE" analyze -q -d "$TMP/s.db" -r samples -r cut.pcap)
rc=$?
[ "$rc" = 1 ] && ok || fail "analysis of samples + a cut capture: exit $rc (want 1)"

awk '/^### Querying the database/ { on = 1; next } /^## / { on = 0 }
     on && /^```sql/ { f = 1; n++; printf "" > (dir "/q" n ".sql"); next }
     on && /^```/ { f = 0; next }
     f { print >> (dir "/q" n ".sql") }' dir="$TMP" "$readme"
n=$(ls "$TMP"/q*.sql 2>/dev/null | wc -l)
[ "$n" -ge 10 ] && ok || fail "only $n queries found in the README"

for i in $(seq 1 "$n"); do
	echo "== query $i"
	sqlite3 -batch -header "$TMP/s.db" <"$TMP/q$i.sql" 2>&1
done >"$TMP/got"
if [ "${1:-}" = --update ]; then
	cp "$TMP/got" "$expected"
	echo "updated $expected"
	exit 0
fi
for i in $(seq 1 "$n"); do
	a=$(awk -v h="== query $i" '$0 == h { on = 1; next } /^== query / { on = 0 } on' "$expected")
	b=$(awk -v h="== query $i" '$0 == h { on = 1; next } /^== query / { on = 0 } on' "$TMP/got")
	if [ -n "$b" ] && [ "$a" = "$b" ]; then ok; else
		fail "query $i: answer differs"; diff <(echo "$a") <(echo "$b") | head -10; fi
done
finish
