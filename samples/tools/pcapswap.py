#!/usr/bin/env python3
"""pcapswap.py - rewrite a classic pcap file with two packets exchanged.

    pcapswap.py IN OUT I J      frames I and J (1-based, as Wireshark numbers them)

The packets exchange places but the timestamps stay where they were, so the file remains
in time order: packet J is written at frame I with frame I's timestamp, and the other way
round. Everything else (file header, other records) is copied byte for byte.
"""
import struct
import sys


def _records(data):
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise ValueError("not a classic pcap file")
    recs, pos = [], 24
    while pos + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        end = pos + 16 + caplen
        if end > len(data):
            raise ValueError(f"truncated record at offset {pos}")
        recs.append((data[pos:pos + 8], data[pos + 8:end]))   # (timestamp, lengths+bytes)
        pos = end
    return data[:24], recs


def swap(src, dst, i, j):
    """Write SRC to DST with frames I and J (1-based) exchanged, timestamps kept in place."""
    with open(src, "rb") as f:
        head, recs = _records(f.read())
    if not (1 <= i <= len(recs) and 1 <= j <= len(recs)):
        raise ValueError(f"{src} has {len(recs)} frames")
    a, b = i - 1, j - 1
    recs[a], recs[b] = (recs[a][0], recs[b][1]), (recs[b][0], recs[a][1])
    with open(dst, "wb") as f:
        f.write(head)
        for ts, body in recs:
            f.write(ts + body)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    swap(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
