#!/usr/bin/env python3
"""Builds the packet benchmark's capture: a classic pcap of >= 1,000,000 packets and >= 80,000
flows made of real traffic from tests/data/pcap.

    bench/make_bench_pcap.py OUT.pcap [--min-packets N] [--min-flows N] [--pps N] [--pcap-dir DIR]

One "round" is the SOURCES below (Ethernet captures of real applications, chosen for many flows
and varied protocols), one after the other. The output is that round written again and again
until both minimums are met. Each copy after the first rewrites every unicast IPv4/IPv6 address
with one mapping per copy, so a copy makes new flows whose two directions still match. The
mapping keeps each address's ones'-complement sum (it adds k to one 16-bit word and subtracts k
from another), so the IPv4 header checksum and the TCP/UDP/ICMPv6 checksums, whose pseudo-header
holds the addresses, stay valid without being recomputed. A copy's key k is the first one whose
addresses are all new and still unicast, so no two copies share an address and the printed flow
count is exact for 5-tuple flows (ndpiReader, whose keys differ slightly, is within 0.1% of it).
Multicast, broadcast, 0/8, 127/8, ::, ::1 are not rewritten; flows between two such addresses
are counted once. Headers inside tunnels are not rewritten (the sources have none), nor are
addresses in payloads (ARP, DNS answers).

Timestamps: within each source the gaps between packets keep their order and their relative
size (negative ones become 0, gaps over 1 s -- some sources jump by years -- become 1 s); the
whole output is then laid out at --pps packets per second on average from 2024-01-01T00:00:00Z,
in order. At the default 50,000 pps a million packets span 20 s, less than ntopng's flow idle
timeout: a monitor still holds every flow at the end of the file, and its peak memory measures
a table of all of them.

Standard-library Python only. The output depends only on the sources and the options: the same
inputs give the same bytes. Prints one line: packets, flows, bytes (sum of frame lengths), file
size, copies, duration.
"""
import argparse
import math
import os
import struct
import sys

# The round, in order. All classic pcap, linktype 1 (Ethernet), no tunnels.
SOURCES = [
    "synscan.pcap",                   # port scan: ~2,000 one- or two-packet TCP flows
    "WebattackRCE.pcap",              # HTTP attack requests, one flow each
    "1kxun.pcap",                     # HTTP video, LLMNR, SSDP, NetBIOS, DHCP, IPv6 multicast
    "teams.pcap",                     # Microsoft Teams: TLS, STUN, Skype
    "netflix.pcap",                   # Netflix: TLS and HTTP, large downloads
    "reddit.pcap",                    # IPv6 TLS
    "whatsapp.pcap",
    "iphone.pcap",                    # a phone's background traffic: DNS, MDNS, TLS, ...
    "webex.pcap",
    "instagram.pcap",
    "anyconnect-vpn.pcap",
    "tls_certificate_too_long.pcap",
    "quic.pcap",
    "bittorrent.pcap",
    "wa_voice.pcap",                  # WhatsApp voice: RTP/STUN over UDP
    "kerberos.pcap",
    "dns_fragmented.pcap",            # IPv4 fragments, IPv6 DNS
    "syslog.pcap",
    "tor.pcap",
    "bitcoin.pcap",
    "coap_mqtt.pcap",
    "sip.pcap",
    "ftp.pcap",
    "smtp.pcap",
    "ipsec_isakmp_esp.pcap",
]

START_US = 1704067200 * 1000000  # 2024-01-01T00:00:00Z
MAX_GAP_US = 1000000             # gaps longer than this inside a source are cut to it
LINKTYPE_ETHERNET = 1
ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
ETH_VLANS = (0x8100, 0x88A8, 0x9100)
ETH_PPPOE_SESSION, ETH_MPLS = 0x8864, 0x8847
IPV6_EXTENSIONS = (0, 43, 60)    # hop-by-hop, routing, destination options (fragment: 44)
PORTED_PROTOCOLS = (6, 17, 132)  # TCP, UDP, SCTP


class Packet:
    __slots__ = ("ts_us", "orig_len", "data", "addr_offsets", "flow")

    def __init__(self, ts_us, orig_len, data):
        self.ts_us, self.orig_len, self.data = ts_us, orig_len, data
        self.addr_offsets = ()  # (offset, length) of the outer source and destination address
        self.flow = None        # (vlan, proto, (addr, port), (addr, port)), endpoints sorted


def read_classic_pcap(path):
    """Returns the packets of a classic (micro- or nanosecond) pcap with linktype Ethernet."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit(f"{path}: too short for a pcap file")
    formats = {b"\xd4\xc3\xb2\xa1": ("<", 1), b"\xa1\xb2\xc3\xd4": (">", 1),
               b"\x4d\x3c\xb2\xa1": ("<", 1000), b"\xa1\xb2\x3c\x4d": (">", 1000)}
    if data[:4] not in formats:
        raise SystemExit(f"{path}: not a classic pcap (pcapng is not supported here)")
    endian, frac_per_us = formats[data[:4]]
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    if linktype != LINKTYPE_ETHERNET:
        raise SystemExit(f"{path}: linktype {linktype}, not Ethernet")
    record = struct.Struct(endian + "IIII")
    packets, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = record.unpack_from(data, off)
        off += 16
        if off + incl > len(data):
            break  # a truncated last record, as libpcap would stop there
        packets.append(Packet(sec * 1000000 + frac // frac_per_us, orig, data[off:off + incl]))
        off += incl
    return packets


def dissect(p):
    """Finds the outer IP addresses and the flow key of packet p (which stays unchanged)."""
    b, n = p.data, len(p.data)
    if n < 14:
        return
    ethertype, off, vlan = (b[12] << 8) | b[13], 14, 0
    while ethertype in ETH_VLANS and off + 4 <= n:
        vlan = ((b[off] << 8) | b[off + 1]) & 0x0FFF
        ethertype, off = (b[off + 2] << 8) | b[off + 3], off + 4
    if ethertype == ETH_PPPOE_SESSION and off + 8 <= n:
        ppp = (b[off + 6] << 8) | b[off + 7]
        ethertype, off = {0x0021: ETH_IPV4, 0x0057: ETH_IPV6}.get(ppp, 0), off + 8
    if ethertype == ETH_MPLS:
        while off + 4 <= n:
            bottom, off = b[off + 2] & 1, off + 4
            if bottom:
                break
        ethertype = {4: ETH_IPV4, 6: ETH_IPV6}.get(b[off] >> 4 if off < n else 0, 0)
    if ethertype == ETH_IPV4 and off + 20 <= n and b[off] >> 4 == 4:
        header_len, proto = (b[off] & 0x0F) * 4, b[off + 9]
        p.addr_offsets = ((off + 12, 4), (off + 16, 4))
        first_fragment = ((b[off + 6] & 0x1F) << 8 | b[off + 7]) == 0
        l4 = off + header_len if first_fragment else None
        src, dst = bytes(b[off + 12:off + 16]), bytes(b[off + 16:off + 20])
    elif ethertype == ETH_IPV6 and off + 40 <= n and b[off] >> 4 == 6:
        p.addr_offsets = ((off + 8, 16), (off + 24, 16))
        src, dst = bytes(b[off + 8:off + 24]), bytes(b[off + 24:off + 40])
        proto, l4 = b[off + 6], off + 40
        while l4 is not None and l4 + 8 <= n and proto in IPV6_EXTENSIONS + (44,):
            if proto == 44:  # fragment header: only the first fragment carries the ports
                first_fragment = (((b[l4 + 2] << 8) | b[l4 + 3]) & 0xFFF8) == 0
                proto, l4 = b[l4], (l4 + 8 if first_fragment else None)
            else:
                proto, l4 = b[l4], l4 + (b[l4 + 1] + 1) * 8
    else:
        return
    if l4 is None:
        return  # a later fragment belongs to the flow its first fragment opened
    sport = dport = 0
    if proto in PORTED_PROTOCOLS and l4 + 4 <= n:
        sport, dport = (b[l4] << 8) | b[l4 + 1], (b[l4 + 2] << 8) | b[l4 + 3]
    a, z = (src, sport), (dst, dport)
    p.flow = (vlan, proto) + ((a, z) if a <= z else (z, a))


def is_fixed(addr):
    """Addresses never rewritten: not unicast, or not routable."""
    if len(addr) == 4:
        return addr[0] in (0, 127) or addr[0] >= 224
    return addr[0] == 0xFF or addr[:15] == bytes(15)  # multicast, ::, ::1


def ones_add(word, k):
    """word + k in ones'-complement 16-bit arithmetic (k may be negative)."""
    s = word + (k % 0xFFFF)
    return (s & 0xFFFF) + (s >> 16)


def shift(addr, k):
    """Adds k to one 16-bit word of addr and k's opposite to the next: same ones'-complement
    sum, so every checksum over the address is unchanged. IPv4: words 0 and 1; IPv6: 6 and 7."""
    i = 0 if len(addr) == 4 else 12
    hi = ones_add((addr[i] << 8) | addr[i + 1], k)
    lo = ones_add((addr[i + 2] << 8) | addr[i + 3], -k)
    return addr[:i] + bytes((hi >> 8, hi & 0xFF, lo >> 8, lo & 0xFF)) + addr[i + 4:]


def copy_mappings(addresses, copies):
    """One {address: new address} per copy: copy 0 is the original; each later copy uses the
    smallest key k (above the previous one) that maps every address to a new unicast address."""
    used = set(addresses)
    mappings, k = [{}], 0
    while len(mappings) < copies:
        k += 1
        mapping = {a: shift(a, k) for a in addresses}
        images = set(mapping.values())
        if len(images) == len(mapping) and not images & used and \
                not any(is_fixed(a) for a in images):
            mappings.append(mapping)
            used |= images
    return mappings


def load_round(pcap_dir):
    """The packets of one round with round-relative timestamps (gaps kept, capped per source)."""
    packets, t = [], 0
    for name in SOURCES:
        source = read_classic_pcap(os.path.join(pcap_dir, name))
        if packets:
            t += MAX_GAP_US  # a pause between two sources
        prev = source[0].ts_us if source else 0
        for p in source:
            t += min(max(p.ts_us - prev, 0), MAX_GAP_US)
            prev, p.ts_us = p.ts_us, t
            dissect(p)
            packets.append(p)
    return packets


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="the pcap file to write")
    ap.add_argument("--min-packets", type=int, default=1000000)
    ap.add_argument("--min-flows", type=int, default=80000)
    ap.add_argument("--pps", type=int, default=50000, help="average packet rate of the output")
    ap.add_argument("--pcap-dir", default=os.path.join(here, "..", "tests", "data", "pcap"))
    args = ap.parse_args()

    packets = load_round(args.pcap_dir)
    round_flows = {p.flow for p in packets if p.flow}
    fixed_flows = {f for f in round_flows if is_fixed(f[2][0]) and is_fixed(f[3][0])}
    new_flows_per_copy = len(round_flows) - len(fixed_flows)
    copies = max(math.ceil(args.min_packets / len(packets)),
                 math.ceil(max(args.min_flows - len(fixed_flows), 0) / max(new_flows_per_copy, 1)),
                 1)
    addresses = sorted({bytes(p.data[o:o + n]) for p in packets for o, n in p.addr_offsets})
    addresses = [a for a in addresses if not is_fixed(a)]
    mappings = copy_mappings(addresses, copies)

    # Timestamps: the round's raw span, rescaled so the output runs at --pps on average.
    total = copies * len(packets)
    span_us = max(1, total * 1000000 // args.pps)
    raw_round_us = packets[-1].ts_us + MAX_GAP_US  # a pause before the next copy too
    header = struct.Struct("<IIII")
    wire_bytes = 0
    tmp = args.out + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(tmp, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_ETHERNET))
        last_us = START_US
        for c, mapping in enumerate(mappings):
            out = []
            for p in packets:
                raw_us = c * raw_round_us + p.ts_us
                ts = max(START_US + raw_us * span_us // (copies * raw_round_us), last_us)
                last_us = ts
                data = p.data
                if c and p.addr_offsets:
                    b = bytearray(data)
                    for o, n in p.addr_offsets:
                        new = mapping.get(bytes(b[o:o + n]))
                        if new is not None:
                            b[o:o + n] = new
                    data = bytes(b)
                out.append(header.pack(ts // 1000000, ts % 1000000, len(data), p.orig_len))
                out.append(data)
                wire_bytes += p.orig_len
            f.write(b"".join(out))
    os.replace(tmp, args.out)
    flows = copies * new_flows_per_copy + len(fixed_flows)
    print(f"packets={total} flows={flows} bytes={wire_bytes} file_bytes={os.path.getsize(args.out)}"
          f" copies={copies} sources={len(SOURCES)} duration_s={span_us / 1e6:.1f} out={args.out}")


if __name__ == "__main__":
    sys.exit(main())
