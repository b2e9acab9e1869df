#!/usr/bin/env bash
# robust.sh - every capture in the shared corpus gives exit 0, 1 or 3: never a crash, a hang or a
# sanitizer report (the sanitizer build aborts with another status).
. "$(dirname "$0")/../lib.sh"
need_corpus
n=0
while IFS= read -r -d '' f; do
	case "$f" in *.pcap|*.pcapng|*.cap|*.pcap.gz) ;; *) continue ;; esac
	n=$((n + 1))
	timeout 60 "$PCAPSTATE" analyze -q -d "$TMP/r.db" -r "$f" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	case $rc in
	0|1|3) ok ;;
	*) fail "$f: exit $rc"; tail -5 "$TMP/err" ;;
	esac
	rm -f "$TMP/r.db"
done < <(find "$CORPUS" -type f -print0 | sort -z)
[ "$n" -gt 300 ] && ok || fail "only $n captures found in $CORPUS"
finish
