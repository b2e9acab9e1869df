#!/usr/bin/env python3
"""scenarios.py - the scenarios behind samples/*.pcap, one function per capture.

    scenarios.py list              names, in recording order
    scenarios.py has NAME          exit status 0 when NAME is a scenario
    scenarios.py run NAME OUT      record scenario NAME into OUT (namespaces must exist)

Only record.sh calls `run`: it builds fresh namespaces around every scenario. Each
function drives real sockets in the client and server namespaces from one thread (the
listen backlog completes handshakes without accept(), so no concurrency is needed) and
uses fixed client ports, so the captures keep their shape from one recording to the next.
"""
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapswap  # noqa: E402
from pstlab import (ACK, CLI4, CLI6, FIN, NS_CLI, NS_RTR, NS_SRV, PSH, RST, SRV4, SRV6,  # noqa: E402
                    SYN, Capture, DelayLine, drop, drop_once, dropped, flush, inject, ipv4_tcp,
                    log, sockets_in, sysctl, tcp_socket)

PORT = 8080          # the server's listening port in every scenario
CLOSED_PORT = 8081   # nothing listens here
SCENARIOS = {}

# nftables matches used by several scenarios
PURE_ACK = "tcp flags & (fin|syn|rst|ack) == ack"


def scenario(name):
    def register(fn):
        SCENARIOS[name] = fn
        return fn
    return register


# ---------------------------------------------------------------- socket helpers

def listener(port=PORT, v6=False, rcvbuf=None, backlog=128):
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    s = tcp_socket(NS_SRV, fam)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((SRV6 if v6 else SRV4, port))
    s.listen(backlog)
    return s


def client(cport, v6=False, sndbuf=None):
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    c = tcp_socket(NS_CLI, fam)
    if sndbuf:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    c.bind((CLI6 if v6 else CLI4, cport))
    c.settimeout(15)
    return c


def connect(lst, cport, v6=False, sndbuf=None):
    """Handshake from client port CPORT to the listener; returns (client, server) sockets."""
    c = client(cport, v6, sndbuf)
    c.connect((SRV6 if v6 else SRV4, PORT))
    conn, _ = lst.accept()
    conn.settimeout(15)
    return c, conn


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError(f"connection closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def expect_eof(s):
    data = s.recv(1)
    if data:
        raise RuntimeError(f"expected end of stream, got {data!r}")


def exchange(cli, conn, request=120, response=300):
    """Client sends a request, server answers; both sides read everything."""
    cli.sendall(b"Q" * request)
    recv_exact(conn, request)
    conn.sendall(b"R" * response)
    recv_exact(cli, response)


def settle(seconds=0.3):
    """Long enough for a delayed ACK (Linux: 40-200 ms) to leave on its own."""
    time.sleep(seconds)


def close_client_first(cli, conn):
    """FIN, ACK, FIN, ACK: the server waits before closing, so its ACK of the client's FIN
    leaves alone instead of riding on its own FIN."""
    cli.close()
    expect_eof(conn)
    settle()
    conn.close()


def close_server_first(cli, conn):
    conn.close()
    expect_eof(cli)
    settle()
    cli.close()


def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def from_client(cport):
    return lambda s: s.sport == cport and s.src == CLI4


def from_server(cport):
    return lambda s: s.dport == cport and s.src == SRV4


def normal_session(out, cport, bpf="tcp", v6=False):
    """Handshake, request and answer, client closes first with a four-segment close."""
    lst = listener(v6=v6)
    with Capture(out, bpf):
        cli, conn = connect(lst, cport, v6)
        exchange(cli, conn)
        close_client_first(cli, conn)


# ---------------------------------------------------------------- 1-3: clean closes

@scenario("handshake-close-client-first")
def handshake_close_client_first(out):
    normal_session(out, 40001)


@scenario("close-server-first")
def close_server_first_(out):
    lst = listener()
    with Capture(out):
        cli, conn = connect(lst, 40002)
        exchange(cli, conn)
        close_server_first(cli, conn)


@scenario("close-three-segment")
def close_three_segment(out):
    """The server closes as soon as it reads end of stream: Linux delays the ACK of the FIN
    (it enters ping-pong mode), so the ACK rides on the server's FIN: FIN, FIN+ACK, ACK."""
    lst = listener()
    with Capture(out):
        cli, conn = connect(lst, 40003)
        exchange(cli, conn)
        cli.close()
        expect_eof(conn)
        conn.close()


# ---------------------------------------------------------------- 4: simultaneous close

@scenario("simultaneous-close")
def simultaneous_close(out):
    """Both shut down their sending side at once. The router's delay line holds both FINs
    and releases them together, so each arrives while its receiver is in FIN_WAIT_1 (both
    kernels pass through CLOSING); the ACKs the FINs provoke are held and released too."""
    cport = 40004
    lst = listener()
    with Capture(out):
        cli, conn = connect(lst, cport)
        exchange(cli, conn)
        settle()
        line = DelayLine({cport, PORT})
        try:
            cli.shutdown(socket.SHUT_WR)
            conn.shutdown(socket.SHUT_WR)
            line.collect(2)          # the two FINs
            line.release()
            line.collect(2)          # the two ACKs of the FINs
            line.release()
        finally:
            line.close()
        expect_eof(cli)
        expect_eof(conn)
        cli.close()
        conn.close()
    log(f"client sockets in TIME_WAIT: {len(sockets_in(NS_CLI, 'time-wait'))}, "
        f"server: {len(sockets_in(NS_SRV, 'time-wait'))}")


# ---------------------------------------------------------------- 5-6: resets

@scenario("refused")
def refused(out):
    lst = listener()  # the server is up, but on another port
    with Capture(out):
        cli = client(40005)
        try:
            cli.connect((SRV4, CLOSED_PORT))
        except ConnectionRefusedError:
            log("connect: refused, as intended")
        else:
            raise RuntimeError("connect to a closed port succeeded")
    lst.close()


@scenario("abort-established")
def abort_established(out):
    lst = listener()
    with Capture(out):
        cli, conn = connect(lst, 40006)
        exchange(cli, conn)
        linger0(cli)
        cli.close()
        try:
            conn.recv(1)
        except ConnectionResetError:
            log("server: connection reset, as intended")
        conn.close()


# ---------------------------------------------------------------- 7: handshake losses

@scenario("syn-retransmit")
def syn_retransmit(out):
    """The router drops the first SYN after the capture point saw it; the client's SYN
    timer (1 s) sends it again with the same ISN."""
    cport = 40007
    lst = listener()
    drop_once(NS_RTR, "forward", f"ip saddr {CLI4} tcp sport {cport} tcp flags & (syn|ack) == syn")
    with Capture(out):
        cli, conn = connect(lst, cport)
        exchange(cli, conn)
        close_client_first(cli, conn)


@scenario("synack-retransmit")
def synack_retransmit(out):
    """The client's input drops the first SYN-ACK after the capture point saw it. The
    server's SYN-ACK timer and the client's SYN timer both run 1 s and expire in the same
    jiffy, so which retransmission comes first would vary from run to run; the client's
    output therefore drops its SYN retransmission (the capture never sees it) and the
    capture shows the server's own retransmitted SYN-ACK, acknowledged by the client."""
    cport = 40008
    lst = listener()
    drop_once(NS_CLI, "input", f"ip saddr {SRV4} tcp dport {cport} tcp flags & (syn|ack) == syn|ack")
    with Capture(out) as cap:
        cli = client(cport)
        cli.setblocking(False)
        cli.connect_ex((SRV4, PORT))
        cap.wait_for(lambda s: from_server(cport)(s) and s.flags & SYN, 1)
        drop(NS_CLI, "output", f"ip daddr {SRV4} tcp sport {cport} tcp flags & (syn|ack) == syn")
        select.select([], [cli], [], 5)
        flush(NS_CLI, "output")
        cli.setblocking(True)
        cli.settimeout(15)
        conn, _ = lst.accept()
        conn.settimeout(15)
        exchange(cli, conn)
        close_client_first(cli, conn)


# ---------------------------------------------------------------- 8: lost final ACK

@scenario("lost-final-ack-unseen")
def lost_final_ack_unseen(out):
    """Client closes first; every ACK of the server's FIN is dropped in the client's output
    (the capture never sees one). The server retransmits its FIN from LAST_ACK (after 0.2,
    0.4, 0.8, 1.6 s) until tcp_orphan_retries = 2 makes it give up, without a packet."""
    cport = 40009
    sysctl(NS_SRV, net__ipv4__tcp_orphan_retries=2)
    lst = listener()
    with Capture(out) as cap:
        cli, conn = connect(lst, cport)
        exchange(cli, conn)
        cli.close()
        expect_eof(conn)
        settle()
        drop(NS_CLI, "output", f"ip daddr {SRV4} tcp sport {cport} {PURE_ACK}")
        conn.close()
        cap.wait_for(lambda s: from_server(cport)(s) and s.flags & FIN, 1)
        time.sleep(3.5)
    log(f"ACKs dropped in the client's output: {dropped(NS_CLI, 'output')}; "
        f"server sockets in LAST_ACK: {len(sockets_in(NS_SRV, 'last-ack'))}")


@scenario("lost-final-ack-beyond")
def lost_final_ack_beyond(out):
    """Client closes first; the router drops the client's final ACK after the capture point
    saw it, so the server retransmits its FIN after the ACK; the second ACK gets through."""
    cport = 40010
    lst = listener()
    with Capture(out) as cap:
        cli, conn = connect(lst, cport)
        exchange(cli, conn)
        cli.close()
        expect_eof(conn)
        settle()
        drop_once(NS_RTR, "forward", f"ip saddr {CLI4} tcp sport {cport} {PURE_ACK}")
        conn.close()
        fin = cap.wait_for(lambda s: from_server(cport)(s) and s.flags & FIN, 1)
        cap.wait_for(lambda s: from_server(cport)(s) and s.flags & FIN and s.frame > fin.frame, 3)
        settle()


# ---------------------------------------------------------------- 9-11: partial views

@scenario("half-close-data")
def half_close_data(out):
    """The client sends its request and shuts down its sending side; the server keeps
    sending its answer from CLOSE_WAIT in three pieces, then closes."""
    lst = listener()
    with Capture(out):
        cli, conn = connect(lst, 40011)
        cli.sendall(b"Q" * 120)
        cli.shutdown(socket.SHUT_WR)
        recv_exact(conn, 120)
        expect_eof(conn)
        settle()
        for _ in range(3):
            conn.sendall(b"R" * 1000)
            recv_exact(cli, 1000)
            time.sleep(0.1)
        conn.close()
        expect_eof(cli)
        cli.close()


@scenario("midstream")
def midstream(out):
    """tcpdump starts after the handshake and a first exchange."""
    lst = listener()
    cli, conn = connect(lst, 40012)
    exchange(cli, conn)
    settle()
    with Capture(out):
        exchange(cli, conn)
        close_client_first(cli, conn)


@scenario("one-direction")
def one_direction(out):
    """Only the client's packets are captured (filter `src host CLIENT`)."""
    normal_session(out, 40013, bpf=f"tcp and src host {CLI4}")


# ---------------------------------------------------------------- 12: simultaneous open

@scenario("simultaneous-open")
def simultaneous_open(out):
    """Both sides connect() to each other from bound ports. The router's delay line holds
    the two SYNs and releases them together, so each arrives while its receiver is in
    SYN_SENT: both kernels go to SYN_RECV and answer with a SYN-ACK. Those are held and
    released together as well (both kernels go ESTABLISHED), then the two ACKs they
    provoke. Then data and a normal close."""
    cport = 40014
    srv = tcp_socket(NS_SRV)
    srv.bind((SRV4, PORT))
    cli = client(cport)
    with Capture(out):
        line = DelayLine({cport, PORT})
        try:
            cli.setblocking(False)
            srv.setblocking(False)
            cli.connect_ex((SRV4, PORT))
            srv.connect_ex((CLI4, cport))
            line.collect(2)          # SYN from each side
            line.release()
            line.collect(2)          # SYN-ACK from each side
            line.release()
            line.collect(2)          # the ACK each SYN-ACK provokes
            line.release()
        finally:
            line.close()
        for s in (cli, srv):
            s.setblocking(True)
            s.settimeout(15)
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise OSError(err, os.strerror(err))
        settle()
        exchange(cli, srv)
        close_client_first(cli, srv)


# ---------------------------------------------------------------- 13-15: TIME_WAIT and order

@scenario("rst-in-time-wait")
def rst_in_time_wait(out):
    """A normal close leaves the client in TIME_WAIT. A raw copy of its final ACK (as if
    duplicated in the network) reaches the server, which no longer has the connection:
    its listener answers with an RST carrying seq = the ACK's ack number, exactly the
    client's RCV.NXT, and Linux (tcp_rfc1337 = 0) kills the TIME_WAIT socket."""
    cport = 40015
    lst = listener()
    with Capture(out) as cap:
        cli, conn = connect(lst, cport)
        exchange(cli, conn)
        close_client_first(cli, conn)
        final = cap.wait_for(lambda s: from_client(cport)(s) and s.flags == ACK and s.plen == 0
                             and cap.last(lambda t: from_server(cport)(t) and t.flags & FIN), 2)
        settle(0.5)
        log(f"client TIME_WAIT before: {sockets_in(NS_CLI, 'time-wait')}")
        tsval = (final.tsval + 500) if final.tsval is not None else None
        inject(NS_CLI, ipv4_tcp(CLI4, SRV4, cport, PORT, final.seq, final.ack, ACK, final.win,
                                ts=(tsval, final.tsecr) if tsval else None))
        cap.wait_for(lambda s: from_server(cport)(s) and s.flags & RST, 2)
        settle()
        log(f"client TIME_WAIT after: {sockets_in(NS_CLI, 'time-wait')}")


@scenario("port-reuse")
def port_reuse(out):
    """Server closes first and sits in TIME_WAIT. The client's input drops the server's
    final ACK once, so the client's FIN is retransmitted late (after the capture saw the
    ACK) and the server re-acknowledges it from TIME_WAIT. Then the client connects again
    from the same port: a new SYN with a new ISN, accepted by the TIME_WAIT socket."""
    cport = 40016
    lst = listener()
    with Capture(out) as cap:
        cli, conn = connect(lst, cport)
        exchange(cli, conn)
        conn.close()
        expect_eof(cli)
        settle()
        drop_once(NS_CLI, "input", f"ip saddr {SRV4} tcp dport {cport} {PURE_ACK}")
        cli.close()
        first = cap.wait_for(lambda s: from_client(cport)(s) and s.flags & FIN, 1)
        cap.wait_for(lambda s: from_client(cport)(s) and s.flags & FIN and s.frame > first.frame, 3)
        settle(0.5)
        log(f"server TIME_WAIT: {sockets_in(NS_SRV, 'time-wait')}")
        cli, conn = connect(lst, cport)
        exchange(cli, conn)
        close_client_first(cli, conn)


@scenario("synack-before-syn")
def synack_before_syn(out):
    """A normal session whose first two frames are then swapped by pcapswap.py (the frames
    exchange places; the timestamps stay in order)."""
    raw = out + ".orig"
    normal_session(raw, 40017)
    pcapswap.swap(raw, out, 1, 2)
    os.unlink(raw)
    log("frames 1 and 2 swapped: the SYN-ACK now precedes its SYN")


# ---------------------------------------------------------------- 16: anomalies

@scenario("syn-flood")
def syn_flood(out):
    """64 handshakes to one server port within a fraction of a second; the client's output
    drops its final ACKs (the capture never sees them), so every server-side connection
    stays in SYN_RECV and the server retransmits its SYN-ACKs once (after 1 s)."""
    lst = listener(backlog=1024)
    drop(NS_CLI, "output", f"ip daddr {SRV4} tcp dport {PORT} {PURE_ACK}")
    keep = []
    with Capture(out):
        for i in range(64):
            c = client(41000 + i)
            c.connect((SRV4, PORT))    # returns once the client itself is ESTABLISHED
            keep.append(c)
        time.sleep(1.5)
    log(f"server SYN_RECV: {len(sockets_in(NS_SRV, 'syn-recv'))}")
    lst.close()


@scenario("time-wait-pileup")
def time_wait_pileup(out):
    """130 short connections from one client to one server port; the client closes first
    each time, so all 130 sit in TIME_WAIT on the client at the end."""
    lst = listener()
    with Capture(out):
        for i in range(130):
            cli, conn = connect(lst, 42000 + i)
            exchange(cli, conn, 20, 40)
            cli.close()
            expect_eof(conn)
            conn.close()
    log(f"client TIME_WAIT: {len(sockets_in(NS_CLI, 'time-wait'))}")


@scenario("zero-window")
def zero_window(out):
    """The server has a small receive buffer and stops reading; the client queues more than
    fits, the server advertises a zero window and the client sends window probes (backing
    off 0.2, 0.4, 0.8 s ...) until the server reads everything 2.5 s later."""
    lst = listener(rcvbuf=32768)
    with Capture(out):
        cli, conn = connect(lst, 40020, sndbuf=65536)
        cli.setblocking(False)
        sent = 0
        try:
            while sent < 1 << 20:
                sent += cli.send(b"Z" * 16384)
        except BlockingIOError:
            pass
        cli.setblocking(True)
        cli.settimeout(15)
        log(f"client queued {sent} bytes; the server reads nothing for 2.5 s")
        time.sleep(2.5)
        recv_exact(conn, sent)
        conn.sendall(b"OK")
        recv_exact(cli, 2)
        close_client_first(cli, conn)


@scenario("keepalive")
def keepalive(out):
    """An idle connection with SO_KEEPALIVE, TCP_KEEPIDLE=1, TCP_KEEPINTVL=1: a keep-alive
    probe (seq = SND.UNA - 1, no data) every second, each answered; then a normal close."""
    lst = listener()
    with Capture(out):
        cli, conn = connect(lst, 40021)
        cli.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
        exchange(cli, conn)
        time.sleep(4.5)
        close_client_first(cli, conn)


@scenario("half-open-vanished")
def half_open_vanished(out):
    """After an exchange the router drops everything from the server. The client's next
    request is retransmitted into silence (after 0.2, 0.4, 0.8, 1.6, 3.2 s) until
    tcp_retries2 = 3 makes the client give up, without a packet, about 7 s after the
    request; the capture ends half a second later."""
    cport = 40022
    sysctl(NS_CLI, net__ipv4__tcp_retries2=3)
    lst = listener()
    with Capture(out):
        cli, conn = connect(lst, cport)
        exchange(cli, conn)
        settle()
        drop(NS_RTR, "forward", f"ip saddr {SRV4} tcp sport {PORT} tcp dport {cport}")
        cli.sendall(b"Q" * 120)
        cli.settimeout(10)
        try:
            cli.recv(1)
        except (TimeoutError, socket.timeout, OSError) as e:
            log(f"client gave up: {e}")
        time.sleep(0.5)


@scenario("half-open-reset")
def half_open_reset(out):
    """The server loses its state: its socket is aborted (SO_LINGER 0) while the router
    drops that RST before the capture point. The client still believes; its next request
    is answered by an RST from the server's stack (the listener has no such connection)."""
    cport = 40023
    lst = listener()
    with Capture(out):
        cli, conn = connect(lst, cport)
        exchange(cli, conn)
        settle()
        drop(NS_RTR, "forward", f"ip saddr {SRV4} tcp dport {cport} tcp flags & rst == rst")
        linger0(conn)
        conn.close()
        time.sleep(0.1)
        log(f"RSTs dropped in the router: {dropped(NS_RTR, 'forward')}")
        flush(NS_RTR, "forward")
        settle()
        cli.sendall(b"Q" * 120)
        try:
            cli.recv(1)
        except ConnectionResetError:
            log("client: connection reset, as intended")
        cli.close()


@scenario("close-wait-stuck")
def close_wait_stuck(out):
    """The client shuts down its sending side (shutdown, not close: a socket the
    application still holds stays in FIN_WAIT_2 with no timer); the server acknowledges
    the FIN but does not close for 66 s, then closes. Capture length about 67 s."""
    lst = listener()
    with Capture(out):
        cli, conn = connect(lst, 40024)
        exchange(cli, conn)
        cli.shutdown(socket.SHUT_WR)
        expect_eof(conn)
        log("server in CLOSE_WAIT for 66 s")
        time.sleep(66)
        conn.close()
        expect_eof(cli)
        cli.close()


@scenario("fin-wait-2-stuck")
def fin_wait_2_stuck(out):
    """The client closes; the server acknowledges the FIN but never sends its own. The
    client namespace has tcp_fin_timeout = 120 s, so the orphaned FIN_WAIT_2 socket
    outlives the capture. A pcap has no end-of-capture record (an analyzer only knows the
    time of the last packet), so the server's keep-alive marks the passing time: probes
    about every 20.5 s (TCP_KEEPIDLE 20, each answered, each restarting the idle time),
    and at 64 s TCP_KEEPIDLE drops to 1 s for one last probe. Capture about 65 s."""
    sysctl(NS_CLI, net__ipv4__tcp_fin_timeout=120)
    lst = listener()
    with Capture(out):
        cli, conn = connect(lst, 40025)
        exchange(cli, conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 20)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 20)
        cli.close()
        expect_eof(conn)
        log("client in FIN_WAIT_2 for 64 s")
        time.sleep(64)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        time.sleep(0.5)
    log(f"client FIN_WAIT_2: {sockets_in(NS_CLI, 'fin-wait-2')}")
    conn.close()


@scenario("fin-wait-2-timeout")
def fin_wait_2_timeout(out):
    """Linux's own cure for a stuck FIN_WAIT_2: the client closes, the server acknowledges
    and stays in CLOSE_WAIT; with tcp_fin_timeout = 3 in the client namespace the client's
    kernel silently drops its orphaned FIN_WAIT_2 socket after 3 s. When the server closes
    at 4.5 s its FIN meets no connection and the client's stack answers with an RST."""
    sysctl(NS_CLI, net__ipv4__tcp_fin_timeout=3)
    lst = listener()
    with Capture(out) as cap:
        cli, conn = connect(lst, 40031)
        exchange(cli, conn)
        cli.close()
        expect_eof(conn)
        time.sleep(4.5)
        log(f"client FIN_WAIT_2 after 4.5 s: {sockets_in(NS_CLI, 'fin-wait-2')}")
        conn.close()
        cap.wait_for(lambda s: from_client(40031)(s) and s.flags & RST, 2)


@scenario("capture-loss")
def capture_loss(out):
    """The capture filter leaves out the server's large data segments (frames of 1000 bytes
    or more); the connection itself loses nothing, so the client acknowledges data the
    capture never saw."""
    lst = listener()
    with Capture(out, f"tcp and not (greater 1000 and src host {SRV4})"):
        cli, conn = connect(lst, 40026)
        cli.sendall(b"Q" * 120)
        recv_exact(conn, 120)
        for size in (300, 4000, 300):
            conn.sendall(b"R" * size)
            recv_exact(cli, size)
            time.sleep(0.05)
        close_client_first(cli, conn)


@scenario("data-after-fin")
def data_after_fin(out):
    """The client shuts down its sending side; then a raw segment with 20 bytes of payload
    and seq just after the client's FIN is injected from the client's namespace. (Linux
    never sends data after its FIN; the server's stack ignores it in CLOSE_WAIT.)"""
    cport = 40027
    lst = listener()
    with Capture(out) as cap:
        cli, conn = connect(lst, cport)
        exchange(cli, conn)
        cli.shutdown(socket.SHUT_WR)
        expect_eof(conn)
        settle()
        fin = cap.wait_for(lambda s: from_client(cport)(s) and s.flags & FIN, 1)
        srv = cap.last(from_server(cport))
        ts = (fin.tsval + 100, srv.tsval) if fin.tsval is not None else None
        inject(NS_CLI, ipv4_tcp(CLI4, SRV4, cport, PORT, fin.seq + 1, srv.seq, PSH | ACK, fin.win,
                                b"D" * 20, ts))
        settle()
        conn.close()
        expect_eof(cli)
        cli.close()


@scenario("out-of-window")
def out_of_window(out):
    """In the middle of an established connection a raw segment with 20 bytes of payload
    and seq one million bytes beyond the server's window is injected from the client's
    namespace; the server's stack answers with a duplicate ACK. Then a normal exchange
    and close."""
    cport = 40028
    lst = listener()
    with Capture(out) as cap:
        cli, conn = connect(lst, cport)
        exchange(cli, conn)
        settle()
        last = cap.last(from_client(cport))
        ts = (last.tsval + 100, last.tsecr) if last.tsval is not None else None
        inject(NS_CLI, ipv4_tcp(CLI4, SRV4, cport, PORT, last.seq + last.plen + 1_000_000, last.ack,
                                PSH | ACK, last.win, b"W" * 20, ts))
        settle()
        exchange(cli, conn)
        close_client_first(cli, conn)


@scenario("bulk-transfer")
def bulk_transfer(out):
    """A clean 256 KiB download (server to client), client closes first."""
    lst = listener()
    with Capture(out):
        cli, conn = connect(lst, 40029)
        cli.sendall(b"GET /bulk\r\n")
        recv_exact(conn, 11)
        conn.sendall(b"B" * 262144)
        recv_exact(cli, 262144)
        close_client_first(cli, conn)


@scenario("ipv6-close-client-first")
def ipv6_close_client_first(out):
    """Scenario 1 over IPv6."""
    normal_session(out, 40030, v6=True)


def main(argv):
    if len(argv) == 2 and argv[1] == "list":
        print("\n".join(SCENARIOS))
        return 0
    if len(argv) == 3 and argv[1] == "has":
        return 0 if argv[2] in SCENARIOS else 1
    if len(argv) == 4 and argv[1] == "run" and argv[2] in SCENARIOS:
        print(f"{argv[2]}:", file=sys.stderr, flush=True)
        SCENARIOS[argv[2]](argv[3])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
