#!/usr/bin/env bash
# badinput.sh - exit statuses and messages for bad input, bad filters, and database failures.
. "$(dirname "$0")/../lib.sh"
need sqlite3
need_corpus
good=$CORPUS/zeek/http-get.pcap
[ -f "$good" ] || good=$(ls "$CORPUS"/zeek/*.pcap | head -1)

# --help and --version: stdout, exit 0
expect_status 0 "$PCAPSTATE" --help
grep -q '^usage: pcapstate analyze' "$TMP/out" && ok || fail "--help text on stdout"
expect_status 0 "$PCAPSTATE" --version
grep -q '^pcapstate [0-9]' "$TMP/out" && ok || fail "--version on stdout"
expect_status 2 "$PCAPSTATE" frobnicate
expect_status 2 "$PCAPSTATE" analyze -d "$TMP/u.db"

# missing, empty, not a capture: exit 3, message names the file
expect_status 3 "$PCAPSTATE" analyze -q -d "$TMP/a.db" -r "$TMP/nonexistent.pcap"
grep -q 'nonexistent.pcap' "$TMP/err" && ok || fail "missing file not named"
: >"$TMP/empty.pcap"
expect_status 3 "$PCAPSTATE" analyze -q -d "$TMP/a.db" -r "$TMP/empty.pcap"
grep -q 'empty.pcap: empty' "$TMP/err" && ok || fail "empty file message: $(cat "$TMP/err")"
echo "hello, this is not a capture" >"$TMP/text.pcap"
expect_status 3 "$PCAPSTATE" analyze -q -d "$TMP/a.db" -r "$TMP/text.pcap"
grep -q 'text.pcap: not a capture' "$TMP/err" && ok || fail "not-a-capture message: $(cat "$TMP/err")"
# a gzip of garbage is still not a capture
gzip -c "$TMP/text.pcap" >"$TMP/text.pcap.gz"
expect_status 3 "$PCAPSTATE" analyze -q -d "$TMP/a.db" -r "$TMP/text.pcap.gz"

# the six files libpcap must reject
for f in "$CORPUS"/other/libpcap/*.pcap*; do
	expect_status 3 "$PCAPSTATE" analyze -q -d "$TMP/lib.db" -r "$f"
	grep -q "$(basename "$f")" "$TMP/err" && ok || fail "$(basename "$f") not named"
done

# truncated part-way: what came before is stored, input marked truncated, exit 1
size=$(stat -c %s "$good")
head -c $((size * 2 / 3)) "$good" >"$TMP/cut.pcap"
expect_status 1 "$PCAPSTATE" analyze -q -d "$TMP/cut.db" -r "$TMP/cut.pcap"
grep -q 'cut.pcap' "$TMP/err" && ok || fail "truncated input not named"
[ "$(sql "$TMP/cut.db" "SELECT status FROM inputs")" = truncated ] && ok || fail "status not truncated"
n=$(sql "$TMP/cut.db" "SELECT count(*) FROM flows")
[ "$n" -gt 0 ] && ok || fail "nothing stored before the damage"
sql "$TMP/cut.db" "SELECT error FROM inputs" | grep -q 'frame' && ok || fail "error names no frame"

# a mix: one good, one missing -> the good one is analysed, exit 3
expect_status 3 "$PCAPSTATE" analyze -q -d "$TMP/mix.db" -r "$good" -r "$TMP/missing.pcap"
[ "$(sql "$TMP/mix.db" "SELECT count(*) FROM inputs WHERE status='complete'")" = 1 ] && ok || fail "good input of a mix not analysed"

# a bad filter: exit 2 with libpcap's message, a hint when a word looks like a capture file
expect_status 2 "$PCAPSTATE" analyze -q -d "$TMP/f.db" -r "$good" tcp port bogus
grep -qi 'filter' "$TMP/err" && ok || fail "filter error message"
[ ! -e "$TMP/f.db" ] && ok || fail "a filter error created the database"
expect_status 2 "$PCAPSTATE" analyze -q -d "$TMP/f.db" "$good"
grep -q "hint: .* -r" "$TMP/err" && ok || fail "no -r hint: $(cat "$TMP/err")"

# -d naming a file that is not a pcapstate database: exit 4, file untouched
echo "precious notes" >"$TMP/notes.txt"
before=$(sha256sum <"$TMP/notes.txt")
expect_status 4 "$PCAPSTATE" analyze -q -d "$TMP/notes.txt" -r "$good"
[ "$(sha256sum <"$TMP/notes.txt")" = "$before" ] && ok || fail "a foreign file was modified"
# a database in a directory that does not exist / cannot be written
expect_status 4 "$PCAPSTATE" analyze -q -d "$TMP/no/such/dir/x.db" -r "$good"

finish
