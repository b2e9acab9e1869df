#!/usr/bin/env python3
"""zeek_conn.py - helper of zeek_conn.sh: compares pcapstate's flows (conn_state, history) with
Zeek's baselines in the shared corpus.

Usage: zeek_conn.py ZEEKDIR FLOWDIR KNOWN
  ZEEKDIR  the corpus's zeek/ folder (INDEX.tsv, traces, baselines)
  FLOWDIR  per trace T: T.tsv (pcapstate's flows, one line each: orig_addr orig_port resp_addr
           resp_port conn_state history, tab-separated) and T.rc (pcapstate's exit status)
  KNOWN    zeek-db-known-differences.txt

Prints one line per check, "ok TEXT" or "fail TEXT", and "info TEXT" lines; zeek_conn.sh turns
them into ok/fail calls.  Python standard library only.
"""
import collections
import ipaddress
import os
import re
import sys


def addr(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def tuple_text(oh, op, rh, rp):
    def hp(h, p):
        return "[%s]:%s" % (h, p) if ":" in h else "%s:%s" % (h, p)
    return "%s-%s/tcp" % (hp(oh, op), hp(rh, rp))


class Row:
    """One Zeek connection: what the baseline gives (None = not in the baseline)."""

    def __init__(self):
        self.oh = self.op = self.rh = self.rp = None
        self.state = None
        self.history = None

    def tuple(self):
        if (self.oh, self.op, self.rh, self.rp) == (None,) * 4:
            return None
        return tuple_text(*("?" if x is None else x for x in (self.oh, self.op, self.rh, self.rp)))

    def fits(self, f):
        """Does pcapstate's flow f fit this row's 5-tuple, in either orientation?"""
        def side(h, p, fh, fp):
            return (h is None or h == fh) and (p is None or p == fp)
        fwd = side(self.oh, self.op, f["oh"], f["op"]) and side(self.rh, self.rp, f["rh"], f["rp"])
        rev = side(self.oh, self.op, f["rh"], f["rp"]) and side(self.rh, self.rp, f["oh"], f["op"])
        return fwd or rev


def parse_log(text, cut):
    """A conn.log (#fields header) or a zeek-cut / btest-diff-cut projection (first line)."""
    names, rows, inner = None, [], []
    for line in text.splitlines():
        if line.startswith("#fields\t"):
            names = line[8:].split("\t")
            continue
        if not line or line.startswith("#"):
            continue
        if cut and names is None:
            names = line.split("\t")
            continue
        if names is None:
            continue
        v = dict(zip(names, line.split("\t")))
        if v.get("proto", "tcp") != "tcp":
            continue
        if v.get("tunnel_parents", "-") not in ("-", "(empty)"):
            # an inner connection of a tunnel (Teredo, GTP): pcapstate does not decapsulate
            inner.append(v)
            continue
        r = Row()
        oh, rh = v.get("id.orig_h", v.get("src_ip")), v.get("id.resp_h", v.get("dst_ip"))
        op, rp = v.get("id.orig_p", v.get("src_port")), v.get("id.resp_p", v.get("dst_port"))
        r.oh = addr(oh) if oh else None
        r.rh = addr(rh) if rh else None
        r.op = int(op) if op else None
        r.rp = int(rp) if rp else None
        r.state = v.get("conn_state")
        r.history = v.get("history")
        if r.history == "-":
            r.history = ""
        rows.append(r)
    return rows, len(inner)


CONN_ID = re.compile(r"orig_h=([^,]+), orig_p=(\d+)/tcp, resp_h=([^,]+), resp_p=(\d+)/tcp")


def set_id(r, line):
    m = CONN_ID.search(line)
    if m:
        r.oh, r.op, r.rh, r.rp = addr(m.group(1)), int(m.group(2)), addr(m.group(3)), int(m.group(4))


def state_from_states(os_, rs):
    """Zeek's conn_state() for the endpoint-state pairs the script baselines print (the cases
    that need history or sizes do not occur there)."""
    inact = (0, 3)
    if rs == 6:
        return "REJ" if os_ in (1, 2) else ("RSTRH" if os_ in inact else "RSTR")
    if os_ == 6:
        return None if rs in inact else "RSTO"
    if os_ == 5 and rs == 5:
        return "SF"
    if os_ == 5:
        return "SH" if rs in inact else "S2"
    if rs == 5:
        return "SHR" if os_ in inact else "S3"
    if os_ == 1 and rs == 0:
        return "S0"
    if os_ == 4 and rs == 4:
        return "S1"
    return "OTH"


def parse_script(text, baseline, notes):
    """The printed output of the btest's own event handlers (see the INDEX notes)."""
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    r = Row()
    if "conn_state-RST-behavior" in baseline:
        m = re.search(r"line (\d+)", notes)
        hist, state = lines[int(m.group(1)) - 1].split(", ")
        r.history, r.state = hist, state
        return [r]
    if "fin-retransmit" in baseline or "rst-after-syn" in baseline:
        states = []
        for ln in lines:
            m = re.search(r"state=(\d+)", ln)
            if m:
                states.append(int(m.group(1)))
            else:
                set_id(r, ln)
        # conn_state is not printed: derived from the endpoint states, as Zeek's conn_state()
        r.state = state_from_states(states[0], states[1])
        return [r]
    # tcp-dups (REMOVE), connection_flipped (connection_state_remove), pending: the last line
    # naming the connection carries its final history, first field after the record.
    last = None
    for ln in lines:
        if "orig_h=" in ln and ("REMOVE" in ln or "connection_state_remove" in ln or "pending" in ln):
            last = ln
    if last is None:
        return []
    set_id(r, last)
    rest = last[last.rindex("]") + 1:].split(",")
    r.history = rest[1].strip() if len(rest) > 1 else rest[0].strip()
    return [r]


def load_flows(path):
    flows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if len(f) < 6:
                continue
            flows.append({"oh": addr(f[0]), "op": int(f[1]), "rh": addr(f[2]), "rp": int(f[3]),
                          "state": f[4], "history": f[5], "used": False})
    return flows


def load_known(path):
    """The listed differences, as a count per (trace, 5-tuple, field, ours, zeek): a line stands
    for one occurrence (pop3's 5-tuples have two extra Zeek rows each, listed twice)."""
    known = collections.Counter()
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            f = line.split("\t")
            if len(f) != 6 or not f[5].strip():
                print("fail %s:%d: want 6 tab-separated fields, the last a reason: %s"
                      % (os.path.basename(path), n, line))
                continue
            known[tuple(f[:5])] += 1
    return known


def match_rows(rows, flows):
    """Several connections on one 5-tuple (Zeek or pcapstate split it): each Zeek row takes a
    flow that agrees on both fields if there is one, then on conn_state, then on history, then
    any unused flow with its 5-tuple."""
    match = [None] * len(rows)
    for want_state, want_hist in ((True, True), (True, False), (False, True), (False, False)):
        for i, r in enumerate(rows):
            if match[i] is not None:
                continue
            for f in flows:
                if f["used"] or not r.fits(f):
                    continue
                if want_state and r.state is not None and r.state != f["state"]:
                    continue
                if want_hist and r.history is not None and r.history != f["history"]:
                    continue
                match[i] = f
                f["used"] = True
                break
    return match


def main():
    zdir, flowdir, known_path = sys.argv[1:4]
    known = load_known(known_path)
    diffs = collections.Counter()
    t = collections.Counter()
    with open(os.path.join(zdir, "INDEX.tsv"), encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    hdr = lines[0].split("\t")
    pairs = [dict(zip(hdr, line.split("\t"))) for line in lines[1:] if line]
    per_trace = collections.Counter(v["trace_file"] for v in pairs)
    for v in pairs:
        trace, baseline, kind = v["trace_file"], v["baseline_file"], v["baseline_kind"]
        # a trace with two baselines (chksums-localhost-bad-chksum) is named with its baseline
        label = trace if per_trace[trace] == 1 else "%s [%s]" % (trace, baseline)
        fpath = os.path.join(flowdir, trace + ".tsv")
        if not os.path.exists(fpath):
            print("fail %s: pcapstate was not run" % trace)
            continue
        with open(os.path.join(flowdir, trace + ".rc"), encoding="utf-8") as fh:
            rc = fh.read().strip()
        if rc != "0":
            print("info %s: pcapstate exited with status %s" % (trace, rc))
        with open(os.path.join(zdir, baseline), encoding="utf-8") as fh:
            text = fh.read()
        if kind == "script":
            rows, lists_all = parse_script(text, baseline, v.get("notes", "")), False
        else:
            rows, ninner = parse_log(text, kind == "cut")
            lists_all = True
            if ninner:
                print("info %s: %d tunnelled (inner) TCP rows not compared" % (label, ninner))
        flows = load_flows(fpath)
        t["pairs"] += 1
        for r, f in zip(rows, match_rows(rows, flows)):
            t["rows"] += 1
            tup = r.tuple()
            if tup is None and f is not None:
                tup = tuple_text(f["oh"], f["op"], f["rh"], f["rp"])
            tup = tup or "-"
            if f is None:
                t["only_zeek"] += 1
                zeek = "%s/%s" % (r.state or "?", "?" if r.history is None else r.history or "-")
                diffs[(label, tup, "conn", "-", zeek)] += 1
                continue
            if r.oh is not None and (r.oh, r.op) != (f["oh"], f["op"]):
                t["flipped"] += 1
            if r.state is not None:
                t["st_n"] += 1
                if r.state == f["state"]:
                    t["st_ok"] += 1
                else:
                    diffs[(label, tup, "conn_state", f["state"], r.state)] += 1
            if r.history is not None:
                t["hi_n"] += 1
                if r.history == f["history"]:
                    t["hi_ok"] += 1
                else:
                    diffs[(label, tup, "history", f["history"] or "-", r.history or "-")] += 1
        if lists_all:
            for f in flows:
                if not f["used"]:
                    t["only_ours"] += 1
                    ours = "%s/%s" % (f["state"], f["history"] or "-")
                    diffs[(label, tuple_text(f["oh"], f["op"], f["rh"], f["rp"]), "conn", ours,
                           "-")] += 1
    for d in sorted(set(diffs) | set(known)):
        seen, listed = diffs[d], known[d]
        for _ in range(min(seen, listed)):
            print("ok known difference: %s" % " | ".join(d))
        for _ in range(seen - listed):
            print("fail unlisted difference: %s" % "\t".join(d))
        for _ in range(listed - seen):
            print("fail listed difference no longer happens (remove it): %s" % "\t".join(d))

    def pct(a, b):
        return 100.0 * a / b if b else 100.0
    print("info %d (trace, baseline) pairs, %d Zeek TCP rows" % (t["pairs"], t["rows"]))
    print("info conn_state agrees %d/%d (%.1f%%), history agrees %d/%d (%.1f%%)"
          % (t["st_ok"], t["st_n"], pct(t["st_ok"], t["st_n"]), t["hi_ok"], t["hi_n"],
             pct(t["hi_ok"], t["hi_n"])))
    print("info connections only in Zeek: %d, only in pcapstate: %d (counted per 5-tuple); "
          "matched with pcapstate's roles the other way round: %d"
          % (t["only_zeek"], t["only_ours"], t["flipped"]))
    if t["st_n"] and t["st_ok"] * 100 >= t["st_n"] * 95:
        print("ok conn_state agreement %d/%d is at least 95%%" % (t["st_ok"], t["st_n"]))
    else:
        print("fail conn_state agreement %d/%d is below 95%%" % (t["st_ok"], t["st_n"]))


if __name__ == "__main__":
    main()
