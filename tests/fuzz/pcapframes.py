#!/usr/bin/env python3
"""pcapframes.py - writes fuzz_decode seeds: every frame of pcap/pcapng files, prefixed by a link selector.

usage: pcapframes.py OUTDIR [--per-file N] FILE...
       pcapframes.py --list FILE...     (prints, NUL-terminated, the FILEs with a capture magic)

Each seed is [link index][0][0][0] + frame bytes, the input layout of fuzz_decode.c (wire length
mode 0: wirelen = caplen). Frames of link types the decoder does not handle are skipped, and
duplicate seeds are written once (named by their SHA-1). Damaged files yield what precedes the
damage. Standard library only.
"""
import gzip
import hashlib
import os
import struct
import sys

# Keep in step with LINKS in fuzz_decode.c: file link type -> index.
LINKS = {1: 0, 113: 1, 276: 2, 12: 3, 101: 4, 14: 5, 228: 6, 229: 7, 0: 8, 108: 9}


def read_bytes(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:2] == b'\x1f\x8b':
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return b''
    return data


def pcap_frames(d):
    magic = d[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\x34\xcd\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d', b'\xa1\xb2\xcd\x34'):
        e = '>'
    else:
        return
    if len(d) < 24:
        return
    link = struct.unpack(e + 'I', d[20:24])[0] & 0xffff
    # Kuznetsov's modified pcap adds ifindex, protocol, pkt_type and a pad byte to each record.
    hdr = 24 if magic in (b'\x34\xcd\xb2\xa1', b'\xa1\xb2\xcd\x34') else 16
    off = 24
    while off + hdr <= len(d):
        caplen = struct.unpack(e + 'I', d[off + 8:off + 12])[0]
        start = off + hdr
        if caplen > 262144 or start + caplen > len(d):
            return
        yield link, d[start:start + caplen]
        off = start + caplen


def pcapng_frames(d):
    off = 0
    e = '<'
    links = []
    while off + 12 <= len(d):
        btype = struct.unpack('<I', d[off:off + 4])[0]
        if btype == 0x0a0d0d0a:
            bom = d[off + 8:off + 12]
            if bom == b'\x4d\x3c\x2b\x1a':
                e = '<'
            elif bom == b'\x1a\x2b\x3c\x4d':
                e = '>'
            else:
                return
            links = []
        else:
            btype = struct.unpack(e + 'I', d[off:off + 4])[0]
        blen = struct.unpack(e + 'I', d[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(d):
            return
        body = d[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 8:
            links.append(struct.unpack(e + 'H', body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, _, _, caplen, _ = struct.unpack(e + 'IIIII', body[:20])
            if ifid < len(links) and 20 + caplen <= len(body):
                yield links[ifid], body[20:20 + caplen]
        elif btype == 2 and len(body) >= 20:
            ifid = struct.unpack(e + 'H', body[:2])[0]
            caplen = struct.unpack(e + 'I', body[12:16])[0]
            if ifid < len(links) and 20 + caplen <= len(body):
                yield links[ifid], body[20:20 + caplen]
        elif btype == 3 and len(body) >= 4 and links:
            yield links[0], body[4:]
        off += blen


def frames(path):
    d = read_bytes(path)
    if d[:4] == b'\x0a\x0d\x0d\x0a':
        return pcapng_frames(d)
    return pcap_frames(d)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    if argv[1] == '--list':
        magics = (b'\xa1\xb2\xc3\xd4', b'\xd4\xc3\xb2\xa1', b'\xa1\xb2\x3c\x4d',
                  b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xcd\x34', b'\x34\xcd\xb2\xa1',
                  b'\x0a\x0d\x0d\x0a')
        for path in argv[2:]:
            try:
                with open(path, 'rb') as f:
                    head = f.read(4)
            except OSError:
                continue
            if head in magics or head[:2] == b'\x1f\x8b':
                sys.stdout.write(path + "\0")
        return 0
    out = argv[1]
    args = argv[2:]
    per_file = 1 << 30
    if args[:1] == ['--per-file']:
        per_file = int(args[1])
        args = args[2:]
    os.makedirs(out, exist_ok=True)
    written = 0
    for path in args:
        n = 0
        try:
            for link, frame in frames(path):
                if link not in LINKS:
                    continue
                seed = bytes([LINKS[link], 0, 0, 0]) + frame
                name = os.path.join(out, hashlib.sha1(seed).hexdigest())
                if not os.path.exists(name):
                    with open(name, 'wb') as f:
                        f.write(seed)
                    written += 1
                n += 1
                if n >= per_file:
                    break
        except (OSError, struct.error):
            continue
    print('pcapframes.py: %d seeds in %s' % (written, out))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
