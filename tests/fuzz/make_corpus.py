#!/usr/bin/env python3
"""Seed corpus for the decoder fuzzer (tests/fuzz/decoder_fuzz.cc), from the test captures.

    tests/fuzz/make_corpus.py PCAP_DIR OUT_DIR [--per-file N]

Takes up to N frames (default 4) from every capture of a link type the decoder supports,
spread over the file, and writes each as one seed: a selector byte naming the link type as the
fuzzer numbers them, then the frame. Classic pcap (either byte order, micro- or nanosecond) and
pcapng (enhanced and simple packet blocks). Seeds are named by their SHA-1, as libFuzzer names
its own; the same captures give the same corpus. Standard-library Python only.
"""
import argparse
import hashlib
import os
import struct
import sys

# pcap LINKTYPE -> the fuzzer's selector (index into kLinks in decoder_fuzz.cc).
SELECTORS = {1: 0, 0: 1, 108: 2, 101: 3, 12: 3, 14: 3, 9: 4, 104: 5, 113: 6, 276: 7}
MAX_FRAME = 4095  # the fuzzer runs with -max_len=4096, selector byte included


def classic_frames(data):
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        return None, []
    if len(data) < 24:
        return None, []
    linktype = struct.unpack(order + "I", data[20:24])[0] & 0x0FFFFFFF
    frames, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(order + "I", data[off + 8:off + 12])[0]
        if off + 16 + caplen > len(data):
            break
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return linktype, frames


def pcapng_frames(data):
    if data[:4] != b"\x0a\x0d\x0d\x0a" or len(data) < 12:
        return None, []
    order = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    linktypes, frames, off = [], [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack(order + "II", data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 0x00000001 and len(body) >= 2:  # interface description
            linktypes.append(struct.unpack(order + "H", body[:2])[0])
        elif btype == 0x00000006 and len(body) >= 20:  # enhanced packet
            iface, _, _, caplen = struct.unpack(order + "IIII", body[:16])
            if iface == 0:
                frames.append(body[20:20 + caplen])
        elif btype == 0x00000003 and len(body) >= 4:  # simple packet
            frames.append(body[4:])
        off += blen
    return (linktypes[0] if linktypes else None), frames


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pcap_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--per-file", type=int, default=4)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    seeds = {}
    for name in sorted(os.listdir(args.pcap_dir)):
        if not name.endswith((".pcap", ".pcapng", ".cap")):
            continue
        with open(os.path.join(args.pcap_dir, name), "rb") as f:
            data = f.read()
        linktype, frames = classic_frames(data)
        if linktype is None:
            linktype, frames = pcapng_frames(data)
        if linktype not in SELECTORS or not frames:
            continue
        frames = [fr for fr in frames if 0 < len(fr) <= MAX_FRAME]
        n = min(args.per_file, len(frames))
        for i in range(n):
            frame = frames[i * len(frames) // n]
            seed = bytes([SELECTORS[linktype]]) + frame
            seeds[hashlib.sha1(seed).hexdigest()] = seed
    # Link types no capture here uses: the IP packets of a few Ethernet frames, re-framed.
    ip_packets = [seed[15:] for seed in seeds.values()
                  if seed[0] == 0 and seed[13:15] in (b"\x08\x00", b"\x86\xdd")][:3]
    for ip in ip_packets:
        v6 = ip[0] >> 4 == 6
        ethertype = b"\x86\xdd" if v6 else b"\x08\x00"
        for seed in (bytes([2]) + struct.pack(">I", 30 if v6 else 2) + ip,        # DLT_LOOP
                     bytes([7]) + ethertype + b"\x00" * 6 + b"\x00\x01\x04\x06" +
                     b"\x02\x00\x00\x00\x00\x0a\x00\x00" + ip,                      # SLL2
                     bytes([4]) + b"\xff\x03" + (b"\x00\x57" if v6 else b"\x00\x21") + ip,  # PPP
                     bytes([5]) + b"\x0f\x00" + ethertype + ip):                   # C-HDLC
            seeds[hashlib.sha1(seed).hexdigest()] = seed
    for digest, seed in seeds.items():
        with open(os.path.join(args.out_dir, digest), "wb") as f:
            f.write(seed)
    print(f"make_corpus: {len(seeds)} seeds in {args.out_dir}")
    return 0 if seeds else 1


if __name__ == "__main__":
    sys.exit(main())
