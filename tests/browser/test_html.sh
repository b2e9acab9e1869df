#!/bin/sh
# test_html.sh - opens the HTML reports in headless Chromium: the script runs, the CSP holds, rows and SVG render.
#
# Environment (automake sets srcdir; the rest have defaults for a run from the build directory):
#   PCAPSTATE     the pcapstate binary                      (default ./pcapstate)
#   TEST_REPORTS  tests/unit/test_reports, builds the fixture (default ./tests/unit/test_reports)
#   CHROMIUM      the browser                               (default: chromium on PATH)
# Screenshots for a human look are left in tests/browser/ under the build directory.
# Exit status (automake): 0 pass, 1 fail, 77 skip (no chromium), 99 hard error.

set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export srcdir
PCAPSTATE=${PCAPSTATE:-./pcapstate}
TEST_REPORTS=${TEST_REPORTS:-./tests/unit/test_reports}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}

if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
	echo "SKIP: chromium not installed"
	exit 77
fi
for bin in "$PCAPSTATE" "$TEST_REPORTS"; do
	if [ ! -x "$bin" ]; then
		echo "ERROR: $bin not built (set PCAPSTATE / TEST_REPORTS)" >&2
		exit 99
	fi
done

out=tests/browser
mkdir -p "$out" || exit 99
work=$(mktemp -d) || exit 99
trap 'rm -rf "$work"' EXIT INT TERM

fails=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# Each run gets a fresh profile; nothing may reach the network (the pages load nothing anyway).
browse() {
	profile=$(mktemp -d "$work/profile.XXXXXX")
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --disable-quic --hide-scrollbars \
		--user-data-dir="$profile" --enable-logging=stderr --v=0 --virtual-time-budget=5000 "$@"
}

# dump URL DOMFILE: the DOM after the page's script ran; console lines go to DOMFILE.log.
dump() {
	browse --dump-dom "file://$1" >"$2" 2>"$2.log" || fail "chromium could not open $1"
}

shot() {
	browse --window-size=1400,2000 --screenshot="$2" "file://$1" >/dev/null 2>&1 || fail "no screenshot of $1"
	[ -s "$2" ] || fail "empty screenshot $2"
	# A blank or broken page has a handful of colours; a rendered report has hundreds.
	if command -v convert >/dev/null 2>&1; then
		colours=$(convert "$2" -format %k info: 2>/dev/null || echo 0)
		[ "$colours" -gt 100 ] || fail "$2 looks blank ($colours colours)"
	fi
}

has() {   # has FILE TEXT WHAT
	grep -qF -- "$2" "$1" || fail "$3: missing $2"
}

hasnt() {
	! grep -qF -- "$2" "$1" || fail "$3: unexpected $2"
}

db="$work/case.db"
"$TEST_REPORTS" --fixture "$db" || { echo "ERROR: cannot build the fixture database" >&2; exit 99; }
case_html=$(pwd)/$out/case.html
flow_html=$(pwd)/$out/flow.html
"$PCAPSTATE" report -d "$db" --html "$case_html" || fail "pcapstate report --html exited $?"
"$PCAPSTATE" report -d "$db" --html "$flow_html" --flow CwjjYJ2WqgTbAqiHl6 || fail "pcapstate report --flow exited $?"

for page in "$case_html" "$flow_html"; do
	dom="$work/$(basename "$page").dom"
	dump "$page" "$dom"
	has "$dom" 'data-ready="1"' "$page: script did not finish"
	has "$dom" '<html lang="en" class="js">' "$page: script did not run"
	hasnt "$dom" 'data-csp-violations="' "$page: CSP violation"
	if grep -qi 'Content Security Policy\|Refused to' "$dom.log"; then
		fail "$page: console reports a CSP violation: $(grep -i 'Content Security Policy\|Refused to' "$dom.log" | head -n 1)"
	fi
	has "$dom" '<th tabindex="0" title="Sort by this column"' "$page: tables not made sortable"
	hasnt "$dom" '<script>alert' "$page: markup from the data became markup"
	hasnt "$dom" '<script src' "$page: external script"
done

dom="$work/case.html.dom"
n=$(grep -o '<tr id="f-' "$dom" | wc -l)
[ "$n" -eq 11 ] || fail "case page: $n connection rows, expected 11"
has "$dom" '<tr id="f-CHhAvVGS1DHFjwGM9"' "case page"
has "$dom" 'id="k-syn_flood"' "case page"
has "$dom" '<svg class="fig timeline"' "case page"
has "$dom" '<svg class="fig chart"' "case page"
has "$dom" 'class="ln s-SYN_RECEIVED hot"' "case page"
has "$dom" '<rect class="s-TIME_WAIT"' "case page"
has "$dom" 'edge-&lt;script&gt;alert(1)&lt;/script&gt;.pcapng.gz' "case page: escaped input path"
has "$dom" '<span class="status status-truncated">truncated</span>' "case page"

dom="$work/flow.html.dom"
has "$dom" '<svg class="fig ladder"' "flow page"
n=$(grep -o 'marker-end="url(#arrow)"' "$dom" | wc -l)
[ "$n" -eq 4 ] || fail "flow page: $n arrows in the ladder, expected 4"
has "$dom" 'FIN received before the ACK of its own' "flow page"
has "$dom" 'simultaneous_close' "flow page"

# The detector itself: a page that loads an outside image must report a violation.
sed 's|<body>|<body><img src="http://127.0.0.1:9/beacon.png" alt="">|' "$case_html" >"$work/leak.html"
dump "$work/leak.html" "$work/leak.dom"
has "$work/leak.dom" 'data-csp-violations="1"' "CSP violation detector"

shot "$case_html" "$out/case.png"
shot "$flow_html" "$out/flow.png"

if [ "$fails" -ne 0 ]; then
	echo "test_html: $fails checks failed" >&2
	exit 1
fi
echo "test_html: pages render in Chromium without CSP violations; screenshots: $out/case.png $out/flow.png"
exit 0
