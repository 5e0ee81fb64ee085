#!/usr/bin/env python3
"""Makes a dense EVTX file from real records: every event record of the input files is
parsed (its BinXML with names and template definitions resolved through its own chunk)
and re-emitted, over and over in input order, into full 64 KiB chunks, the way a
Windows writer would lay them out.

Names and template definitions in BinXML are chunk-relative offsets, so a record cannot
simply be copied into another chunk.  Each re-emitted record defines inline every name
and template its chunk does not hold yet and refers to the ones it does (so template
caching is exercised as in real logs); element and attribute-list sizes, template data
sizes and nested-BinXML value sizes are recomputed.  Every chunk gets its header
(record numbers and ids, last record and free-space offsets), string and template hash
tables, and both CRC-32s; records are numbered from 1 across the file, and the file
header (chunk count, next record id, CRC) is written last.  The output is a function of
the inputs and the arguments only.

usage: gen_evtx.py OUT MIN_RECORDS IN.evtx...
       gen_evtx.py --selftest IN.evtx...   (re-emit each first-in-chunk record in a
                                            fresh chunk: must reproduce its bytes)"""
import struct
import sys
import zlib

HDR, CHUNK, CHDR = 4096, 65536, 512
u16 = struct.Struct("<H")
u32 = struct.Struct("<I")
u64 = struct.Struct("<Q")


class BadRecord(Exception):
    pass


# ---- parsing (source chunk -> items with names and templates resolved) --------------
#
# Items: bytes (copied as is), or tuples:
#   ("open", tok, dep, name)   open start element; sizes recomputed on emission
#   ("close", tok)             0x02 close start / 0x03 close empty / 0x04 end element
#   ("named", tok, name)       attribute, entity reference or PI target: token + name
#   ("inst", b1, tid, tkey, values)  template instance; values: (type, bytes | items)
# A name is (utf16 bytes, hash); a template key indexes TEMPLATES: key -> (guid, items).

TEMPLATES = {}


class Src:
    def __init__(self, chunk):
        self.c = chunk

    def name(self, off):
        c = self.c
        if off + 8 > len(c):
            raise BadRecord("name outside chunk")
        h, n = u16.unpack_from(c, off + 4)[0], u16.unpack_from(c, off + 6)[0]
        if off + 8 + 2 * n > len(c):
            raise BadRecord("name past chunk")
        return (bytes(c[off + 8:off + 8 + 2 * n]), h)

    def name_ref(self, pos, end):
        if pos + 4 > end:
            raise BadRecord("short name ref")
        off = u32.unpack_from(self.c, pos)[0]
        pos += 4
        nm = self.name(off)
        if off == pos:
            pos += 8 + 2 * len(nm[0]) // 2 + 2
        return nm, pos

    def template(self, off):
        c = self.c
        if off + 24 > len(c):
            raise BadRecord("template outside chunk")
        guid = bytes(c[off + 4:off + 20])
        size = u32.unpack_from(c, off + 20)[0]
        body = bytes(c[off + 24:off + 24 + size])
        key = (guid, body)
        if key not in TEMPLATES:
            TEMPLATES[key] = None  # guards against a template instancing itself
            items, _ = self.frag(off + 24, off + 24 + size, True)
            TEMPLATES[key] = (guid, items)
        elif TEMPLATES[key] is None:
            raise BadRecord("recursive template")
        return key

    def frag(self, pos, end, in_tmpl):
        """Parses tokens up to and including the end-of-fragment token."""
        c, out, raw = self.c, [], bytearray()

        def flush():
            if raw:
                out.append(bytes(raw))
                raw.clear()

        while pos < end:
            tok = c[pos]
            t = tok & 0xBF
            if tok == 0x00:
                raw.append(0)
                pos += 1
                break
            if t == 0x01:
                flush()
                dep = bytes(c[pos + 1:pos + 3])
                nm, pos = self.name_ref(pos + 7, end)
                if tok & 0x40:
                    pos += 4
                out.append(("open", tok, dep, nm))
            elif t in (0x02, 0x03, 0x04):
                flush()
                out.append(("close", tok))
                pos += 1
            elif t in (0x06, 0x09, 0x0A):
                flush()
                nm, pos = self.name_ref(pos + 1, end)
                out.append(("named", tok, nm))
            elif t == 0x05:
                if c[pos + 1] != 0x01:
                    raise BadRecord("non-string value token")
                n = u16.unpack_from(c, pos + 2)[0]
                raw += c[pos:pos + 4 + 2 * n]
                pos += 4 + 2 * n
            elif t in (0x07, 0x0B):
                n = u16.unpack_from(c, pos + 1)[0]
                raw += c[pos:pos + 3 + 2 * n]
                pos += 3 + 2 * n
            elif t == 0x08:
                raw += c[pos:pos + 3]
                pos += 3
            elif t in (0x0D, 0x0E, 0x0F):
                raw += c[pos:pos + 4]
                pos += 4
            elif t == 0x0C and not in_tmpl:
                flush()
                b1 = c[pos + 1]
                tid = bytes(c[pos + 2:pos + 6])
                d = u32.unpack_from(c, pos + 6)[0]
                pos += 10
                tkey = self.template(d)
                if d == pos:
                    pos += 24 + u32.unpack_from(c, pos + 20)[0]
                n = u32.unpack_from(c, pos)[0]
                desc = c[pos + 4:pos + 4 + 4 * n]
                pos += 4 + 4 * n
                vals = []
                for i in range(n):
                    size, vt = u16.unpack_from(desc, 4 * i)[0], desc[4 * i + 2]
                    v = bytes(c[pos:pos + size])
                    if vt == 0x21 and size:
                        items, vend = self.frag(pos, pos + size, False)
                        if vend < pos + size:
                            items.append(bytes(c[vend:pos + size]))
                        v = items
                    vals.append((vt, v))
                    pos += size
                out.append(("inst", b1, tid, tkey, vals))
            else:
                raise BadRecord("token 0x%02x" % tok)
            if pos > end:
                raise BadRecord("past end")
        flush()
        return out, pos


def records_of(path):
    """(timestamp, items) for every record in the file, in order."""
    data = open(path, "rb").read()
    if data[:8] != b"ElfFile\0":
        return []
    out = []
    for base in range(HDR, len(data) - CHUNK + 1, CHUNK):
        c = data[base:base + CHUNK]
        if c[:8] != b"ElfChnk\0":
            continue
        src, off, end = Src(c), CHDR, u32.unpack_from(c, 48)[0]
        while off + 24 <= end and u32.unpack_from(c, off)[0] == 0x2A2A:
            size = u32.unpack_from(c, off + 4)[0]
            ts = u64.unpack_from(c, off + 16)[0]
            try:
                items, p = src.frag(off + 24, off + size - 4, False)
                if p < off + size - 4:
                    items.append(bytes(c[p:off + size - 4]))
                out.append((ts, items, c[off:off + size]))
            except (BadRecord, IndexError, struct.error) as e:
                sys.stderr.write("gen_evtx: %s: record at 0x%x skipped (%s)\n" % (path, base + off, e))
            off += size
    return out


# ---- emitting (items -> bytes of a new chunk) ---------------------------------------

class Chunk:
    def __init__(self):
        self.b = bytearray(CHDR)
        self.names = {}  # utf16 -> offset of its name structure
        self.tmpls = {}  # template key -> offset of its definition
        self.name_list = []  # (offset, hash) in order of definition
        self.tmpl_list = []  # (offset, template id)

    def name(self, nm):
        b = self.b
        off = self.names.get(nm[0])
        if off is not None:
            b += u32.pack(off)
            return
        off = len(b) + 4
        b += u32.pack(off)
        b += u32.pack(0) + u16.pack(nm[1]) + u16.pack(len(nm[0]) // 2) + nm[0] + b"\0\0"
        self.names[nm[0]] = off
        self.name_list.append((off, nm[1]))

    def items(self, items):
        b, stack = self.b, []
        for it in items:
            if type(it) is bytes:
                b += it
                continue
            k = it[0]
            if k == "open":
                _, tok, dep, nm = it
                b.append(tok)
                b += dep
                size_at = len(b)
                b += b"\0\0\0\0"
                self.name(nm)
                attr_at = None
                if tok & 0x40:
                    attr_at = len(b)
                    b += b"\0\0\0\0"
                stack.append((size_at, attr_at))
            elif k == "close":
                tok = it[1]
                if tok in (0x02, 0x03) and stack and stack[-1][1] is not None:
                    a = stack[-1][1]
                    u32.pack_into(b, a, len(b) - a - 4)
                b.append(tok)
                if tok in (0x03, 0x04) and stack:
                    s = stack.pop()[0]
                    u32.pack_into(b, s, len(b) - s - 4)
            elif k == "named":
                b.append(it[1])
                self.name(it[2])
            else:  # instance
                _, b1, tid, tkey, vals = it
                b.append(0x0C)
                b.append(b1)
                b += tid
                d = self.tmpls.get(tkey)
                if d is None:
                    d = len(b) + 4
                    b += u32.pack(d)
                    guid, body = TEMPLATES[tkey]
                    b += u32.pack(0) + guid + b"\0\0\0\0"
                    self.items(body)
                    u32.pack_into(b, d + 20, len(b) - d - 24)
                    self.tmpls[tkey] = d
                    self.tmpl_list.append((d, u32.unpack(tid)[0]))
                else:
                    b += u32.pack(d)
                b += u32.pack(len(vals))
                desc = len(b)
                b += bytes(4 * len(vals))
                for i, (vt, v) in enumerate(vals):
                    start = len(b)
                    if type(v) is bytes:
                        b += v
                    else:
                        self.items(v)
                    n = len(b) - start
                    if n > 0xFFFF:
                        raise BadRecord("value grew past 64 KiB")
                    u16.pack_into(b, desc + 4 * i, n)
                    b[desc + 4 * i + 2] = vt

    def record(self, rid, ts, items):
        """Appends a record; False (chunk unchanged) when it does not fit."""
        b = self.b
        mark = (len(b), dict(self.names), dict(self.tmpls), len(self.name_list), len(self.tmpl_list))
        start = len(b)
        b += u32.pack(0x2A2A) + b"\0\0\0\0" + u64.pack(rid) + u64.pack(ts)
        self.items(items)
        b += b"\0\0\0\0"
        size = len(b) - start
        if len(b) > CHUNK:
            del b[mark[0]:]
            self.names, self.tmpls = mark[1], mark[2]
            del self.name_list[mark[3]:]
            del self.tmpl_list[mark[4]:]
            return False
        u32.pack_into(b, start + 4, size)
        u32.pack_into(b, len(b) - 4, size)
        self.last = start
        return True

    def finish(self, first_rid, last_rid):
        b = self.b
        free = len(b)
        b += bytes(CHUNK - len(b))
        b[0:8] = b"ElfChnk\0"
        struct.pack_into("<QQQQ", b, 8, first_rid, last_rid, first_rid, last_rid)
        struct.pack_into("<III", b, 40, 128, self.last, free)
        # Hash tables: each bucket heads a chain linked through the structures'
        # next-offset field (names by their hash, templates by their id).
        heads = [0] * 64
        for off, h in self.name_list:
            u32.pack_into(b, off, heads[h % 64])
            heads[h % 64] = off
        struct.pack_into("<64I", b, 128, *heads)
        heads = [0] * 32
        for off, tid in self.tmpl_list:
            u32.pack_into(b, off, heads[tid % 32])
            heads[tid % 32] = off
        struct.pack_into("<32I", b, 384, *heads)
        u32.pack_into(b, 52, zlib.crc32(b[CHDR:free]) & 0xFFFFFFFF)
        u32.pack_into(b, 124, zlib.crc32(b[128:CHDR], zlib.crc32(b[:120])) & 0xFFFFFFFF)
        return bytes(b)


def file_header(nchunks, next_rid):
    h = bytearray(HDR)
    h[0:8] = b"ElfFile\0"
    struct.pack_into("<QQQIHHHH", h, 8, 0, max(nchunks - 1, 0), next_rid, 128, 2, 3, HDR,
                     min(nchunks, 0xFFFF))
    u32.pack_into(h, 124, zlib.crc32(h[:120]) & 0xFFFFFFFF)
    return bytes(h)


def selftest(ins):
    """First-in-chunk records define everything inline: re-emitting one alone in a new
    chunk must give the original bytes (checks the size fix-ups)."""
    ok = bad = 0
    for p in ins:
        for ts, items, orig in records_of(p)[:1]:
            c = Chunk()
            rid = u64.unpack_from(orig, 8)[0]
            c.record(rid, ts, items)
            # The hash-chain links depend on the rest of the source chunk: copy them.
            for off, _ in c.name_list + c.tmpl_list:
                c.b[off:off + 4] = orig[off - CHDR:off - CHDR + 4]
            if bytes(c.b[CHDR:]) == bytes(orig):
                ok += 1
            else:
                bad += 1
                sys.stderr.write("selftest: %s differs\n" % p)
    print("selftest: %d identical, %d different" % (ok, bad))
    return bad == 0


def main():
    if sys.argv[1] == "--selftest":
        sys.exit(0 if selftest(sys.argv[2:]) else 1)
    out, need, ins = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    pool = []
    for p in ins:
        pool.extend(records_of(p))
    if not pool:
        sys.exit("gen_evtx: no records in the inputs")
    rounds = (need + len(pool) - 1) // len(pool)
    chunks, rid, c, first = [], 1, Chunk(), 1
    for _ in range(rounds):
        for ts, items, _orig in pool:
            if not c.record(rid, ts, items):
                chunks.append(c.finish(first, rid - 1))
                c, first = Chunk(), rid
                if not c.record(rid, ts, items):
                    sys.exit("gen_evtx: a record does not fit in an empty chunk")
            rid += 1
    chunks.append(c.finish(first, rid - 1))
    with open(out, "wb") as f:
        f.write(file_header(len(chunks), rid))
        for ch in chunks:
            f.write(ch)
    sys.stderr.write("gen_evtx: %s: %d records (%d sources x %d) in %d chunks\n"
                     % (out, rid - 1, len(pool), rounds, len(chunks)))


if __name__ == "__main__":
    main()
