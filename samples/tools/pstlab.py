"""pstlab.py - the lab bench behind samples/record.sh: namespaces, drops, capture, injection.

Used by scenarios.py. record.sh builds the namespaces and exports the topology in PST_*
environment variables; this module switches the calling thread into those namespaces
(setns) to create sockets there, adds nftables drop rules, runs tcpdump in the router
namespace, reads the growing capture file back, builds raw TCP segments for the few cases
a real stack cannot produce, and implements a small delay line in the router.
"""
import contextlib
import ctypes
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from collections import namedtuple

_env = os.environ
try:
    NS_CLI, NS_RTR, NS_SRV = _env["PST_NS_CLI"], _env["PST_NS_RTR"], _env["PST_NS_SRV"]
    CLI4, SRV4 = _env["PST_CLI4"], _env["PST_SRV4"]
    CLI6, SRV6 = _env["PST_CLI6"], _env["PST_SRV6"]
    CLI_MAC, SRV_MAC = _env["PST_CLI_MAC"], _env["PST_SRV_MAC"]
    RTR_C_MAC, RTR_S_MAC = _env["PST_RTR_C_MAC"], _env["PST_RTR_S_MAC"]
    CAP_IF, SNAPLEN = _env["PST_CAP_IF"], _env["PST_SNAPLEN"]
except KeyError as missing:  # pragma: no cover - only when run outside record.sh
    sys.exit(f"pstlab: {missing} not set; run the scenarios through samples/record.sh")

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def log(msg):
    """Progress for the person re-recording (stderr, never part of a capture)."""
    print(f"  {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- namespaces

_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNET = 0x40000000


def _setns(fd):
    if _libc.setns(fd, _CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


@contextlib.contextmanager
def netns(name):
    """Run the block with the calling thread in network namespace NAME.

    A socket belongs to the namespace it was created in, so sockets made inside the
    block keep working in that namespace after the thread has switched back."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        _setns(target)
        yield
    finally:
        _setns(home)
        os.close(home)
        os.close(target)


def tcp_socket(ns, family=socket.AF_INET):
    with netns(ns):
        return socket.socket(family, socket.SOCK_STREAM)


def run(ns, *argv, capture=False):
    """Run a command inside namespace NS; returns its stdout when capture is set."""
    res = subprocess.run(["ip", "netns", "exec", ns, *argv], check=True, text=True,
                         stdout=subprocess.PIPE if capture else None)
    return res.stdout


def sysctl(ns, **settings):
    """sysctl(NS_SRV, net__ipv4__tcp_retries2=3): dots are written as double underscores."""
    args = [f"{k.replace('__', '.')}={v}" for k, v in settings.items()]
    run(ns, "sysctl", "-q", "-w", *args)


def sockets_in(ns, state):
    """Lines of `ss -tn state STATE` in namespace NS (for log messages)."""
    out = run(ns, "ss", "-Htn", "state", state, capture=True)
    return [line for line in out.splitlines() if line.strip()]


# ---------------------------------------------------------------- nftables drops
# record.sh creates table inet pst with chains input/output (client, server) and forward
# (router), all empty with policy accept.

_once_sets = 0


def nft(ns, command):
    run(ns, "nft", command)


def drop(ns, chain, match):
    """Drop every packet matching MATCH in CHAIN of namespace NS until flush()."""
    nft(ns, f"add rule inet pst {chain} {match} counter drop")


def drop_once(ns, chain, match):
    """Drop only the first packet matching MATCH: a dynamic set works as a latch, so the
    decision is made in the kernel and a quick retransmission cannot slip through a gap."""
    global _once_sets
    _once_sets += 1
    latch = f"once{_once_sets}"
    nft(ns, f"add set inet pst {latch} {{ type inet_proto; flags dynamic; }}")
    nft(ns, f"add rule inet pst {chain} {match} meta l4proto != @{latch} "
            f"add @{latch} {{ meta l4proto }} counter drop")


def flush(ns, chain):
    nft(ns, f"flush chain inet pst {chain}")


def dropped(ns, chain):
    """Packets dropped so far by the counted rules of CHAIN."""
    out = run(ns, "nft", "list", "chain", "inet", "pst", chain, capture=True)
    total = 0
    for word, nxt in zip(out.split(), out.split()[1:]):
        if word == "packets":
            total += int(nxt)
    return total


# ---------------------------------------------------------------- capture files

Seg = namedtuple("Seg", "frame ts src sport dst dport seq ack flags win plen tsval tsecr")


def _tcp_options_ts(opts):
    i = 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        length = opts[i + 1]
        if kind == 8 and length == 10 and i + 10 <= len(opts):
            return struct.unpack("!II", opts[i + 2:i + 10])
        i += length
    return None, None


def parse_frame(frame, number=0, ts=0.0):
    """Decode an Ethernet/IPv4-or-IPv6/TCP frame into a Seg, or None when it is not TCP."""
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if etype == 0x0800 and len(ip) >= 20 and ip[9] == 6:
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        src, dst = socket.inet_ntop(socket.AF_INET, ip[12:16]), socket.inet_ntop(socket.AF_INET, ip[16:20])
        tcp, tcp_len = ip[ihl:], total - ihl
    elif etype == 0x86DD and len(ip) >= 40 and ip[6] == 6:
        src, dst = socket.inet_ntop(socket.AF_INET6, ip[8:24]), socket.inet_ntop(socket.AF_INET6, ip[24:40])
        tcp, tcp_len = ip[40:], struct.unpack("!H", ip[4:6])[0]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", tcp[:16])
    doff = (off >> 4) * 4
    tsval, tsecr = _tcp_options_ts(tcp[20:doff])
    return Seg(number, ts, src, sport, dst, dport, seq, ack, flags, win, tcp_len - doff, tsval, tsecr)


def read_pcap(path):
    """Yield (timestamp, frame bytes) from a classic pcap file, stopping quietly at a record
    that is still being written."""
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return
        magic = head[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            endian = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            endian = ">"
        else:
            raise ValueError(f"{path}: not a classic pcap file")
        scale = 1e-9 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e-6
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, frac, caplen, _ = struct.unpack(endian + "IIII", rec)
            data = f.read(caplen)
            if len(data) < caplen:
                return
            yield sec + frac * scale, data


def segments(path):
    out = []
    for number, (ts, frame) in enumerate(read_pcap(path), start=1):
        seg = parse_frame(frame, number, ts)
        if seg is not None:
            out.append(seg)
    return out


class Capture:
    """tcpdump in the router namespace on the client-facing interface, writing PATH.

    -U and --immediate-mode write every packet as it arrives, so the file can be read back
    while the scenario runs (to learn sequence numbers for injected segments)."""

    def __init__(self, path, bpf="tcp"):
        self.path, self.bpf, self.proc = path, bpf, None

    def start(self):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        cmd = ["ip", "netns", "exec", NS_RTR, "tcpdump", "-i", CAP_IF, "-n", "-s", SNAPLEN,
               "-U", "--immediate-mode", "-Z", "root", "-w", self.path, self.bpf]
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
        while True:
            line = self.proc.stderr.readline()
            if not line:
                raise RuntimeError(f"tcpdump did not start: {' '.join(cmd)}")
            if "listening on" in line:
                break
        log(f"capturing on {CAP_IF} in {NS_RTR}: {self.bpf}")
        return self

    def stop(self, linger=0.3):
        """Let the last segments arrive, then stop tcpdump and wait for it."""
        if self.proc is None:
            return
        time.sleep(linger)
        self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        self.proc = None
        for line in err.splitlines():
            if "captured" in line or "dropped" in line:
                log(f"tcpdump: {line.strip()}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop(linger=0.3 if exc[0] is None else 0)
        return False

    def segments(self):
        return segments(self.path)

    def last(self, pred):
        """The last captured segment satisfying PRED, or None."""
        found = [s for s in self.segments() if pred(s)]
        return found[-1] if found else None

    def wait_for(self, pred, timeout=3.0):
        """Wait until a segment satisfying PRED is in the capture; returns it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seg = self.last(pred)
            if seg is not None:
                return seg
            time.sleep(0.01)
        raise TimeoutError(f"{self.path}: expected segment not captured within {timeout} s")


# ---------------------------------------------------------------- raw segments

def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_tcp(src, dst, sport, dport, seq, ack, flags, win, payload=b"", ts=None, ttl=64):
    """An IPv4 datagram carrying one TCP segment with correct checksums.
    TS is (tsval, tsecr) to add a timestamp option, as Linux peers expect once negotiated."""
    opts = struct.pack("!BBBBII", 1, 1, 8, 10, ts[0] & 0xFFFFFFFF, ts[1]) if ts else b""
    off = (20 + len(opts)) // 4 << 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      off, flags, win, 0, 0) + opts + payload
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    csum = _checksum(s + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", csum) + tcp[18:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, ttl, 6, 0, s, d)
    hdr = hdr[:10] + struct.pack("!H", _checksum(hdr)) + hdr[12:]
    return hdr + tcp


def inject(ns, datagram):
    """Send a hand-built IPv4 datagram from namespace NS (routed like any local packet)."""
    with netns(ns):
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    with raw:
        raw.sendto(datagram, (socket.inet_ntoa(datagram[16:20]), 0))


# ---------------------------------------------------------------- router delay line

_ETH_P_ALL = 0x0003


def _mac(text):
    return bytes.fromhex(text.replace(":", ""))


class DelayLine:
    """Hold one connection's packets in the router and release them in rounds.

    The kernel cannot make two segments cross in flight on a link of a few microseconds
    (and there is no netem here). So the router drops the flow's packets in its forward
    chain, while AF_PACKET sockets on c0 and s0 read copies at ingress (before netfilter).
    release() sends everything held out of the other interface at once, Ethernet addresses
    rewritten and TTL decremented as a forwarding router would; frames sent this way skip
    netfilter. The answers they provoke are held in turn for the next round.
    The capture on c0 sees client packets when they arrive and server packets when the
    delay line releases them."""

    def __init__(self, ports, extra=""):
        self.ports = set(ports)
        plist = ", ".join(str(p) for p in sorted(self.ports))
        self.match = f"meta l4proto tcp th sport {{ {plist} }} th dport {{ {plist} }} {extra}".strip()
        self.held = []
        self.sock = {}
        with netns(NS_RTR):
            for ifname in ("c0", "s0"):
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ALL))
                s.bind((ifname, 0))
                s.setblocking(False)
                self.sock[ifname] = s
        drop(NS_RTR, "forward", self.match)

    def close(self):
        flush(NS_RTR, "forward")
        for s in self.sock.values():
            s.close()

    def collect(self, count=None, timeout=2.0):
        """Wait until COUNT frames of the flow are held (since the last release); with no
        COUNT, hold whatever arrives within TIMEOUT seconds."""
        deadline = time.monotonic() + timeout
        while count is None or len(self.held) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                if count is None:
                    break
                raise TimeoutError(f"delay line holds {len(self.held)} of {count} frames")
            ready, _, _ = select.select(list(self.sock.values()), [], [], left)
            for s in ready:
                frame, addr = s.recvfrom(65535)
                if addr[2] == socket.PACKET_OUTGOING:
                    continue
                seg = parse_frame(frame)
                if seg and seg.sport in self.ports and seg.dport in self.ports:
                    self.held.append((addr[0], bytearray(frame), seg))
        return [seg for _, _, seg in self.held]

    def release(self):
        """Send every held frame on to its destination, then start a new round."""
        held, self.held = self.held, []
        for ifname, frame, seg in held:
            if ifname == "c0":
                out, frame[0:12] = "s0", _mac(SRV_MAC) + _mac(RTR_S_MAC)
            else:
                out, frame[0:12] = "c0", _mac(CLI_MAC) + _mac(RTR_C_MAC)
            if frame[12:14] == b"\x08\x00":            # IPv4: TTL and header checksum
                ihl = (frame[14] & 0x0F) * 4
                frame[22] -= 1
                frame[24:26] = b"\0\0"
                frame[24:26] = struct.pack("!H", _checksum(bytes(frame[14:14 + ihl])))
            self.sock[out].send(bytes(frame))
            log(f"delay line: released {_describe(seg)}")


def _describe(seg):
    """tcpdump-style one-liner for log messages."""
    letters = ((SYN, "S"), (FIN, "F"), (RST, "R"), (PSH, "P"), (ACK, "."))
    flags = "".join(letter for bit, letter in letters if seg.flags & bit)
    return (f"{seg.src}:{seg.sport} > {seg.dst}:{seg.dport} [{flags}] "
            f"seq {seg.seq} ack {seg.ack} len {seg.plen}")
