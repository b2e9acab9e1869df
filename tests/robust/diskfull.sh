#!/usr/bin/env bash
# diskfull.sh - a full disk or an unwritable database location gives exit 4, a clear message, and leaves the earlier database intact.
# Root only (mounts): skipped (77) otherwise, or when mount -t tmpfs fails (containers).
# On a 2 MB tmpfs: a small analysis succeeds; a second one into the same database that cannot
# fit exits 4 naming the problem; the database still passes PRAGMA integrity_check, keeps every
# earlier row, and marks no input complete that was not fully analysed. Then: a database in a
# read-only directory (tmpfs mounted ro), and the earlier database after its filesystem is
# remounted read-only, both exit 4 and change nothing. Every mount is undone in a trap.
. "$(dirname "$0")/../lib.sh"
need sqlite3
[ "$(id -u)" = 0 ] || skip "needs root (mounts a small tmpfs)"
here=$(cd "$(dirname "$0")" && pwd)
small=$SAMPLES/handshake-close-client-first.pcap
[ -f "$small" ] || skip "sample $small missing"

mnt=$TMP/full
ro=$TMP/ro
mkdir -p "$mnt" "$ro"
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	mountpoint -q "$mnt" && umount "$mnt"
	mountpoint -q "$ro" && umount "$ro"
	rm -rf "$TMP"
}
trap cleanup EXIT
mount -t tmpfs -o size=2m,mode=0755 pcapstate-test "$mnt" 2>/dev/null || skip "mount -t tmpfs is not permitted here"

# The large input: 20000 SYNs make a database of about 16 MB; without the generator, every
# sample at once (a few MB).
gen=${SYNFLOOD:-$PWD/tests/robust/synflood}
if [ ! -x "$gen" ]; then
	gen=$TMP/synflood
	${CC:-cc} -O2 -o "$gen" "$here/synflood.c" 2>/dev/null || gen=
fi
big=()
if [ -n "$gen" ] && "$gen" "$TMP/big.pcap" 20000 >/dev/null; then big=(-r "$TMP/big.pcap"); else
	for f in "$SAMPLES"/*.pcap; do big+=(-r "$f"); done
fi

db=$mnt/case.db
counts() { sql "$1" "SELECT (SELECT count(*) FROM inputs) || ' ' || (SELECT count(*) FROM flows) || ' ' ||
	(SELECT count(*) FROM transitions) || ' ' || (SELECT count(*) FROM anomalies) || ' ' ||
	(SELECT count(*) FROM inputs WHERE status = 'complete')"; }

expect_status 0 "$PCAPSTATE" analyze -q -d "$db" -r "$small"
before=$(counts "$db")
echo "before: inputs flows transitions anomalies complete = $before"

# The disk fills up part-way.
expect_status 4 "$PCAPSTATE" analyze -q -d "$db" "${big[@]}"
if grep -q -i -E 'full|no space' "$TMP/err"; then ok; else fail "no disk-full message: $(head -3 "$TMP/err")"; fi
if grep -q "$db" "$TMP/err"; then ok; else fail "the message does not name $db"; fi
echo "message: $(head -1 "$TMP/err")"
ic=$(sql "$db" "PRAGMA integrity_check" 2>&1)
if [ "$ic" = ok ]; then ok; else fail "integrity_check after a full disk: $ic"; fi
after=$(counts "$db")
if [ "$after" = "$before" ]; then ok; else fail "rows changed by the failed run: $before -> $after"; fi
n=$(sql "$db" "SELECT count(*) FROM inputs WHERE status = 'complete' AND path <> '$small'")
if [ "$n" = 0 ]; then ok; else fail "$n inputs marked complete that were not fully analysed"; fi
left=$(find "$mnt" -mindepth 1 ! -name case.db -printf '%f ')
if [ -n "$left" ]; then echo "note: left beside the database: $left"; fi

# A directory nobody can write to (root ignores chmod: a read-only tmpfs).
chmod 555 "$ro"
mount -t tmpfs -o ro,size=1m pcapstate-test-ro "$ro"
expect_status 4 "$PCAPSTATE" analyze -q -d "$ro/x.db" -r "$small"
if [ -s "$TMP/err" ]; then ok; else fail "no message for an unwritable directory"; fi
echo "message: $(head -1 "$TMP/err")"

# The earlier database on a filesystem remounted read-only: exit 4, nothing changed.
sum=$(sha256sum <"$db")
mount -o remount,ro "$mnt"
expect_status 4 "$PCAPSTATE" analyze -q -d "$db" -r "$SAMPLES/refused.pcap"
echo "message: $(head -1 "$TMP/err")"
if [ "$(sha256sum <"$db")" = "$sum" ]; then ok; else fail "a read-only database was modified"; fi
mount -o remount,rw "$mnt"
if [ "$(counts "$db")" = "$before" ]; then ok; else fail "rows changed: $before -> $(counts "$db")"; fi

# Writable again: the database takes a small input as if nothing had happened.
expect_status 0 "$PCAPSTATE" analyze -q -d "$db" -r "$SAMPLES/refused.pcap"
ic=$(sql "$db" "PRAGMA integrity_check" 2>&1)
if [ "$ic" = ok ]; then ok; else fail "integrity_check after the recovery run: $ic"; fi
n=$(sql "$db" "SELECT count(*) FROM inputs WHERE status = 'complete'")
if [ "$n" = 2 ]; then ok; else fail "$n complete inputs after the recovery run (want 2)"; fi
finish
