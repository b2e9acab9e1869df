#!/bin/bash
# bigcap.sh - builds a large capture from the real ones (samples/ and the shared corpus) by time-shifted copies, for benchmarking.
#
# usage: tests/bench/bigcap.sh OUT.pcap SIZE_MB
#
# Takes every Ethernet capture with TCP in it from samples/ and $PCAPSTATE_CORPUS (default
# ../shared/corpus beside the checkout), shifts each with editcap -t so that they start 10 s
# apart (one "round"), then appends copies of the round shifted by the round's length until
# SIZE_MB is reached. Addresses cannot be changed with editcap (tcprewrite is not installed), so
# the same 4-tuples come back once per round; a round lasts longer than pcapstate's idle
# timeout (3600 s), so a connection of one round has been let go when its copy starts. The
# result is pcap (microsecond), one link type, chronological. Needs editcap, mergecap, capinfos
# and tcpdump (Wireshark's command-line tools and tcpdump).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: bigcap.sh OUT.pcap SIZE_MB" >&2; exit 2; }
out=$1
size_mb=$2
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
corpus=${PCAPSTATE_CORPUS:-$src/../shared/corpus}
for t in editcap mergecap capinfos tcpdump; do
	command -v "$t" >/dev/null || { echo "bigcap.sh: $t is not installed" >&2; exit 1; }
done

tmp=$(mktemp -d /var/tmp/bigcap.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# Candidates: Ethernet link type, readable, at least 4 TCP packets, with a start time.
list=$tmp/list
: >"$list"
while IFS= read -r -d '' f; do
	info=$(capinfos -T -r -E -a -S "$f" 2>/dev/null) || continue
	encap=$(cut -f2 <<<"$info")
	start=$(cut -f3 <<<"$info")
	[ "$encap" = ether ] || continue
	[[ $start =~ ^[0-9]+(\.[0-9]+)?$ ]] || continue
	ntcp=$(tcpdump -nr "$f" -c 4 tcp 2>/dev/null | wc -l) || ntcp=0
	[ "$ntcp" -ge 4 ] || continue
	printf '%s\t%s\n' "${start%.*}" "$f" >>"$list"
done < <(find "$src/samples" "$corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' \) -print0 | sort -z)

n=$(wc -l <"$list")
[ "$n" -gt 0 ] || { echo "bigcap.sh: no usable captures found" >&2; exit 1; }

# One round: file k starts at T0 + 10 k seconds.
t0=1700000000
k=0
while IFS=$'\t' read -r start f; do
	editcap -F pcap -t $((t0 + 10 * k - start)) "$f" "$tmp/part-$k.pcap" 2>/dev/null || continue
	k=$((k + 1))
done <"$list"
mergecap -F pcap -w "$tmp/round.pcap" "$tmp"/part-*.pcap
rm -f "$tmp"/part-*.pcap
round_bytes=$(stat -c %s "$tmp/round.pcap")
round_len=$(( 10 * k > 4000 ? 10 * k : 4000 ))

# Rounds appended (-a) in time order until the size is reached.
target=$((size_mb * 1048576))
rounds=$(( (target + round_bytes - 1) / round_bytes ))
parts=()
for ((r = 0; r < rounds; r++)); do
	editcap -F pcap -t $((r * round_len)) "$tmp/round.pcap" "$tmp/round-$r.pcap"
	parts+=("$tmp/round-$r.pcap")
done
mergecap -F pcap -a -w "$out" "${parts[@]}"
echo "bigcap.sh: $out: $k captures per round, $rounds rounds of $((round_bytes / 1024)) KiB," \
	"$(( $(stat -c %s "$out") / 1048576 )) MiB" >&2
