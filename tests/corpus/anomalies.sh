#!/usr/bin/env bash
# anomalies.sh - the anomaly kinds that no real-stack sample shows are found in corpus captures, on
# the right flow and endpoint (or as capture-level rows), and clean corpus captures report no serious kind.
. "$(dirname "$0")/../lib.sh"
need sqlite3
need_corpus

# expect FILE KIND ENDPOINT(orig|resp|-) [FLOWLEVEL(flow|none)]
expect() {
	local f=$CORPUS/$1 kind=$2 ep=$3 scope=${4:-flow} db=$TMP/x.db q
	[ -f "$f" ] || { fail "missing corpus file $1"; return; }
	rm -f "$db"
	"$PCAPSTATE" analyze -q -d "$db" -r "$f" >/dev/null 2>&1
	if [ "$scope" = none ]; then
		q="SELECT count(*) FROM anomalies WHERE kind = '$kind' AND flow_id IS NULL AND frame > 0"
	elif [ "$ep" = - ]; then
		q="SELECT count(*) FROM anomalies a JOIN flows f ON f.id = a.flow_id WHERE a.kind = '$kind' AND a.endpoint IS NULL"
	else
		q="SELECT count(*) FROM anomalies a JOIN flows f ON f.id = a.flow_id WHERE a.kind = '$kind' AND a.endpoint = '$ep'"
	fi
	if [ "$(sql "$db" "$q")" -gt 0 ]; then ok; else
		fail "$1: no $kind ($ep, $scope); got: $(sql "$db" "SELECT group_concat(DISTINCT kind) FROM anomalies")"; fi
}

expect tcpdump/scps_invalid.pcap unanswered_syn orig
expect tcpdump/bgp-bgp_capabilities_print-oobr-1.pcap ip_fragment - none
expect tcpdump/LINKTYPE_IPV4_invalid.pcap malformed_packet - none
expect tcpdump/beep-oobr.pcap truncated_packet - none
expect tcpdump/babel_update_oobr.pcap timestamp_regression - none
expect zeek/tcp-fin_retransmission.pcap fin_retransmission orig
expect zeek/wikipedia.pcap midstream -
expect zeek/ssh-ssh.server-side-half-duplex.pcap one_sided -
expect other/scapy/http_content_length.pcap abortive_close orig

# the unanswered SYN's flow: its originator is left in SYN_SENT
rm -f "$TMP/x.db"
"$PCAPSTATE" analyze -q -d "$TMP/x.db" -r "$CORPUS/tcpdump/scps_invalid.pcap" >/dev/null 2>&1
[ "$(sql "$TMP/x.db" "SELECT f.orig_state FROM anomalies a JOIN flows f ON f.id = a.flow_id
    WHERE a.kind = 'unanswered_syn' LIMIT 1")" = SYN_SENT ] && ok || fail "unanswered_syn flow not in SYN_SENT"

# clean captures: no serious kind
for f in zeek/http-get.pcap zeek/ftp-ipv4.pcap zeek/wikipedia.pcap; do
	rm -f "$TMP/c.db"
	"$PCAPSTATE" analyze -q -d "$TMP/c.db" -r "$CORPUS/$f" >/dev/null 2>&1
	bad=$(sql "$TMP/c.db" "SELECT group_concat(DISTINCT kind) FROM anomalies WHERE kind IN
	    ('half_open','syn_flood','time_wait_pileup','lost_final_ack','abortive_close','out_of_window',
	     'data_after_fin','close_wait_stuck','fin_wait_2_stuck','handshake_incomplete')")
	[ -z "$bad" ] && ok || fail "$f: a clean capture reported $bad"
done
finish
