# tests/lib.sh - shared helpers for the shell tests: binary, corpus and sample paths, skip/fail.
# Sourced by every tests/*/*.sh; automake sets PCAPSTATE, PCAPSTATE_SRCDIR and PCAPSTATE_CORPUS.
set -u
SRCDIR=${PCAPSTATE_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PCAPSTATE=${PCAPSTATE:-$SRCDIR/pcapstate}
CORPUS=${PCAPSTATE_CORPUS:-$SRCDIR/../shared/corpus}
SAMPLES=$SRCDIR/samples
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pcapstate-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILS=0
CHECKS=0

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); }
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 not installed"; }
need_corpus() { [ -d "$CORPUS" ] || skip "corpus not found at $CORPUS (set PCAPSTATE_CORPUS)"; }
finish() {
	echo "$(basename "$0"): $CHECKS checks passed, $FAILS failed"
	[ "$FAILS" = 0 ]
	exit $?
}
# expect_status WANT CMD...: runs CMD, checks its exit status, keeps stderr in $TMP/err.
expect_status() {
	local want=$1 got
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" = "$want" ]; then ok; else
		fail "exit $got (want $want): $*"; sed 's/^/    /' "$TMP/err" | head -5; fi
	return 0
}
# sql DB QUERY: one query through the sqlite3 shell, rows separated by '|'.
sql() { sqlite3 -batch -noheader "$1" "$2"; }
