#!/usr/bin/env bash
# record.sh - record pcapstate's real-stack sample captures into samples/NAME.pcap.
#
# Usage: sudo samples/record.sh [SCENARIO...]      (no argument: every scenario, in order)
#        samples/record.sh --list
#
# For each scenario this builds three fresh network namespaces joined by veth pairs,
#
#   client (eth0 10.201.1.2) -- (c0 10.201.1.1) router (s0 10.201.2.1) -- (eth0 10.201.2.2) server
#
# runs the scenario driver (tools/scenarios.py), which starts tcpdump in the router
# namespace on c0 (the client-facing interface, so the capture sees what a tap next to the
# client would see) and drives real sockets in the client and server namespaces, then
# deletes the namespaces again. Nothing outside these namespaces is touched: every link,
# address, route, sysctl and nftables rule is created inside them.
#
# Needs root, iproute2, nftables, tcpdump, ethtool and python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=$here/tools

# Topology, shared with tools/pstlab.py through the environment.
export PST_NS_CLI=pcapstate-cli PST_NS_RTR=pcapstate-rtr PST_NS_SRV=pcapstate-srv
export PST_CLI4=10.201.1.2 PST_RTR_C4=10.201.1.1 PST_RTR_S4=10.201.2.1 PST_SRV4=10.201.2.2
export PST_CLI6=fd00:201:1::2 PST_RTR_C6=fd00:201:1::1 PST_RTR_S6=fd00:201:2::1 PST_SRV6=fd00:201:2::2
# Fixed MAC addresses keep the captures stable and let the router's delay line
# (tools/pstlab.py DelayLine) rewrite Ethernet headers without asking the kernel.
export PST_CLI_MAC=02:00:0a:c9:01:02 PST_RTR_C_MAC=02:00:0a:c9:01:01
export PST_RTR_S_MAC=02:00:0a:c9:02:01 PST_SRV_MAC=02:00:0a:c9:02:02
export PST_CAP_IF=c0 PST_SNAPLEN=256

namespaces=("$PST_NS_CLI" "$PST_NS_RTR" "$PST_NS_SRV")

die() { echo "record.sh: $*" >&2; exit 1; }

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Kill the processes still running inside our namespaces (by pid), then delete them.
topo_down() {
	local ns pid
	for ns in "${namespaces[@]}"; do
		[ -e "/run/netns/$ns" ] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null || true
		done
	done
	for ns in "${namespaces[@]}"; do
		[ -e "/run/netns/$ns" ] && ip netns delete "$ns"
	done
	return 0
}

cleanup() {
	topo_down
	rm -f "$here"/.*.part "$here"/.*.part.orig
}

# Baseline sysctls shared by every scenario; scenarios change more through pstlab.sysctl().
ns_sysctls() {
	local ns=$1
	in_ns "$ns" sysctl -q -w \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv4.tcp_syn_retries=3 net.ipv4.tcp_synack_retries=3 >/dev/null
}

# A host end of a veth pair: no checksum offload, TSO/GSO/GRO off, so the capture holds
# the segments as they are on the wire with valid checksums.
link_up() {
	local ns=$1 dev=$2 mac=$3
	in_ns "$ns" ip link set dev "$dev" address "$mac"
	in_ns "$ns" ethtool -K "$dev" tx off rx off tso off gso off gro off >/dev/null
	in_ns "$ns" ip link set dev "$dev" up
}

nft_base() {
	local ns=$1 chains=$2
	{
		echo "table inet pst {"
		for c in $chains; do
			echo "  chain $c { type filter hook $c priority 0; policy accept; }"
		done
		echo "}"
	} | in_ns "$ns" nft -f -
}

topo_up() {
	local ns
	topo_down
	for ns in "${namespaces[@]}"; do
		ip netns add "$ns"
		in_ns "$ns" ip link set lo up
		ns_sysctls "$ns"
	done
	# Links are created inside the router namespace and their peers moved straight into
	# the client and server namespaces: no device ever appears in the host namespace.
	in_ns "$PST_NS_RTR" ip link add c0 type veth peer name eth0 netns "$PST_NS_CLI"
	in_ns "$PST_NS_RTR" ip link add s0 type veth peer name eth0 netns "$PST_NS_SRV"
	link_up "$PST_NS_CLI" eth0 "$PST_CLI_MAC"
	link_up "$PST_NS_RTR" c0 "$PST_RTR_C_MAC"
	link_up "$PST_NS_RTR" s0 "$PST_RTR_S_MAC"
	link_up "$PST_NS_SRV" eth0 "$PST_SRV_MAC"

	in_ns "$PST_NS_CLI" ip addr add "$PST_CLI4/24" dev eth0
	in_ns "$PST_NS_CLI" ip addr add "$PST_CLI6/64" dev eth0 nodad
	in_ns "$PST_NS_RTR" ip addr add "$PST_RTR_C4/24" dev c0
	in_ns "$PST_NS_RTR" ip addr add "$PST_RTR_C6/64" dev c0 nodad
	in_ns "$PST_NS_RTR" ip addr add "$PST_RTR_S4/24" dev s0
	in_ns "$PST_NS_RTR" ip addr add "$PST_RTR_S6/64" dev s0 nodad
	in_ns "$PST_NS_SRV" ip addr add "$PST_SRV4/24" dev eth0
	in_ns "$PST_NS_SRV" ip addr add "$PST_SRV6/64" dev eth0 nodad

	in_ns "$PST_NS_CLI" ip route add default via "$PST_RTR_C4"
	in_ns "$PST_NS_CLI" ip -6 route add default via "$PST_RTR_C6"
	in_ns "$PST_NS_SRV" ip route add default via "$PST_RTR_S4"
	in_ns "$PST_NS_SRV" ip -6 route add default via "$PST_RTR_S6"
	in_ns "$PST_NS_RTR" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null

	# Static neighbours: no ARP or neighbour discovery delays the first segment.
	in_ns "$PST_NS_CLI" ip neigh replace "$PST_RTR_C4" lladdr "$PST_RTR_C_MAC" dev eth0 nud permanent
	in_ns "$PST_NS_CLI" ip neigh replace "$PST_RTR_C6" lladdr "$PST_RTR_C_MAC" dev eth0 nud permanent
	in_ns "$PST_NS_RTR" ip neigh replace "$PST_CLI4" lladdr "$PST_CLI_MAC" dev c0 nud permanent
	in_ns "$PST_NS_RTR" ip neigh replace "$PST_CLI6" lladdr "$PST_CLI_MAC" dev c0 nud permanent
	in_ns "$PST_NS_RTR" ip neigh replace "$PST_SRV4" lladdr "$PST_SRV_MAC" dev s0 nud permanent
	in_ns "$PST_NS_RTR" ip neigh replace "$PST_SRV6" lladdr "$PST_SRV_MAC" dev s0 nud permanent
	in_ns "$PST_NS_SRV" ip neigh replace "$PST_RTR_S4" lladdr "$PST_RTR_S_MAC" dev eth0 nud permanent
	in_ns "$PST_NS_SRV" ip neigh replace "$PST_RTR_S6" lladdr "$PST_RTR_S_MAC" dev eth0 nud permanent

	# Empty filter chains; scenarios add drop rules to them (tools/pstlab.py).
	nft_base "$PST_NS_CLI" "input output"
	nft_base "$PST_NS_RTR" "forward"
	nft_base "$PST_NS_SRV" "input output"
}

main() {
	if [ "${1:-}" = "--list" ]; then
		python3 "$tools/scenarios.py" list
		return 0
	fi
	[ "$(id -u)" -eq 0 ] || die "must run as root (sudo $0)"
	local cmd
	for cmd in ip nft tcpdump ethtool python3; do
		command -v "$cmd" >/dev/null || die "$cmd not found (apt-get install iproute2 nftables tcpdump ethtool python3)"
	done

	local -a todo
	if [ "$#" -gt 0 ]; then
		todo=("$@")
	else
		mapfile -t todo < <(python3 "$tools/scenarios.py" list)
	fi
	local name
	for name in "${todo[@]}"; do
		python3 "$tools/scenarios.py" has "$name" || die "unknown scenario: $name (see --list)"
	done

	# One recording at a time: a second run would delete this run's namespaces.
	exec 9<"${BASH_SOURCE[0]}"
	flock -n 9 || die "another record.sh is running"
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	local start=$SECONDS t0
	for name in "${todo[@]}"; do
		t0=$SECONDS
		topo_up
		# Record into a hidden file first: a failed or interrupted scenario leaves the
		# capture from the last good recording in place.
		python3 "$tools/scenarios.py" run "$name" "$here/.$name.part"
		mv -f "$here/.$name.part" "$here/$name.pcap"
		topo_down
		printf 'recorded %-30s %4d packets %3d s\n' "$name.pcap" \
			"$(tcpdump -r "$here/$name.pcap" 2>/dev/null | wc -l)" "$((SECONDS - t0))"
	done
	echo "total $((SECONDS - start)) s"
}

main "$@"
