#!/usr/bin/env bash
# tuples.sh - for every capture in the shared corpus, the set of TCP 4-tuples pcapstate stores equals
# tshark's (frames quoting TCP inside ICMP errors and flows inside tunnels left out); every other
# difference must be listed with its reason in known-differences.txt.
. "$(dirname "$0")/../lib.sh"
need tshark
need sqlite3
need_corpus
known=$SRCDIR/tests/corpus/known-differences.txt

canon() { awk '{ a = $1 " " $2; b = $3 " " $4; if (a < b) print a " - " b; else print b " - " a }'; }

: >"$TMP/diffs"
n=0
while IFS= read -r -d '' f; do
	case "$f" in *.pcap|*.pcapng) ;; *) continue ;; esac
	rel=${f#"$CORPUS"/}
	rm -f "$TMP/x.db"
	"$PCAPSTATE" analyze -q -d "$TMP/x.db" -r "$f" >/dev/null 2>&1
	sql "$TMP/x.db" "SELECT orig_addr, orig_port, resp_addr, resp_port FROM flows" 2>/dev/null |
		tr '|' ' ' | canon | sort -u >"$TMP/ours"
	# One IP layer only: a second address means a tunnel (or an ICMP quote, filtered out too).
	tshark -n -r "$f" -Y 'tcp && !icmp && !icmpv6' -T fields -E separator=' ' -E occurrence=a \
	    -E aggregator=, -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
	    2>/dev/null | awk -F'\t' '{ print }' | awk '
	    { if ($0 ~ /,/ || NF != 4) next; print }' | canon | sort -u >"$TMP/theirs"
	[ -s "$TMP/theirs" ] || [ -s "$TMP/ours" ] || continue
	n=$((n + 1))
	comm -23 "$TMP/theirs" "$TMP/ours" | sed "s|^|$rel\tonly-tshark\t|" >>"$TMP/diffs"
	comm -13 "$TMP/theirs" "$TMP/ours" | sed "s|^|$rel\tonly-pcapstate\t|" >>"$TMP/diffs"
done < <(find "$CORPUS" -type f -print0 | sort -z)

[ "$n" -gt 100 ] && ok || fail "only $n TCP captures compared"
# Every difference must be explained: known-differences.txt lists FILE<TAB>SIDE<TAB>TUPLE<TAB>REASON,
# where TUPLE may be '*' for every tuple of that file and side.
while IFS=$'\t' read -r file side tuple; do
	if awk -F'\t' -v f="$file" -v s="$side" -v t="$tuple" '
	    $1 == f && $2 == s && ($3 == t || $3 == "*") && $4 != "" { found = 1 } END { exit !found }' "$known"; then
		ok
	else
		fail "unexplained difference: $file $side $tuple"
	fi
done <"$TMP/diffs"
# ... and every listed difference must still happen, so the file cannot rot.
while IFS=$'\t' read -r file side tuple reason; do
	case "$file" in ''|'#'*) continue ;; esac
	if awk -F'\t' -v f="$file" -v s="$side" -v t="$tuple" '
	    $1 == f && $2 == s && ($3 == t || t == "*") { found = 1 } END { exit !found }' "$TMP/diffs"; then
		ok
	else
		fail "known difference no longer happens (remove it): $file $side $tuple"
	fi
done <"$known"
echo "compared $n captures, $(wc -l <"$TMP/diffs") explained differences"
finish
