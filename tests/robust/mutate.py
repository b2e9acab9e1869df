#!/usr/bin/env python3
"""mutate.py - writes deterministic mutants of capture files for tests/robust/mutate.sh.

usage: mutate.py OUTDIR COUNT SEED FILE...

Writes COUNT files OUTDIR/NNNN-KIND-SOURCE, cycling through the mutation kinds below, each
drawn from a fixed-seed splitmix64 generator (same output on every Python version). pcap
sources are parsed into records so mutations can aim at the global header, a record header or
the packet data; pcapng and unparsable sources get the format-blind kinds only. Standard
library only.
"""
import gzip
import lzma
import os
import struct
import sys

MASK = (1 << 64) - 1


class Rng:
    """splitmix64: fully specified, so the mutants never depend on the Python version."""

    def __init__(self, seed):
        self.s = seed & MASK

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n if n > 0 else 0

    def choice(self, seq):
        return seq[self.below(len(seq))]


class Pcap:
    """A classic pcap file split into its header and (record header, data) pairs."""

    def __init__(self, data):
        self.ok = False
        m = data[:4]
        if m in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
            self.e = '<'
        elif m in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
            self.e = '>'
        else:
            return
        self.head = bytearray(data[:24])
        self.recs = []
        off = 24
        while off + 16 <= len(data):
            caplen = struct.unpack(self.e + 'I', data[off + 8:off + 12])[0]
            if off + 16 + caplen > len(data):
                break
            self.recs.append([bytearray(data[off:off + 16]),
                              bytearray(data[off + 16:off + 16 + caplen])])
            off += 16 + caplen
        self.ok = len(data) >= 24 and len(self.recs) > 0

    def bytes(self, recs=None):
        out = bytearray(self.head)
        for h, d in (self.recs if recs is None else recs):
            out += h + d
        return bytes(out)


def flip(rng, buf, lo, hi, n):
    """Flips n random bits, or sets random bytes to edge values, in buf[lo:hi)."""
    if hi <= lo:
        return
    for _ in range(n):
        i = lo + rng.below(hi - lo)
        r = rng.below(4)
        if r == 0:
            buf[i] ^= 1 << rng.below(8)
        elif r == 1:
            buf[i] = rng.choice((0x00, 0xff, 0x7f, 0x80, 0x01))
        else:
            buf[i] = rng.below(256)


def set32(rec_head, pos, e, value):
    rec_head[pos:pos + 4] = struct.pack(e + 'I', value & 0xffffffff)


ABSURD = (0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 262144, 262145, 65535, 65536, 0x10000000)


def mutate(rng, kind, data, other):
    """Returns the mutant of data for kind (other: a second source for splices)."""
    p = Pcap(data)
    q = Pcap(other)
    buf = bytearray(data)
    if kind == 'cut':
        return data[:rng.below(len(data) + 1)]
    if kind == 'flip-any':
        flip(rng, buf, 0, len(buf), 1 + rng.below(16))
        return bytes(buf)
    if kind == 'flip-head':
        flip(rng, buf, 0, min(len(buf), 64 if not p.ok else 24), 1 + rng.below(3))
        return bytes(buf)
    if kind == 'gzip-cut':
        z = gzip.compress(data, 6, mtime=0)
        return z[:len(z) // 2 + rng.below(len(z) // 2 + 1)]
    if kind == 'gzip-flip':
        z = bytearray(gzip.compress(data, 6, mtime=0))
        flip(rng, z, 10, len(z), 1 + rng.below(4))
        return bytes(z)
    if kind == 'xz-flip':
        z = bytearray(lzma.compress(data))
        flip(rng, z, 12, len(z), 1 + rng.below(4))
        return bytes(z)
    if kind == 'gzip-of-mutant':
        return gzip.compress(mutate(rng, 'flip-data', data, other), 6, mtime=0)
    if not p.ok:
        # pcapng or damaged: format-blind mutations only.
        if kind == 'splice-raw' or kind.startswith('splice'):
            cut_a = rng.below(len(data) + 1)
            cut_b = rng.below(len(other) + 1)
            return data[:cut_a] + other[cut_b:]
        flip(rng, buf, 0, len(buf), 1 + rng.below(8))
        return bytes(buf)
    e = p.e
    recs = p.recs
    if kind == 'flip-rechead':
        for _ in range(1 + rng.below(3)):
            h = rng.choice(recs)[0]
            flip(rng, h, 0, 16, 1)
        return p.bytes()
    if kind == 'flip-data':
        for _ in range(1 + rng.below(8)):
            d = rng.choice(recs)[1]
            flip(rng, d, 0, len(d), 1 + rng.below(4))
        return p.bytes()
    if kind == 'absurd-caplen':
        r = rng.choice(recs)
        set32(r[0], 8, e, rng.choice(ABSURD))
        return p.bytes()
    if kind == 'absurd-len':
        r = rng.choice(recs)
        set32(r[0], 12, e, rng.choice(ABSURD))
        return p.bytes()
    if kind == 'absurd-snaplen':
        set32(p.head, 16, e, rng.choice(ABSURD))
        return p.bytes()
    if kind == 'absurd-linktype':
        set32(p.head, 20, e, rng.choice((0, 1, 12, 14, 101, 113, 147, 228, 229, 276, 0xffff,
                                         0x10000001, 0xffffffff)))
        return p.bytes()
    if kind == 'timestamps':
        for r in recs:
            if rng.below(3) == 0:
                set32(r[0], 0, e, rng.choice((0, 1, 0x7fffffff, 0x80000000, 0xffffffff,
                                              rng.next())))
            if rng.below(3) == 0:
                set32(r[0], 4, e, rng.choice((0, 999999, 1000000, 999999999, 0xffffffff)))
        return p.bytes()
    if kind == 'splice':
        if not q.ok:
            return p.bytes() + other
        return p.bytes(q.recs)              # header of one, records of another
    if kind == 'splice-interleave':
        if not q.ok:
            return p.bytes()
        mixed = []
        a, b = list(recs), list(q.recs)
        while a or b:
            src = a if (a and (not b or rng.below(2))) else b
            mixed.append(src.pop(0))
        return p.bytes(mixed)
    if kind == 'splice-raw':
        return data[:rng.below(len(data) + 1)] + other[rng.below(len(other) + 1):]
    if kind == 'shuffle':
        order = list(recs)
        for i in range(len(order) - 1, 0, -1):
            j = rng.below(i + 1)
            order[i], order[j] = order[j], order[i]
        return p.bytes(order)
    if kind == 'duplicate':
        out = []
        for r in recs:
            out.append(r)
            if rng.below(4) == 0:
                out.append(r)
        return p.bytes(out)
    if kind == 'cut-record':
        i = rng.below(len(recs))
        off = 24 + sum(16 + len(d) for _, d in recs[:i])
        return data[:off + rng.below(16 + len(recs[i][1]))]
    raise ValueError(kind)


KINDS = ('flip-head', 'flip-rechead', 'flip-data', 'flip-any', 'cut', 'cut-record',
         'absurd-caplen', 'absurd-len', 'absurd-snaplen', 'absurd-linktype', 'timestamps',
         'splice', 'splice-interleave', 'splice-raw', 'shuffle', 'duplicate', 'gzip-cut',
         'gzip-flip', 'xz-flip', 'gzip-of-mutant')


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    out, count, seed, files = argv[1], int(argv[2]), int(argv[3]), sorted(argv[4:])
    os.makedirs(out, exist_ok=True)
    rng = Rng(seed)
    sources = []
    for f in files:
        with open(f, 'rb') as fh:
            sources.append((os.path.basename(f), fh.read()))
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        name, data = sources[rng.below(len(sources))]
        _, other = sources[rng.below(len(sources))]
        m = mutate(rng, kind, data, other)
        with open(os.path.join(out, '%04d-%s-%s' % (i, kind, name)), 'wb') as fh:
            fh.write(m)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
