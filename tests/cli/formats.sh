#!/usr/bin/env bash
# formats.sh - one capture as pcap, pcapng, nanosecond pcap, gzip, zstd, xz, stdin, and split into a
# reversed rotation set, gives the same flows; directories and list files take every capture.
. "$(dirname "$0")/../lib.sh"
need sqlite3
need editcap
need zstd
need xz
need_corpus
src=$CORPUS/zeek/http-get.pcap
[ -f "$src" ] || skip "no $src"
src2=$CORPUS/zeek/ftp-ipv4.pcap

dump() {	# dump DB: every flow's tuple, counts and states, ordered
	sql "$1" "SELECT orig_addr, orig_port, resp_addr, resp_port, first_ts, last_ts, orig_pkts,
	    resp_pkts, orig_bytes, resp_bytes, orig_state, resp_state, conn_state, history, uid
	    FROM flows ORDER BY first_ts, orig_addr, orig_port"
}
analyze() {	# analyze NAME ARGS...: DB $TMP/NAME.db, dump in $TMP/NAME.txt
	local name=$1
	shift
	"$PCAPSTATE" analyze -q -d "$TMP/$name.db" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
	dump "$TMP/$name.db" >"$TMP/$name.txt"
}
same() {	# same NAME: its flows equal the reference's, and it exited 0
	if [ "$(cat "$TMP/$1.rc")" != 0 ]; then fail "$1: exit $(cat "$TMP/$1.rc"): $(head -3 "$TMP/$1.err")"; return; fi
	if cmp -s "$TMP/ref.txt" "$TMP/$1.txt"; then ok; else
		fail "$1: flows differ from the plain pcap"; diff "$TMP/ref.txt" "$TMP/$1.txt" | head -5; fi
}

analyze ref -r "$src"
[ "$(wc -l <"$TMP/ref.txt")" -gt 0 ] && ok || fail "reference run stored no flow"

editcap -F pcapng "$src" "$TMP/c.pcapng";     analyze pcapng -r "$TMP/c.pcapng"; same pcapng
editcap -F nsecpcap "$src" "$TMP/c-ns.pcap";  analyze nsec -r "$TMP/c-ns.pcap"; same nsec
gzip -c "$src" >"$TMP/c.gz";                  analyze gzip -r "$TMP/c.gz"; same gzip
zstd -q -c "$src" >"$TMP/c.zst";              analyze zstd -r "$TMP/c.zst"; same zstd
xz -c "$src" >"$TMP/c.xz";                    analyze xz -r "$TMP/c.xz"; same xz
# names do not matter, magic bytes do
cp "$TMP/c.zst" "$TMP/misnamed.pcap";         analyze misnamed -r "$TMP/misnamed.pcap"; same misnamed
analyze stdin -r - <"$src";                   same stdin
analyze stdingz -r - <"$TMP/c.gz";            same stdingz
[ "$(sql "$TMP/gzip.db" "SELECT compression FROM inputs")" = gzip ] && ok || fail "compression not recorded"
[ "$(sql "$TMP/pcapng.db" "SELECT format FROM inputs")" = pcapng ] && ok || fail "format not recorded"
[ "$(sql "$TMP/ref.db" "SELECT sha256 FROM inputs")" = "$(sha256sum "$src" | cut -d' ' -f1)" ] && ok ||
	fail "sha256 of the input differs from sha256sum"
[ "$(sql "$TMP/gzip.db" "SELECT sha256 FROM inputs")" = "$(sha256sum "$TMP/c.gz" | cut -d' ' -f1)" ] && ok ||
	fail "sha256 is not of the bytes as stored"

# a rotation set split with editcap -c, given in reverse order, and as a directory
mkdir -p "$TMP/rot"
editcap -c 5 "$src" "$TMP/rot/part.pcap" >/dev/null
nparts=$(ls "$TMP/rot" | wc -l)
[ "$nparts" -gt 2 ] && ok || fail "editcap split made $nparts parts"
args=()
for f in $(ls "$TMP/rot" | sort -r); do args+=(-r "$TMP/rot/$f"); done
analyze split "${args[@]}"
# frame numbers differ per part, the flows must not
same split
analyze dir -r "$TMP/rot"; same dir
ls "$TMP"/rot/* | sort -r >"$TMP/list.txt"
analyze list -V "$TMP/list.txt"; same list
[ "$(sql "$TMP/split.db" "SELECT count(*) FROM inputs")" = "$nparts" ] && ok || fail "not one input row per part"

# two unrelated captures at once keep both sets of flows
if [ -f "$src2" ]; then
	analyze two -r "$src2" -r "$src"
	analyze one2 -r "$src2"
	a=$(sql "$TMP/ref.db" "SELECT count(*) FROM flows"); b=$(sql "$TMP/one2.db" "SELECT count(*) FROM flows")
	[ "$(sql "$TMP/two.db" "SELECT count(*) FROM flows")" = $((a + b)) ] && ok || fail "two inputs lost flows"
fi

# a pcapng whose interfaces differ in link type and snaplen (libpcap alone refuses it)
mixed=$CORPUS/zeek/ldap-gap-data-missing.pcapng
if [ -f "$mixed" ]; then
	analyze mixed -r "$mixed"
	[ "$(cat "$TMP/mixed.rc")" = 0 ] && ok || fail "mixed-link-type pcapng: exit $(cat "$TMP/mixed.rc")"
	[ "$(sql "$TMP/mixed.db" "SELECT tcp_packets FROM inputs")" = 18 ] && ok || fail "mixed pcapng: not every packet decoded"
	[ "$(sql "$TMP/mixed.db" "SELECT history FROM flows")" = ShADadgtFr ] && ok || fail "mixed pcapng: history differs from Zeek's"
fi

# a BPF expression as trailing arguments, as in tcpdump
analyze bpf -r "$src" tcp port 80
[ "$(cat "$TMP/bpf.rc")" = 0 ] && ok || fail "filter run failed"
[ "$(sql "$TMP/bpf.db" "SELECT count(*) FROM flows WHERE resp_port != 80 AND orig_port != 80")" = 0 ] && ok ||
	fail "filter let other ports through"

finish
