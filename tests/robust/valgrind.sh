#!/usr/bin/env bash
# valgrind.sh - analyze (new and existing database, damaged input), report --csv/--html and netstat run without memory errors or leaks under valgrind.
# Leaks counted: definite and indirect. Skipped (77) without valgrind or when the binary was built
# with AddressSanitizer (valgrind cannot run it). A subcommand that fails with its own exit
# status (not valgrind's 99) is noted and not checked here: other tests own its behaviour.
. "$(dirname "$0")/../lib.sh"
need valgrind
need nm
need sqlite3
if nm "$PCAPSTATE" 2>/dev/null | grep -q __asan_init; then skip "$PCAPSTATE is built with AddressSanitizer"; fi
s1=$SAMPLES/syn-flood.pcap
s2=$SAMPLES/port-reuse.pcap
s3=$SAMPLES/lost-final-ack-unseen.pcap
for f in "$s1" "$s2" "$s3"; do [ -f "$f" ] || skip "sample $f missing"; done
db=$TMP/v.db

# vg WANT NAME ARGS...: runs pcapstate ARGS under valgrind; fails on a valgrind error (99) or an
# exit status other than WANT ("any" accepts every status but 99).
vg() {
	local want=$1 name=$2 rc
	shift 2
	timeout 300 valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
		"$PCAPSTATE" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" = 99 ]; then
		fail "$name: valgrind reports errors or leaks"
		grep -E '^==[0-9]+== ' "$TMP/err" | head -40
	elif [ "$want" = any ] || [ "$rc" = "$want" ] || { [ "$want" = soft ] && [ "$rc" = 0 ]; }; then
		ok
	elif [ "$want" = soft ]; then
		echo "note: $name exits $rc (not a valgrind error): not checked"; sed 's/^/    /' "$TMP/err" | head -3
	else
		fail "$name: exit $rc (want $want)"; sed 's/^/    /' "$TMP/err" | head -5
	fi
}

vg 0 "analyze (new database)" analyze -q -d "$db" -r "$s1"
# The same input again (skipped by its SHA-256) plus two new ones: the existing-database path.
vg 0 "analyze (existing database)" analyze -q -d "$db" -r "$s1" -r "$s2" -r "$s3"
# A damaged input: the frames before the damage are stored, exit 1.
size=$(stat -c %s "$s1")
head -c $((size / 2 + 7)) "$s1" >"$TMP/cut.pcap"
vg 1 "analyze (truncated input)" analyze -q -d "$TMP/cut.db" -r "$TMP/cut.pcap"
# Not a capture, and a missing file: exit 3.
echo "not a capture" >"$TMP/text.pcap"
vg 3 "analyze (not a capture)" analyze -q -d "$TMP/t.db" -r "$TMP/text.pcap" -r "$TMP/missing.pcap"
# A filter, with the connection cap reached (eviction).
vg 0 "analyze (filter, --max-flows 2)" analyze -q -d "$TMP/f.db" --max-flows 2 -r "$s1" tcp

flows=$(sql "$db" "SELECT count(*) FROM flows" 2>/dev/null)
if [ "${flows:-0}" -gt 0 ]; then ok; else fail "no flows in $db"; fi

vg soft "report --csv" report -d "$db" --csv "$TMP/csv"
vg soft "report --html" report -d "$db" --html "$TMP/r.html"
uid=$(sql "$db" "SELECT uid FROM flows ORDER BY id LIMIT 1" 2>/dev/null)
if [ -n "$uid" ]; then vg soft "report --html --flow" report -d "$db" --html "$TMP/f.html" --flow "$uid"; fi
at=$(sql "$db" "SELECT (min(first_ts) + max(last_ts)) / 2 / 1000000000 FROM flows" 2>/dev/null)
vg soft "netstat --at" netstat -d "$db" --at "${at:-0}"
vg soft "netstat --at --host --naming" netstat -d "$db" --at "${at:-0}" --host 10.0.0.1 --naming linux
finish
