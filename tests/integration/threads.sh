#!/bin/sh
# hunt --threads N gives byte for byte the output of --threads 1: alerts, their order,
# correlation alerts and the table/summary views, on the bundled sample (wardwatch's
# pack with its correlations) and on every regression sample (EVTX and JSON) with the
# full SigmaHQ ruleset.  Small batches and many files exercise batch and file
# boundaries; EVTX exercises events that outlive the decoder's per-chunk caches.
# Streamed input (pipes, gzip) over many windows gives the same alerts too.  EVTX
# files, decoded in chunk ranges by the workers, give the same output and diagnostics,
# damaged or not (see the EVTX section at the end).
set -u
BIN=${WW_BIN:?}
SRC=${WW_SRC:?}
SHARED=${WW_SHARED:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
# The summary and table footers print the elapsed time: drop those lines.
untimed() { grep -v -E '[0-9]+\.[0-9]+ s$' "$1" >"$1.untimed"; }

cd "$SRC/tests/data" || exit 1
for fmt in ndjson table summary; do
    for n in 1 2 4; do
        "$BIN" hunt --threads $n --format $fmt sample >"$T/s$n.$fmt" 2>"$T/e$n"
        echo $? >"$T/rc$n"
    done
    untimed "$T/s1.$fmt"
    for n in 2 4; do
        untimed "$T/s$n.$fmt"
        cmp -s "$T/s1.$fmt.untimed" "$T/s$n.$fmt.untimed"
        check "sample, $fmt: --threads $n output equals --threads 1" $?
        cmp -s "$T/rc1" "$T/rc$n"
        check "sample, $fmt: --threads $n exit status equals --threads 1" $?
    done
done
grep -q '"correlation"' "$T/s4.ndjson"
check "sample: correlation alerts are raised with --threads 4" $?

"$BIN" hunt --threads 0 sample >/dev/null 2>"$T/err"
check "--threads 0 is refused (exit 2)" $(( $? != 2 ))
grep -q "threads" "$T/err"
check "--threads 0 says why" $?

REG="$SHARED/sigma/regression"
if [ -n "$SHARED" ] && [ -d "$REG" ]; then
    RULES="--no-default-rules --rules $SHARED/sigma/rules --rules $SHARED/sigma/rules-emerging-threats --rules $SHARED/sigma/rules-threat-hunting"
    for n in 1 4; do
        # shellcheck disable=SC2086
        "$BIN" hunt --threads $n --format ndjson $RULES "$REG" >"$T/r$n" 2>/dev/null
    done
    test -s "$T/r1"
    check "regression samples raise alerts" $?
    cmp -s "$T/r1" "$T/r4"
    check "regression samples (EVTX+JSON, full SigmaHQ): --threads 4 equals --threads 1" $?
else
    echo "skip regression samples: no ../shared"
fi
# Streamed input over many windows (about 8 MiB each): a pipe and a gzip file give
# the alerts of the plain file with 1, 2 and 4 threads, also with malformed lines that
# send a window's ranges back to sequential decoding, and record numbers and lines
# run on across windows.
strip_path() { sed 's/"path":"[^"]*"/"path":"-"/g' "$1"; }
i=0
while [ $i -lt 40 ]; do
    cat sample/psh_lsass_memory_dump_comsvcs.json
    [ $i = 37 ] && echo '{"EventID": 4688, "broken'
    i=$((i + 1))
done >"$T/big.json"
cp sample/auth.log "$T/big.log"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do # 4096 copies, 10 MB
    cat "$T/big.log" "$T/big.log" >"$T/big2.log" && mv "$T/big2.log" "$T/big.log"
done
echo 'Nov 23 14:09:00 pacs-gw01 sshd[1]: a line' >>"$T/big.log"
for f in big.json big.log; do
    "$BIN" hunt --threads 1 --format ndjson "$T/$f" >"$T/$f.file" 2>"$T/$f.err"
    rc1=$?
    strip_path "$T/$f.file" >"$T/$f.want"
    gzip -c "$T/$f" >"$T/$f.gz"
    for n in 1 2 4; do
        cat "$T/$f" | "$BIN" hunt --threads $n --format ndjson - >"$T/$f.s$n" 2>"$T/$f.serr$n"
        rc=$?
        strip_path "$T/$f.s$n" | cmp -s - "$T/$f.want" && [ $rc = $rc1 ]
        check "$f from a pipe, --threads $n: the file's alerts" $?
        [ $n = 2 ] && continue
        "$BIN" hunt --threads $n --format ndjson "$T/$f.gz" >"$T/$f.g$n" 2>/dev/null
        strip_path "$T/$f.g$n" | cmp -s - "$T/$f.want"
        check "$f.gz, --threads $n: the file's alerts" $?
    done
    sed "s|$T/$f|X|" "$T/$f.err" >"$T/$f.err.x"
    sed "s|<stdin>|X|" "$T/$f.serr4" | cmp -s - "$T/$f.err.x"
    check "$f from a pipe, --threads 4: the file's diagnostics" $?
done
grep -q "big.json:$((37 * 184 + 185)):" "$T/big.json.err"
check "the malformed line is reported with its line in the whole file" $?

# EVTX is decoded in ranges of whole chunks on the workers.  A generated file of 140
# chunks of small records (over 400 a chunk, more than a batch of 128), one with a
# checksum-damaged chunk, a chunk without signature, a record with a broken size and a
# cut end (which send the rest back to one reader), gives with --threads 1, 2 and 4
# the same alerts, diagnostics and exit status, from the file, a pipe and gzip
# (windows of about 8 MiB, each cut into chunk ranges); so does every EVTX file of the
# fuzz corpus, and with ../shared a many-chunk file packed from the regression
# samples' real records (bench/gen_evtx.py).
cat >"$T/tiny_evtx.py" <<'PY'
# tiny_evtx.py OUT NCHUNKS [DAMAGE]: chunks of small Sysmon process-creation records
# (every 37th dumps lsass through comsvcs.dll), one template per chunk defined in its
# first record, names that differ from chunk to chunk.
import struct, sys, zlib
def u16(v): return struct.pack('<H', v)
def u32(v): return struct.pack('<I', v)
def u64(v): return struct.pack('<Q', v)
def w16(s): return s.encode('utf-16-le')

class B:
    def __init__(s, base): s.b = bytearray(); s.base = base  # base: chunk offset of b[0]
    def pos(s): return s.base + len(s.b)
    def name(s, n):
        s.b += u32(s.pos() + 4) + u32(0) + u16(0) + u16(len(n)) + w16(n) + u16(0)
    def el(s, n, attrs=False):
        s.b += bytes([0x41 if attrs else 0x01]) + u16(0xffff) + u32(0); s.name(n)
        if attrs: s.b += u32(0)
    def attr(s, n): s.b += b'\x06'; s.name(n)
    def text(s, t): s.b += b'\x05\x01' + u16(len(t)) + w16(t)
    def sub(s, i, t): s.b += b'\x0d' + u16(i) + bytes([t])
    def cs(s): s.b += b'\x02'
    def end(s): s.b += b'\x04'

def template(b, k):
    b.b += b'\x0f\x01\x01\x00'
    b.el('Event'); b.cs()
    b.el('System'); b.cs()
    b.el('Provider', True); b.attr('Name'); b.text('Microsoft-Windows-Sysmon'); b.b += b'\x03'
    b.el('EventID'); b.cs(); b.sub(0, 0x06); b.end()
    b.el('EventRecordID'); b.cs(); b.sub(1, 0x0a); b.end()
    b.el('Channel'); b.cs(); b.text('Microsoft-Windows-Sysmon/Operational'); b.end()
    b.el('Computer'); b.cs(); b.text('ws-%d' % k); b.end()
    b.end()
    b.el('EventData'); b.cs()
    for nm, i in (('Image', 2), ('CommandLine', 3)):
        b.el('Data', True); b.attr('Name'); b.text(nm); b.cs(); b.sub(i, 0x01); b.end()
    b.el('Data', True); b.attr('Name'); b.text('Tag%d' % k); b.cs(); b.text('chunk %d' % k); b.end()
    b.end()
    b.end()
    b.b += b'\x00'

def chunk(k, first_id, nmax, offs):
    """Chunk k: as many small records as fit, all of one template defined inline in
    the first; every 37th record's command line dumps lsass through comsvcs.dll."""
    c = bytearray(512)
    off, rid, tdef = 512, first_id, None
    while True:
        b = B(off + 24)
        b.b += b'\x0f\x01\x01\x00\x0c\x01' + u32(7)
        if tdef is None:
            tdef = b.pos() + 4
            b.b += u32(tdef) + u32(0) + bytes(range(16))
            at = len(b.b); b.b += u32(0)
            template(b, k)
            b.b[at:at + 4] = u32(len(b.b) - at - 4)
        else:
            b.b += u32(tdef)
        img = 'C:\\Windows\\System32\\rundll32.exe' if rid % 37 == 0 else 'C:\\Windows\\cmd.exe'
        cmd = ('rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump 624 C:\\temp\\out.dmp full'
               if rid % 37 == 0 else 'cmd /c ver %d' % rid)
        vals = [u16(1), u64(rid), w16(img), w16(cmd)]
        types = [0x06, 0x0a, 0x01, 0x01]
        b.b += u32(len(vals))
        for v, t in zip(vals, types): b.b += u16(len(v)) + bytes([t, 0])
        for v in vals: b.b += v
        b.b += b'\x00'
        body = bytes(b.b)
        size = 24 + len(body) + 4
        pad = (-size) % 8
        size += pad
        rec = u32(0x2a2a) + u32(size) + u64(rid) + u64(133500000000000000 + rid * 10000000) + body + bytes(pad) + u32(size)
        if off + len(rec) > 65536 or rid - first_id >= nmax: break
        last = off
        offs.append(off)
        c += rec; off += len(rec); rid += 1
    c += bytes(65536 - len(c))
    c[0:8] = b'ElfChnk\0'
    c[8:16] = u64(first_id); c[16:24] = u64(rid - 1); c[24:32] = u64(first_id); c[32:40] = u64(rid - 1)
    c[40:44] = u32(128); c[44:48] = u32(last); c[48:52] = u32(off)
    c[52:56] = u32(zlib.crc32(bytes(c[512:off])))
    c[124:128] = u32(zlib.crc32(bytes(c[:120]) + bytes(c[128:512])))
    return c, rid

def main():
    out, nchunks = sys.argv[1], int(sys.argv[2])
    # Damage: "K" flips a byte in chunk K's first record (its records checksum fails),
    # "Kg" overwrites chunk K's signature (the chunk is skipped), "Ks" breaks the
    # trailing size of chunk K's fifth record (that record is skipped).
    damage = dict((int(x.rstrip('gs')), x[-1] if x[-1] in 'gs' else '')
                  for x in sys.argv[3].split(',')) if len(sys.argv) > 3 and sys.argv[3] else {}
    h = bytearray(4096)
    h[0:8] = b'ElfFile\0'
    chunks, rid = [], 1
    for k in range(nchunks):
        offs = []
        c, rid = chunk(k, rid, 10**9, offs)
        kind = damage.get(k)
        if kind == '':
            c[700] ^= 0x5a
        elif kind == 'g':
            c[0:8] = b'NotChnk\0'
        elif kind == 's':
            c[offs[5] - 4:offs[5]] = u32(3)
        chunks.append(c)
    h[8:16] = u64(0); h[16:24] = u64(nchunks - 1); h[24:32] = u64(rid)
    h[32:36] = u32(128); h[36:38] = u16(1); h[38:40] = u16(3); h[40:42] = u16(4096); h[42:44] = u16(min(nchunks, 0xffff))
    h[124:128] = u32(zlib.crc32(bytes(h[:120])))
    with open(out, 'wb') as f:
        f.write(h)
        for c in chunks: f.write(c)

main()
PY
python3 "$T/tiny_evtx.py" "$T/clean.evtx" 140
python3 "$T/tiny_evtx.py" "$T/damaged.evtx" 140 "3,40s,70g,135"
head -c $((4096 + 139 * 65536 + 30000)) "$T/damaged.evtx" >"$T/cut.evtx"
for f in clean damaged cut; do
    "$BIN" hunt --threads 1 --format ndjson "$T/$f.evtx" >"$T/$f.1" 2>"$T/$f.e1"
    echo $? >"$T/$f.rc1"
    strip_path "$T/$f.1" >"$T/$f.want"
    sed "s|$T/$f.evtx|X|" "$T/$f.e1" >"$T/$f.ex"
    for n in 2 4; do
        "$BIN" hunt --threads $n --format ndjson "$T/$f.evtx" >"$T/$f.$n" 2>"$T/$f.e$n"
        echo $? >"$T/$f.rc$n"
        cmp -s "$T/$f.1" "$T/$f.$n" && cmp -s "$T/$f.e1" "$T/$f.e$n" && cmp -s "$T/$f.rc1" "$T/$f.rc$n"
        check "EVTX $f.evtx, --threads $n: alerts, diagnostics and exit status of --threads 1" $?
    done
done
test "$(wc -l <"$T/clean.1")" -gt 100
check "EVTX clean.evtx raises its alerts" $?
grep -q "chunk 3 (offset 0x31000): event records checksum mismatch" "$T/damaged.e1" &&
    grep -q "chunk 70 (offset 0x461000): no \"ElfChnk\" signature" "$T/damaged.e1" &&
    grep -q "chunk 40, record .*does not match its trailing copy" "$T/damaged.e1" &&
    grep -q "6 malformed records skipped in all" "$T/cut.e1" &&
    "$BIN" decode --count "$T/cut.evtx" 2>&1 | grep -q "file ends inside chunk 139 at offset 0x8b8530"
check "EVTX damage is reported by chunk" $?
# A pipe names its input "<stdin>" in diagnostics and "-" in the count at the end.
from_pipe() { sed -e "s|<stdin>|X|" -e "s|^wardwatch: -:|wardwatch: X:|" "$1"; }
for n in 1 2 4; do
    cat "$T/cut.evtx" | "$BIN" hunt --threads $n --format ndjson - >"$T/cut.p$n" 2>"$T/cut.pe$n"
    echo $? | cmp -s - "$T/cut.rc1" && strip_path "$T/cut.p$n" | cmp -s - "$T/cut.want" &&
        from_pipe "$T/cut.pe$n" | cmp -s - "$T/cut.ex"
    check "EVTX cut.evtx from a pipe, --threads $n: the file's alerts and diagnostics" $?
done
gzip -c "$T/damaged.evtx" >"$T/damaged.evtx.gz"
for n in 1 4; do
    "$BIN" hunt --threads $n --format ndjson "$T/damaged.evtx.gz" >"$T/damaged.g$n" 2>"$T/damaged.ge$n"
    strip_path "$T/damaged.g$n" | cmp -s - "$T/damaged.want" &&
        sed "s|$T/damaged.evtx.gz|X|" "$T/damaged.ge$n" | cmp -s - "$T/damaged.ex"
    check "EVTX damaged.evtx.gz, --threads $n: the file's alerts and diagnostics" $?
done
for n in 1 4; do
    "$BIN" hunt --threads $n --format summary "$T/damaged.evtx" >"$T/d$n.summary" 2>/dev/null
    untimed "$T/d$n.summary"
done
cmp -s "$T/d1.summary.untimed" "$T/d4.summary.untimed"
check "EVTX damaged.evtx, summary: --threads 4 output equals --threads 1" $?
for f in "$SRC"/tests/fuzz/corpus/fuzz_evtx/*.evtx; do
    for n in 1 4; do
        "$BIN" hunt --threads $n --no-sigmahq --format ndjson "$f" >"$T/z$n" 2>"$T/ze$n"
        echo $? >>"$T/z$n"
    done
    cmp -s "$T/z1" "$T/z4" && cmp -s "$T/ze1" "$T/ze4"
    check "EVTX corpus $(basename "$f"), --threads 4: output and diagnostics of --threads 1" $?
done
if [ -n "$SHARED" ] && [ -d "$REG" ]; then
    find "$REG" -name '*.evtx' | LC_ALL=C sort >"$T/evtx.list"
    # shellcheck disable=SC2046
    python3 "$SRC/bench/gen_evtx.py" "$T/real.evtx" 4000 $(cat "$T/evtx.list") >/dev/null
    for n in 1 2 4; do
        # shellcheck disable=SC2086
        "$BIN" hunt --threads $n --format ndjson $RULES "$T/real.evtx" >"$T/real.$n" 2>/dev/null
    done
    test -s "$T/real.1" && cmp -s "$T/real.1" "$T/real.2" && cmp -s "$T/real.1" "$T/real.4"
    check "EVTX packed from the regression samples (full SigmaHQ): --threads 2 and 4 equal --threads 1" $?
fi

[ "$fails" = 0 ] || exit 1
exit 0
