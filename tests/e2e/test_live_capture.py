"""Live capture: flowlens counts every packet replayed into a veth pair.

Each test makes a network namespace and a veth pair whose one end lives in the namespace. The
capture tests/data/pcap/tls_certificate_too_long.pcap (315 Ethernet frames, IPv4 and IPv6, none
over 1514 bytes) is replayed with tcpreplay into the namespace's end and arrives on the host's
end, where flowlens captures (-i). IPv6 is disabled on both ends before they come up and neither
has an IPv4 address, so the kernel sends nothing of its own (no router solicitations, no MLD
reports): the interface must count exactly the replayed packets.

The plumbing is tested on its own too (a raw socket counts what reaches the host's end), so a
failure of the flowlens test points at flowlens. Needs root and `ip netns`; names carry the
process id so parallel runs do not collide, and everything is removed even when a test fails.
"""
import collections
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

from flowlens_harness import SOURCE, Daemon

CAPTURE = os.path.join(SOURCE, "tests", "data", "pcap", "tls_certificate_too_long.pcap")
TUNNEL_CAPTURE = os.path.join(SOURCE, "tests", "data", "pcap", "6in4tunnel.pcap")
REPLAY_PPS = 2000  # fixed rate: no burst can overflow a queue on the way (315 packets: 0.16 s)
ETH_P_ALL = 0x0003

# Prints the selected interface's counters as JSON: ?ifname=NAME.
STATS_SCRIPT = """\
require "lua_utils"
local json = require("dkjson")
sendHTTPContentTypeHeader("application/json")
if not interface.select(_GET["ifname"]) then
  print(json.encode({error = "no interface " .. tostring(_GET["ifname"])}))
  return
end
local s = interface.getStats()
print(json.encode({packets = s.stats.packets, bytes = s.stats.bytes, drops = s.stats.drops,
                   flows = s.num_flows, hosts = s.num_hosts}))
"""

# The live captures running on the selected interface: ?ifname=NAME.
CAPTURES_SCRIPT = """\
local json = require("dkjson")
interface.select(_GET["ifname"])
print(json.encode({running = #interface.dumpLiveCaptures()}))
"""


def pcap_records(data):
    """(link type, [(orig_len, frame bytes)]) of a classic pcap file's bytes."""
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">"}[data[:4]]
    link_type = struct.unpack_from(endian + "I", data, 20)[0]
    records, off = [], 24
    while off + 16 <= len(data):
        incl, orig = struct.unpack_from(endian + "II", data, off + 8)
        records.append((orig, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    assert off == len(data), "bytes after the last record"
    return link_type, records


def tcp_frames_of(records, ip):
    """The Ethernet frames of IPv4 TCP packets to or from `ip` (dotted quad)."""
    addr = socket.inet_aton(ip)
    out = []
    for orig, frame in records:
        if frame[12:14] == b"\x08\x00" and frame[23] == 6 and addr in (frame[26:30], frame[30:34]):
            out.append((orig, frame))
    return out


def netns_available():
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False
    return subprocess.run(["ip", "netns", "list"], capture_output=True).returncode == 0


def run(*cmd, timeout=30):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} -> {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def capture_frames(path):
    """(count, total bytes, largest frame) of a classic little- or big-endian pcap."""
    with open(path, "rb") as f:
        data = f.read()
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">"}[data[:4]]
    count = total = largest = 0
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack_from(endian + "I", data, off + 8)[0]
        count, total, largest = count + 1, total + incl, max(largest, incl)
        off += 16 + incl
    return count, total, largest


def ipv4_checksum(header):
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def write_with_other_tunnel_ends(source, target, copies):
    """Writes `source` (a little-endian Ethernet pcap) `copies` times over; in copy k, one end
    of the 6in4 tunnel (the first outer source address) has its last byte XORed with k wherever
    it appears (the header checksum made anew), so each copy's tunnel ends elsewhere."""
    with open(source, "rb") as f:
        data = f.read()
    records, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        records.append((data[off:off + 16], data[off + 16:off + 16 + incl]))
        off += 16 + incl
    tunnelled = [f for _, f in records if f[12:14] == b"\x08\x00" and f[23] == 41]
    end = tunnelled[0][26:30]
    with open(target, "wb") as out:
        out.write(data[:24])
        for k in range(copies):
            for header, frame in records:
                frame = bytearray(frame)
                if frame[12:14] == b"\x08\x00" and frame[23] == 41:
                    for at in (26, 30):  # source, destination
                        if frame[at:at + 4] == end:
                            frame[at + 3] ^= k
                    ihl = (frame[14] & 0xf) * 4
                    frame[24:26] = b"\0\0"
                    frame[24:26] = struct.pack("!H", ipv4_checksum(bytes(frame[14:14 + ihl])))
                out.write(header + bytes(frame))


def wait_for(predicate, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@unittest.skipUnless(netns_available(), "needs root and `ip netns`")
class LiveCaptureTest(unittest.TestCase):
    _serial = 0

    def setUp(self):
        LiveCaptureTest._serial += 1
        tag = f"{os.getpid()}-{LiveCaptureTest._serial}"  # at most 7 + 1 + n digits: names <= 15
        self.netns, self.host_if, self.ns_if = f"flowlens-e2e-{tag}", f"flh{tag}", f"fln{tag}"
        self.expected, self.expected_bytes, largest = capture_frames(CAPTURE)
        self.assertLessEqual(largest, 1514, "a frame over the veth MTU would be dropped")

        # Cleanups run in reverse, and even when a later step of setUp fails.
        run("ip", "netns", "add", self.netns)
        self.addCleanup(subprocess.run, ["ip", "netns", "del", self.netns], capture_output=True)
        run("ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if)
        self.addCleanup(subprocess.run, ["ip", "link", "del", self.host_if], capture_output=True)
        run("ip", "link", "set", self.ns_if, "netns", self.netns)
        # After the move: a device's IPv6 settings are made anew in its new namespace.
        run("sysctl", "-qw", f"net.ipv6.conf.{self.host_if}.disable_ipv6=1")
        self.in_netns("sysctl", "-qw", f"net.ipv6.conf.{self.ns_if}.disable_ipv6=1")
        run("ip", "link", "set", self.host_if, "up")
        self.in_netns("ip", "link", "set", self.ns_if, "up")
        up = wait_for(lambda: self.operstate_host() == "up", timeout=5)
        self.assertTrue(up, f"{self.host_if} did not come up: {self.operstate_host()}")

    def in_netns(self, *cmd, timeout=30):
        return run("ip", "netns", "exec", self.netns, *cmd, timeout=timeout)

    def operstate_host(self):
        with open(f"/sys/class/net/{self.host_if}/operstate") as f:
            return f.read().strip()

    def replay(self, capture=CAPTURE):
        """Replays `capture` from inside the namespace; returns the packets tcpreplay sent."""
        out = self.in_netns("tcpreplay", "-i", self.ns_if, f"--pps={REPLAY_PPS}", capture,
                            timeout=60)
        sent = re.search(r"Actual: (\d+) packets", out)
        failed = re.search(r"Failed packets:\s+(\d+)", out)
        self.assertTrue(sent and failed, f"unexpected tcpreplay output:\n{out}")
        self.assertEqual(int(failed.group(1)), 0, out)
        return int(sent.group(1))

    def packet_socket_open(self):
        """Whether some process has a packet socket bound to the host end (libpcap's capture)."""
        with open(f"/sys/class/net/{self.host_if}/ifindex") as f:
            ifindex = f.read().strip()
        with open("/proc/net/packet") as f:
            next(f)  # sk RefCnt Type Proto Iface R Rmem User Inode
            return any(line.split()[4] == ifindex for line in f if len(line.split()) > 4)

    def test_replay_reaches_the_host_end(self):
        """The plumbing alone: a raw socket on the host end sees exactly the replayed frames."""
        with socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL)) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            s.bind((self.host_if, 0))
            self.assertEqual(self.replay(), self.expected)
            frames = size = 0
            seen = collections.Counter()  # (packet type, ethertype, group address) of every frame
            s.settimeout(1.0)  # stops a second after the last frame
            try:
                while True:
                    data, addr = s.recvfrom(65536)
                    seen[(addr[2], data[12:14].hex(), bool(data[0] & 1))] += 1
                    # The replayed frames carry the capture's MAC addresses, never this end's:
                    # they arrive as another host's, broadcast or multicast. Frames to or from
                    # this end itself (its kernel's own traffic) are not the replay's.
                    if addr[2] not in (socket.PACKET_OTHERHOST, socket.PACKET_BROADCAST,
                                       socket.PACKET_MULTICAST):
                        continue
                    size += len(data)
                    frames += 1
            except socket.timeout:
                pass
        # (The capture holds 309 unicast IPv4 frames, 4 IPv4 and 2 IPv6 to group addresses.)
        self.assertEqual(frames, self.expected, f"frames by (packet type, ethertype, group): {seen}")
        self.assertEqual(size, self.expected_bytes)

    def test_flowlens_counts_every_replayed_packet(self):
        self.count_replayed_packets()

    def test_two_packet_threads_share_the_packets_through_kernel_fanout(self):
        """With --packet-threads 2 the kernel gives each packet to one thread's socket: the
        threads' reads add up to the replayed packets (without fanout each thread would read
        every packet: twice as many), and the interface still counts each packet once."""
        _, one = self.count_replayed_packets()
        log, two = self.count_replayed_packets(("--packet-threads", "2"))
        self.skip_without_fanout(log)
        first, second = self.thread_reads(log)
        self.assertEqual(first + second, self.expected, log[-3000:])
        self.assertTrue(first > 0 and second > 0, f"one thread got everything: {first}, {second}")
        # Both directions of a flow reach the same thread: the same flows and hosts as one thread.
        self.assertEqual((two["flows"], two["hosts"]), (one["flows"], one["hosts"]))

    def test_fanout_keeps_a_tunnelled_flow_on_one_thread(self):
        """6in4tunnel.pcap holds IPv6 flows inside IPv4 (6in4), which the decoder keys by the
        inner addresses. Replayed 8 times, each time between other tunnel endpoints, each inner
        flow must still be kept by one thread: the kernel's choice has to follow the inner
        header, or a flow would be kept by both threads (as a hash of the outer addresses did,
        found on the benchmark file)."""
        run("ip", "link", "set", self.host_if, "mtu", "9000")  # it has a 1911-byte frame
        self.in_netns("ip", "link", "set", self.ns_if, "mtu", "9000")
        tmp = tempfile.mkdtemp(prefix="flowlens-e2e-6in4-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        capture = os.path.join(tmp, "6in4x8.pcap")
        write_with_other_tunnel_ends(TUNNEL_CAPTURE, capture, copies=8)
        _, one = self.count_replayed_packets(capture=capture)
        log, two = self.count_replayed_packets(("--packet-threads", "2"), capture)
        self.skip_without_fanout(log)
        first, second = self.thread_reads(log)
        self.assertTrue(first > 0 and second > 0, f"one thread got everything: {first}, {second}")
        self.assertEqual((two["flows"], two["hosts"]), (one["flows"], one["hosts"]))

    def skip_without_fanout(self, log):
        """Skips where the kernel has no CBPF fanout groups (joining fails); a group that refused
        flowlens's program (PACKET_FANOUT_DATA) is a failure."""
        refused = re.search(r"no kernel fanout \((PACKET_FANOUT[^)]*)\)", log)
        if refused and not refused.group(1).startswith("PACKET_FANOUT_DATA"):
            self.skipTest(refused.group(1))
        self.assertIn("kernel fanout group", log)

    def test_live_traffic_download_streams_the_hosts_packets(self):
        """GET rest/v2/get/pcap/live_traffic.lua while the capture is replayed: the pcap that
        streams back holds exactly the replayed frames of the host that the filter matches, in
        the order they came."""
        self.download_live_traffic(threads=1)

    def test_live_traffic_download_with_two_packet_threads(self):
        """The same with two packet threads sharing the packets through kernel fanout: each
        frame once, whichever thread the kernel gave it to (the two threads' records are not
        merged by time: compared as sets)."""
        self.download_live_traffic(threads=2)

    def download_live_traffic(self, threads):
        with open(CAPTURE, "rb") as f:
            _, file_records = pcap_records(f.read())
        counts = collections.Counter()
        for _, frame in file_records:
            if frame[12:14] == b"\x08\x00":
                counts.update([socket.inet_ntoa(frame[26:30]), socket.inet_ntoa(frame[30:34])])
        host = counts.most_common(1)[0][0]
        want = tcp_frames_of(file_records, host)
        self.assertGreater(len(want), 10)
        self.assertLess(len(want), len(file_records))
        with open(f"/sys/class/net/{self.host_if}/address") as f:
            own_mac = f.read().strip()
        with Daemon(interfaces=(self.host_if,), scripts={"test/captures.lua": CAPTURES_SCRIPT,
                                                          "test/live_stats.lua": STATS_SCRIPT},
                    extra_args=["-B", f"not ether host {own_mac}",
                                "--packet-threads", str(threads)]) as d:
            def running():
                status, _, body = d.get("/lua/test/captures.lua?" +
                                        urllib.parse.urlencode({"ifname": self.host_if}))
                self.assertEqual(status, 200, body)
                return json.loads(body)["running"]

            def known():  # the REST host endpoint finds it
                status, _, _ = d.get("/lua/rest/v2/get/host/data.lua?" + urllib.parse.urlencode(
                    {"ifid": self.host_if, "host": host, "host_stats": "false"}))
                return status == 200

            self.assertTrue(wait_for(self.packet_socket_open, timeout=15), d.read_log())
            time.sleep(0.5)
            if threads > 1:
                self.skip_without_fanout(d.read_log())
            query = urllib.parse.urlencode({"ifid": self.host_if, "host": host,
                                            "duration": 4, "bpf_filter": "tcp"})
            path = "/lua/rest/v2/get/pcap/live_traffic.lua?" + query
            # Before the host was seen: NOT_FOUND, and nothing streamed.
            status, headers, body = d.get(path)
            self.assertEqual(status, 404, body)
            self.assertEqual(json.loads(body)["rc_str"], "NOT_FOUND")
            self.assertNotIn("content-disposition", headers)

            def packets():
                status, _, body = d.get("/lua/test/live_stats.lua?" +
                                        urllib.parse.urlencode({"ifname": self.host_if}))
                return json.loads(body)["packets"] if status == 200 else -1

            self.replay()  # now the interface knows the host
            self.assertTrue(wait_for(known, timeout=10), d.read_log()[-3000:])
            # Every frame of that replay counted (the kernel hands them over in blocks, so the
            # host may be known before the last ones come): none is left for the capture.
            self.assertTrue(wait_for(lambda: packets() >= self.expected, timeout=10))
            result = {}

            def download():
                result["answer"] = d.get(path, timeout=30)

            t = threading.Thread(target=download)
            started = time.monotonic()
            t.start()
            self.assertTrue(wait_for(lambda: running() == 1, timeout=5), d.read_log()[-3000:])
            self.replay()
            t.join(30)
            self.assertFalse(t.is_alive(), "the download did not end")
            self.assertGreaterEqual(time.monotonic() - started, 3.5, "it ended before its duration")
            status, headers, body = result["answer"]
            self.assertEqual(status, 200, body[:500])
            self.assertEqual(headers["content-type"], "application/vnd.tcpdump.pcap")
            self.assertIn("_filtered_live.pcap", headers["content-disposition"])
            link_type, got = pcap_records(body)
            self.assertEqual(link_type, 1)  # Ethernet, as the interface
            self.assertEqual(len(got), len(want), f"{len(got)} frames, {len(want)} expected")
            if threads == 1:
                self.assertEqual(got, want)
            else:
                self.assertEqual(sorted(got), sorted(want))
            self.assertEqual(running(), 0)
            # A filter that does not compile: INVALID_ARGUMENTS, nothing streamed.
            status, _, body = d.get("/lua/rest/v2/get/pcap/live_traffic.lua?" + urllib.parse.urlencode(
                {"ifid": self.host_if, "duration": 1, "bpf_filter": "tcp and"}))
            self.assertEqual(status, 400, body)
            self.assertIn("bad BPF filter", json.loads(body)["rsp"]["error"])

    def thread_reads(self, log):
        reads = re.search(r"packets read by each packet thread: (\d+), (\d+)", log)
        self.assertTrue(reads, log[-3000:])
        return int(reads.group(1)), int(reads.group(2))

    def count_replayed_packets(self, extra_args=(), capture=CAPTURE):
        """Replays `capture` at a flowlens on the host end, checks its counters; returns its
        log, written through its shutdown, and its last counters."""
        expected, expected_bytes, _ = capture_frames(capture)
        # Only the replay's frames: those to or from this end's own MAC address are its kernel's
        # traffic (CI has seen one such exchange during a replay).
        with open(f"/sys/class/net/{self.host_if}/address") as f:
            own_mac = f.read().strip()
        with Daemon(interfaces=(self.host_if,), scripts={"test/live_stats.lua": STATS_SCRIPT},
                    extra_args=list(extra_args) + ["-B", f"not ether host {own_mac}"]) as d:
            path = "/lua/test/live_stats.lua?" + urllib.parse.urlencode({"ifname": self.host_if})

            def stats():
                status, _, body = d.get(path)
                self.assertEqual(status, 200, body)
                answer = json.loads(body)
                self.assertNotIn("error", answer)
                return answer

            opened = wait_for(self.packet_socket_open, timeout=15)
            self.assertTrue(opened,
                            f"flowlens opened no capture on {self.host_if}:\n{d.read_log()}")
            time.sleep(0.5)  # libpcap may still be setting the capture up (ring, filter)
            self.assertEqual(stats()["packets"], 0, "packets counted before the replay")

            self.assertEqual(self.replay(capture), expected)
            wait_for(lambda: stats()["packets"] >= expected, timeout=15, step=0.1)
            time.sleep(0.5)  # any packet beyond the replayed ones would show by now
            # A flow's hosts are made at the end of its batch, or at the next housekeeping pass
            # (about a second) when the shared lock was busy: wait until flows and hosts hold
            # still across more than a second.
            last, deadline = None, time.time() + 10
            while time.time() < deadline:
                now = stats()
                if last is not None and (now["flows"], now["hosts"]) == (last["flows"], last["hosts"]):
                    break
                last = now
                time.sleep(1.2)
            final = stats()
            self.assertEqual(final["packets"], expected,
                             f"counters {final}, replayed {expected}\n{d.read_log()[-3000:]}")
            self.assertEqual(final["bytes"], expected_bytes)  # the frames' lengths
            self.assertEqual(final["drops"], 0)
            d.proc.send_signal(signal.SIGTERM)
            d.proc.wait(10)
            return d.read_log(), final


if __name__ == "__main__":
    unittest.main()
