#!/usr/bin/env python3
"""Makes a larger EVTX file from real ones by repeating their chunks: the file header
is rewritten (chunk count, last chunk, header CRC32); every chunk keeps its bytes and
its own checksums, so each repeated record is a real record.

usage: gen_evtx.py OUT MIN_BYTES IN.evtx..."""
import struct
import sys
import zlib

HDR, CHUNK = 4096, 65536


def chunks(path):
    data = open(path, "rb").read()
    if data[:8] != b"ElfFile\0":
        return []
    out = []
    for off in range(HDR, len(data) - CHUNK + 1, CHUNK):
        c = data[off:off + CHUNK]
        if c[:8] == b"ElfChnk\0":
            out.append(c)
    return out


def main():
    out, need, ins = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    pool = []
    for p in ins:
        pool.extend(chunks(p))
    if not pool:
        sys.exit("gen_evtx: no chunks in the inputs")
    n = max(1, (need + CHUNK - 1) // CHUNK)
    n = min(n, 65535)  # the header counts chunks in 16 bits
    first = open(ins[0], "rb").read(HDR)
    hdr = bytearray(first[:HDR])
    struct.pack_into("<Q", hdr, 8, 0)            # first chunk number
    struct.pack_into("<Q", hdr, 16, n - 1)       # last chunk number
    struct.pack_into("<H", hdr, 42, n)           # chunk count
    struct.pack_into("<I", hdr, 120, 0)          # flags: clean
    struct.pack_into("<I", hdr, 124, zlib.crc32(bytes(hdr[:120])) & 0xFFFFFFFF)
    with open(out, "wb") as f:
        f.write(hdr)
        for i in range(n):
            f.write(pool[i % len(pool)])


if __name__ == "__main__":
    main()
