#!/usr/bin/env python3
"""suricata.py - helper of suricata.sh: compares the final TCP state pcapstate stores for each
flow with the tcp.state that Suricata's own tests (suricata-verify test.yaml) expect.

Usage: suricata.py SVDIR FLOWDIR KNOWN
  SVDIR    the corpus's other/suricata-verify/ folder (INDEX.tsv, per-test folders)
  FLOWDIR  per pcap P (its path under SVDIR with '/' turned into '__'): P.tsv, pcapstate's flows,
           one line each, tab-separated: orig_addr orig_port resp_addr resp_port
           orig_state resp_state midstream orig_pkts resp_pkts first_fin (the states are
           the last ones a segment led to; first_fin: the endpoint, orig or resp, that sent
           the first FIN, empty if none did; see suricata.sh)
  KNOWN    suricata-known-differences.txt

Prints "ok TEXT", "fail TEXT" and "info TEXT" lines; suricata.sh turns them into ok/fail calls.
Python standard library only: test.yaml is read with a small parser for the subset it uses.
The mapping from pcapstate's two endpoint states to Suricata's one state is explained at the top
of suricata.sh and implemented in suricata_state() below.
"""
import collections
import ipaddress
import os
import re
import sys


def suricata_state(client, server, first_fin):
    """Suricata's TcpSession state for pcapstate's client (orig) and server (resp) states;
    first_fin: which endpoint ("orig"/"resp") sent the first FIN, "" if none did.

    Suricata names its single state after the server's side of the teardown: a FIN to the
    server gives CLOSE_WAIT, a FIN to the client FIN_WAIT1 (StreamTcpHandleFin), so the state
    follows the server's RFC state, except that Suricata moves TIME_WAIT to CLOSED when the
    server's last ACK passes (the client, in LAST_ACK, is then CLOSED).  Crossed FINs
    (simultaneous close, both endpoints CLOSING or TIME_WAIT in pcapstate) are not a state of
    their own for Suricata when the client's FIN came first: CLOSE_WAIT, then LAST_ACK on the
    server's FIN, then CLOSED when the client acknowledges it."""
    if server == "UNKNOWN" or client == "UNKNOWN":
        return None  # mid-stream pickup: not comparable (Suricata tracks none by default)
    crossed = ("CLOSING", "TIME_WAIT")
    if client in crossed and server in crossed:
        if client == server == "TIME_WAIT":
            return "closed"      # both FINs acknowledged
        if first_fin == "orig":
            return "last_ack" if server == "CLOSING" else "closed"
        return "closing"
    if server == "LISTEN":
        return "syn_sent" if client == "SYN_SENT" else "closed" if client == "CLOSED" else None
    if server == "TIME_WAIT":
        return "closed" if client == "CLOSED" else "time_wait"
    return {
        "SYN_RECEIVED": "syn_recv",
        "ESTABLISHED": "established",
        "FIN_WAIT_1": "fin_wait1",
        "FIN_WAIT_2": "fin_wait2",
        "CLOSE_WAIT": "close_wait",
        "CLOSING": "closing",
        "LAST_ACK": "last_ack",
        "CLOSED": "closed",
    }.get(server)


def addr(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def unquote(v):
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        return v[1:-1]
    return v


def parse_checks(text):
    """The filters of a test.yaml: [{'count': n, 'match': {...}, 'requires': {...}}].  Enough
    YAML for suricata-verify: block mappings, '- filter:' list items, scalar values."""
    lines = []
    for raw in text.splitlines():
        s = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if s.strip():
            lines.append((len(s) - len(s.lstrip()), s.strip()))
    filters, i = [], 0
    while i < len(lines):
        ind, s = lines[i]
        if s not in ("- filter:",):
            i += 1
            continue
        f = {"count": None, "match": {}, "requires": {}}
        i += 1
        section = None
        sect_ind = None
        while i < len(lines) and lines[i][0] > ind:
            ind2, s2 = lines[i]
            if s2.endswith(":") and ":" not in s2[:-1]:
                key = s2[:-1]
                if key in ("match", "requires"):
                    section, sect_ind = key, ind2
                else:
                    section = None
            elif section and ind2 > sect_ind and ":" in s2:
                k, v = s2.split(":", 1)
                f[section][k.strip()] = unquote(v)
            elif ":" in s2 and (sect_ind is None or ind2 <= sect_ind):
                section = None
                k, v = s2.split(":", 1)
                if k.strip() == "count":
                    f["count"] = int(unquote(v))
            i += 1
        filters.append(f)
    return filters


def version_ok(req):
    """Keep the filters for current Suricata: drop those only for older versions."""
    return "lt-version" not in req


def load_flows(path):
    flows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if len(f) < 10:
                continue
            flows.append({"oh": addr(f[0]), "op": int(f[1]), "rh": addr(f[2]), "rp": int(f[3]),
                          "os": f[4], "rs": f[5], "mid": f[6] == "1",
                          "opk": int(f[7]), "rpk": int(f[8]), "fin": f[9]})
    return flows


def fits(m, f):
    """Does flow f match the filter's addresses and ports (Suricata's src = the client)?"""
    want = [("src_ip", f["oh"]), ("src_port", f["op"]), ("dest_ip", f["rh"]),
            ("dest_port", f["rp"])]
    for key, have in want:
        if key not in m:
            continue
        v = m[key]
        v = addr(v) if key.endswith("_ip") else int(v)
        if v != have:
            return False
    return True


def tuple_text(f):
    def hp(h, p):
        return "[%s]:%s" % (h, p) if ":" in h else "%s:%s" % (h, p)
    return "%s-%s" % (hp(f["oh"], f["op"]), hp(f["rh"], f["rp"]))


SKIP_OPTS = ("stream.midstream=true", "stream.async-oneside=true")


def main():
    svdir, flowdir, known_path = sys.argv[1:4]
    known = collections.Counter()
    with open(known_path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            f = line.split("\t")
            if len(f) != 5 or not f[4].strip():
                print("fail %s:%d: want 5 tab-separated fields, the last a reason: %s"
                      % (os.path.basename(known_path), n, line))
                continue
            known[tuple(f[:4])] += 1
    with open(os.path.join(svdir, "INDEX.tsv"), encoding="utf-8") as fh:
        rows = [ln.split("\t") for ln in fh.read().splitlines()]
    hdr = rows[0]
    col = {name.split("(")[0]: i for i, name in enumerate(hdr)}
    diffs = collections.Counter()
    agree = total = tests = 0
    skipped = []
    for r in rows[1:]:
        if len(r) < len(hdr) or not r[col["flow_tcp_state_checks"]]:
            continue
        test, pcap, args = r[col["test"]], r[col["pcap"]], r[col["suricata_args"]]
        with open(os.path.join(svdir, test, "test.yaml"), encoding="utf-8") as fh:
            filters = [f for f in parse_checks(fh.read())
                       if f["match"].get("event_type") == "flow" and "tcp.state" in f["match"]
                       and version_ok(f["requires"])]
        flows = load_flows(os.path.join(flowdir, pcap.replace("/", "__") + ".tsv"))
        opts = [o for o in SKIP_OPTS if o in args]
        tests += 1
        for f in filters:
            m, want = f["match"], f["match"]["tcp.state"]
            cands = [fl for fl in flows if fits(m, fl)]
            what = " ".join("%s=%s" % (k, m[k]) for k in
                            ("src_ip", "src_port", "dest_ip", "dest_port", "app_proto") if k in m)
            if opts:
                # The option changes how Suricata picks up one-sided or midstream flows; the
                # mapping still holds for a flow pcapstate saw open with a SYN, both ways.
                if not cands or any(fl["mid"] or not fl["opk"] or not fl["rpk"] for fl in cands):
                    ours = ",".join(suricata_state(fl["os"], fl["rs"], fl["fin"]) or "none"
                                    for fl in cands) or "no flow"
                    skipped.append("%s (%s): midstream or one-sided flow, expected %s depends on "
                                   "%s (pcapstate maps to %s)" % (
                                       test, what or "any flow", want,
                                       " ".join("--set " + o for o in opts), ours))
                    continue
            count = f["count"] if f["count"] is not None else 1
            if len(cands) < count:
                for _ in range(count - len(cands)):
                    total += 1
                    diffs[(test, what or "-", "-", want)] += 1
                continue
            # Without addresses in the filter (app_proto, say) every flow is a candidate: as
            # many of them as the count must map to the expected state.
            got = [suricata_state(fl["os"], fl["rs"], fl["fin"]) or "none" for fl in cands]
            for fl, g in zip(cands, got):
                print("info %s %s: pcapstate %s/%s -> %s, suricata %s" % (
                    test, tuple_text(fl), fl["os"], fl["rs"], g, want))
            n_ok = sum(1 for g in got if g == want)
            total += count
            agree += min(n_ok, count)
            for _ in range(min(n_ok, count)):
                print("ok %s (%s): %s" % (test, what or "any flow", want))
            bad = [(fl, g) for fl, g in zip(cands, got) if g != want]
            for fl, g in bad[:max(0, count - n_ok)]:
                diffs[(test, tuple_text(fl), g, want)] += 1
    for d in sorted(set(diffs) | set(known)):
        seen, listed = diffs[d], known[d]
        for _ in range(min(seen, listed)):
            print("ok known difference: %s" % " | ".join(d))
        for _ in range(seen - listed):
            print("fail unlisted difference: %s" % "\t".join(d))
        for _ in range(listed - seen):
            print("fail listed difference no longer happens (remove it): %s" % "\t".join(d))
    for s in skipped:
        print("info skipped %s" % s)
    print("info %d tests with tcp.state checks; %d flow checks compared, %d skipped"
          % (tests, total, len(skipped)))
    print("info tcp.state agrees %d/%d" % (agree, total))
    print("ok compared" if total else "fail nothing compared")


if __name__ == "__main__":
    main()
