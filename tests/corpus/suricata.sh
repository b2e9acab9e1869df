#!/usr/bin/env bash
# suricata.sh - pcapstate's final TCP states against the tcp.state Suricata's own tests expect
# (corpus other/suricata-verify/: the test.yaml flow checks counted in INDEX.tsv's
# flow_tcp_state_checks column).
#
# Suricata keeps one state per TCP session; pcapstate keeps one per endpoint.  Suricata's FIN
# handling (stream-tcp.c, StreamTcpHandleFin and the per-state handlers) names the session after
# the SERVER's side of the teardown: a FIN to the server gives close_wait, a FIN to the client
# fin_wait1 (bug-814: client FIN only -> close_wait; stream-async-6063-srv-01: server FIN only
# -> fin_wait1).  So, with client = pcapstate's orig (the SYN sender, Suricata's src) and
# server = resp, each at the last state a segment led it to (2*MSL and idle timeouts and the
# end of the capture are not Suricata events):
#
#   pcapstate client / server             Suricata tcp.state
#   SYN_SENT      / LISTEN                syn_sent      (SYN only)
#   CLOSED        / LISTEN                closed        (SYN, then the client's RST)
#   any           / SYN_RECEIVED          syn_recv      (SYN-ACK seen, no final ACK)
#   ESTABLISHED   / ESTABLISHED           established
#   FIN_WAIT_1|2  / CLOSE_WAIT            close_wait    (client closed first, server silent)
#   any           / LAST_ACK              last_ack      (both FINs, client's last ACK missing)
#   any           / FIN_WAIT_1            fin_wait1     (server closed first, not yet acked)
#   any           / FIN_WAIT_2            fin_wait2     (server's FIN acked, client silent)
#   LAST_ACK      / TIME_WAIT             time_wait     (server closed first, its last ACK missing)
#   CLOSED        / TIME_WAIT             closed        (server closed first, all acked)
#   any           / CLOSED                closed        (client closed first and all acked, or RST)
#   FINs crossed (simultaneous close: both CLOSING or TIME_WAIT), which Suricata only knows as
#   CLOSING when the server's FIN came first; from a client FIN it goes close_wait, then
#   last_ack at the server's FIN whether or not that FIN acknowledges the client's:
#   TIME_WAIT     / TIME_WAIT             closed        (both FINs acknowledged)
#   CLOSING|TW    / CLOSING               last_ack      (client's FIN first; server's FIN unacked)
#   CLOSING       / TIME_WAIT             closed        (client's FIN first; server's FIN acked)
#   CLOSING|TW    / CLOSING|TW            closing       (the other crossings: server's FIN first)
#   any other     / CLOSING               closing
#   UNKNOWN       / UNKNOWN               (none)        (mid-stream: Suricata tracks no session by
#                                                        default, stream.midstream=false)
#
# Tests run with --set stream.midstream=true or stream.async-oneside=true are compared only for
# flows pcapstate saw open with a SYN and carry packets both ways (there the options change
# nothing); their other checks are skipped and listed.  Every difference must be listed, with its
# reason, in suricata-known-differences.txt; the test fails on an unlisted one and on a listed one
# that no longer happens.
. "$(dirname "$0")/../lib.sh"
need sqlite3
need python3
need_corpus
sv=$CORPUS/other/suricata-verify
[ -f "$sv/INDEX.tsv" ] || skip "no $sv/INDEX.tsv"
known=$SRCDIR/tests/corpus/suricata-known-differences.txt
helper=$SRCDIR/tests/corpus/suricata.py

mkdir "$TMP/flows"
# The pcaps of the tests with tcp.state checks (column 4), each once.
awk -F'\t' 'NR > 1 && $4 != "" { print $2 }' "$sv/INDEX.tsv" | sort -u >"$TMP/pcaps"
while IFS= read -r pcap; do
	base=$TMP/flows/${pcap//\//__}
	"$PCAPSTATE" analyze -q -d "$base.db" -r "$sv/$pcap" >/dev/null 2>&1 ||
		echo "pcapstate exited with status $? on $pcap"
	sqlite3 -batch -noheader -separator "$(printf '\t')" "$base.db" "
	    SELECT f.orig_addr, f.orig_port, f.resp_addr, f.resp_port,
	      coalesce((SELECT to_state FROM transitions t WHERE t.flow_id = f.id
	        AND t.endpoint = 'orig' AND t.evidence NOT IN ('timeout', 'end')
	        ORDER BY t.id DESC LIMIT 1), f.orig_state),
	      coalesce((SELECT to_state FROM transitions t WHERE t.flow_id = f.id
	        AND t.endpoint = 'resp' AND t.evidence NOT IN ('timeout', 'end')
	        ORDER BY t.id DESC LIMIT 1), f.resp_state),
	      f.midstream, f.orig_pkts, f.resp_pkts,
	      coalesce((SELECT endpoint FROM transitions t WHERE t.flow_id = f.id
	        AND t.to_state = 'FIN_WAIT_1' ORDER BY t.id LIMIT 1), '')
	    FROM flows f ORDER BY f.first_ts, f.id" >"$base.tsv" 2>/dev/null || :
done <"$TMP/pcaps"

python3 "$helper" "$sv" "$TMP/flows" "$known" >"$TMP/result" 2>&1 || fail "$helper failed"
while IFS= read -r line; do
	case "$line" in
	"ok "*) ok ;;
	"fail "*) fail "${line#fail }" ;;
	"info "*) [ -n "${VERBOSE:-}" ] || case "$line" in "info "*pcapstate*suricata*) continue ;; esac
		echo "${line#info }" ;;
	*) echo "$line" ;;
	esac
done <"$TMP/result"
finish
