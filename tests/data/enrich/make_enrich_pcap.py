#!/usr/bin/env python3
"""Writes enrich.pcap: a small capture for the host-enrichment tests (GeoIP, AS, names, MACs).

A local client 192.168.1.10 (MAC of a Cisco OUI) talks to addresses that MaxMind's test
databases place (tests/data/geoip): 81.2.69.142 (GB, London), 89.160.20.112 (SE, Linkoping,
AS 29518), 216.160.83.56 (US, AS 209), 175.16.199.1 (CN), 2001:218::1 (JP), 1.0.0.1
(AS 15169, no location) and 12.81.92.1 (AS 7018, no location). Two DNS exchanges name
addresses: www.example.test -> 81.2.69.142, and a hostile name with markup -> 89.160.20.112
(DNS labels may carry any byte). The router's MAC is in an MA-S block.

Deterministic: run it again and the file is byte-identical.
"""
import struct
import sys

CLIENT_MAC = bytes.fromhex("f4bd9e000001")   # F4:BD:9E Cisco Systems, Inc (MA-L)
ROUTER_MAC = bytes.fromhex("70b3d5f2f001")   # 70:B3:D5:F2:F MA-S block (TELEPLATFORMS)
CLIENT4 = bytes([192, 168, 1, 10])
CLIENT6 = bytes.fromhex("fd000000000000000000000000000010")
DNS_SERVER = bytes([192, 168, 1, 1])


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, proto, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), proto, 64, src, dst) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload


def ether(src, dst, ethertype, payload):
    return dst + src + struct.pack("!H", ethertype) + payload


def dns_name(name):
    out = b""
    for label in name.split(b"."):
        out += bytes([len(label)]) + label
    return out + b"\0"


def dns(query_id, name, answer=None):
    flags = 0x8180 if answer else 0x0100
    msg = struct.pack("!HHHHHH", query_id, flags, 1, 1 if answer else 0, 0, 0)
    msg += dns_name(name) + struct.pack("!HH", 1, 1)
    if answer:
        msg += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + answer
    return msg


class Writer:
    def __init__(self):
        self.out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
        self.t = 1700000000.0

    def frame(self, data, gap=0.01):
        self.t += gap
        sec = int(self.t)
        usec = int(round((self.t - sec) * 1e6))
        self.out += struct.pack("<IIII", sec, usec, len(data), len(data)) + data


def main(path):
    w = Writer()
    c4 = lambda dst, proto, payload: ether(CLIENT_MAC, ROUTER_MAC, 0x0800, ipv4(CLIENT4, dst, proto, payload))
    s4 = lambda src, proto, payload: ether(ROUTER_MAC, CLIENT_MAC, 0x0800, ipv4(src, CLIENT4, proto, payload))
    # DNS: names for two of the addresses, learned from the answers.
    for qid, name, addr in [(0x1001, b"www.example.test", bytes([81, 2, 69, 142])),
                            (0x1002, b"<b>x</b>.example.test", bytes([89, 160, 20, 112]))]:
        w.frame(c4(DNS_SERVER, 17, udp(40000 + qid % 100, 53, dns(qid, name))))
        w.frame(ether(ROUTER_MAC, CLIENT_MAC, 0x0800,
                      ipv4(DNS_SERVER, CLIENT4, 17, udp(53, 40000 + qid % 100, dns(qid, name, addr)))))
    # TCP exchanges with hosts the test databases know; more bytes to the first ones.
    targets = [(bytes([81, 2, 69, 142]), 6), (bytes([89, 160, 20, 112]), 5),
               (bytes([216, 160, 83, 56]), 4), (bytes([1, 0, 0, 1]), 3),
               (bytes([12, 81, 92, 1]), 2), (bytes([175, 16, 199, 1]), 1)]
    for n, (dst, rounds) in enumerate(targets):
        sport = 50000 + n
        w.frame(c4(dst, 6, tcp(sport, 443, 1000, 0, 0x02)))
        w.frame(s4(dst, 6, tcp(443, sport, 5000, 1001, 0x12)))
        w.frame(c4(dst, 6, tcp(sport, 443, 1001, 5001, 0x10)))
        for r in range(rounds):
            w.frame(c4(dst, 6, tcp(sport, 443, 1001 + r * 100, 5001, 0x18, b"q" * 100)))
            w.frame(s4(dst, 6, tcp(443, sport, 5001 + r * 1000, 1101 + r * 100, 0x18, b"a" * 1000)))
    # IPv6: a host of the City test database (2001:218::/32 is JP there).
    dst6 = bytes.fromhex("20010218000000000000000000000001")
    frame6 = ether(CLIENT_MAC, ROUTER_MAC, 0x86DD, ipv6(CLIENT6, dst6, 17, udp(50100, 123, b"\x1b" + b"\0" * 47)))
    w.frame(frame6)
    with open(path, "wb") as f:
        f.write(w.out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "enrich.pcap")
