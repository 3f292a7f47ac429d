"""The daemon as a process: options, configuration file, pid file, signals, daemon mode.

Every child process runs under a timeout; every wait polls a bounded number of times.
"""
import contextlib
import http.client
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from flowlens_harness import BIN, SOURCE, Daemon, free_port, start_owned

RUN_TIMEOUT = 20  # seconds, for a flowlens run that is expected to exit by itself


def run_flowlens(args, timeout=RUN_TIMEOUT):
    return subprocess.run([BIN] + list(args), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)


def wait_for(predicate, timeout=10.0, step=0.05):
    """Polls `predicate` until it is true or `timeout` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def process_alive(pid):
    """True while `pid` runs (a zombie waiting for a parent that is not us counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def http_get(port, path, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()




@contextlib.contextmanager
def running(make_daemon):
    d = start_owned(make_daemon)
    try:
        yield d
    finally:
        d.stop()


class ConfigFileDaemon(Daemon):
    """A Daemon started as `flowlens <config file> [cli_args]`: the file names everything,
    including the port, the data and the install directory."""

    def __init__(self, config_lines, cli_args=(), **kwargs):
        super().__init__(**kwargs)
        self.config_lines = list(config_lines)
        self.cli_args = list(cli_args)

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="flowlens-e2e-")
        self.data_dir = os.path.join(self.tmp, "data")
        self.install_dir = os.path.join(self.tmp, "install")
        shutil.copytree(os.path.join(SOURCE, "scripts"), os.path.join(self.install_dir, "scripts"))
        shutil.copytree(os.path.join(SOURCE, "httpdocs"),
                        os.path.join(self.install_dir, "httpdocs"))
        for rel, text in self.scripts.items():
            self.write_file(os.path.join("scripts/lua", rel), text)
        self.config_path = os.path.join(self.tmp, "flowlens.conf")
        self.write_config(self.config_lines)
        self.log_path = os.path.join(self.tmp, "flowlens.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([BIN, self.config_path] + self.cli_args,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def write_config(self, lines):
        text = "\n".join(line.format(port=self.port, data=self.data_dir,
                                     install=self.install_dir) for line in lines) + "\n"
        tmp_path = self.config_path + ".new"
        with open(tmp_path, "w") as f:
            f.write(text)
        os.replace(tmp_path, self.config_path)  # the daemon never reads a half-written file


BASE_CONFIG = [
    "# flowlens end-to-end configuration, ntopng syntax",
    "",
    "-i=lo",
    "--http-port=127.0.0.1:{port}",
    "-d={data}",
    "--install-dir {install}",
    "# the foundation's behaviour: no logins, no privilege drop",
    "-l=",
    "--dont-change-user=",
]


class CommandLineTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="flowlens-e2e-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_help(self):
        for flag in ["--help", "-h"]:
            with self.subTest(flag=flag):
                r = run_flowlens([flag])
                self.assertEqual(r.returncode, 0, r.stderr)
                for option in ["--http-port", "--interface", "--data-dir", "--daemon",
                               "--pid-path", "--lua-timeout", "--http-max-body"]:
                    self.assertIn(option, r.stdout)

    def test_version(self):
        for flag in ["--version", "-V"]:
            with self.subTest(flag=flag):
                r = run_flowlens([flag])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertRegex(r.stdout, r"^flowlens \d+\.\d+")

    def test_lua_api_lists_the_registered_functions(self):
        r = run_flowlens(["--lua-api"])
        self.assertEqual(r.returncode, 0, r.stderr)
        names = r.stdout.split()
        self.assertIn("ntop.getDirs", names)
        self.assertIn("interface.select", names)
        self.assertEqual(len(names), len(set(names)), "a function is listed twice")

    def test_unknown_option_exits_2_with_a_message(self):
        r = run_flowlens(["--no-such-option-e2e"])
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("--no-such-option-e2e", r.stderr)
        self.assertNotIn("--no-such-option-e2e", r.stdout)

    def test_bad_values_exit_2(self):
        # If a bad value were accepted, the interface below makes the run fail with 1, not 2,
        # instead of starting a daemon.
        base = ["-i", "nosuchif0", "-d", os.path.join(self.tmp, "data"), "-t", SOURCE]
        cases = [
            (["-w", "abc"], "--http-port"),
            (["-w", "127.0.0.1:70000"], "--http-port"),
            (["-w", "300.1.1.1:3000"], "--http-port"),
            (["-n", "7"], "--dns-mode"),
            (["-m", "10.0.0.0/99"], "--local-networks"),
            (["-m", "10.0.0.300/8"], "--local-networks"),
            (["--lua-timeout", "5"], "--lua-timeout"),
            (["--lua-memory", "abc"], "--lua-memory"),
            (["-l", "5"], "--disable-login"),
            (["-v", "9"], "--verbose"),
        ]
        for extra, option in cases:
            with self.subTest(args=extra):
                r = run_flowlens(base + extra)
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertIn(option, r.stderr)

    def test_unknown_interface_exits_1(self):
        pid_path = os.path.join(self.tmp, "flowlens.pid")
        r = run_flowlens(["-i", "nosuchif0", "-w", f"127.0.0.1:{free_port()}",
                          "-d", os.path.join(self.tmp, "data"), "-t", SOURCE, "-G", pid_path])
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("no such interface", r.stdout + r.stderr)
        self.assertIn("nosuchif0", r.stdout + r.stderr)
        self.assertFalse(os.path.exists(pid_path), "pid file left behind by a failed start")


class ConfigFileTest(unittest.TestCase):
    def test_config_file_sets_port_interface_and_directories(self):
        pid_dir = tempfile.mkdtemp(prefix="flowlens-e2e-pid-")
        self.addCleanup(shutil.rmtree, pid_dir, True)
        pid_path = os.path.join(pid_dir, "flowlens.pid")
        # Options after the file add to it: the pid file comes from the command line.
        with running(lambda: ConfigFileDaemon(BASE_CONFIG + ["-v="],
                                              cli_args=["-G", pid_path])) as d:
            status, _, body = d.get_json("/lua/rest/v2/get/ntopng/interfaces.lua")
            self.assertEqual(status, 200)
            self.assertEqual(body["rsp"][0]["ifname"], "lo")
            self.assertIn(d.install_dir, d.read_log())
            self.assertIn(d.data_dir, d.read_log())
            with open(pid_path) as f:
                self.assertEqual(f.read().strip(), str(d.proc.pid))

    def test_config_file_with_unknown_option_exits_2(self):
        tmp = tempfile.mkdtemp(prefix="flowlens-e2e-cfg-")
        self.addCleanup(shutil.rmtree, tmp, True)
        cases = {
            "unknown": "--no-such-option-e2e=1\n",
            "not_an_option": "garbage-line\n",
            "bad_value": "--dns-mode=9\n",
        }
        for name, bad in cases.items():
            with self.subTest(case=name):
                path = os.path.join(tmp, name + ".conf")
                with open(path, "w") as f:
                    f.write(f"-i=nosuchif0\n-d={tmp}/data\n-t={SOURCE}\n"
                            f"--http-port=127.0.0.1:{free_port()}\n{bad}")
                r = run_flowlens([path])
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertTrue(r.stderr.strip(), "no message on stderr")

    def test_missing_config_file_exits_2(self):
        r = run_flowlens(["/nonexistent/e2e/flowlens.conf"])
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("/nonexistent/e2e/flowlens.conf", r.stderr)


def thread_cores(pid):
    """{thread id: its Cpus_allowed_list} for every thread of `pid`."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith("Cpus_allowed_list:"):
                        out[tid] = line.split(":", 1)[1].strip()
        except OSError:  # the thread ended meanwhile
            pass
    return out


@unittest.skipUnless(len(os.sched_getaffinity(0)) >= 2, "needs two cores")
class CoreAffinityTest(unittest.TestCase):
    """ntopng's -g (packet threads) and -y (every other thread) bind threads to cores."""

    def test_packet_thread_on_g_core_every_other_thread_on_y_core(self):
        cores = sorted(os.sched_getaffinity(0))
        packet_core, other_core = str(cores[-1]), str(cores[0])
        with running(lambda: Daemon(extra_args=["-g", packet_core, "-y", other_core])) as d:
            pid = d.proc.pid
            # Packet threads start after the web server listens.
            masks = wait_for(lambda: (lambda m: m if packet_core in m.values() else None)(
                thread_cores(pid)), timeout=10)
            self.assertTrue(masks, f"no thread on core {packet_core}: {thread_cores(pid)}")
            on_packet_core = [t for t, m in masks.items() if m == packet_core]
            others = {t: m for t, m in masks.items() if m != packet_core}
            self.assertEqual(len(on_packet_core), 1, masks)  # one interface (lo), one thread
            self.assertGreater(len(others), 3, masks)  # main, web server, Lua, store ...
            self.assertEqual(set(others.values()), {other_core}, masks)

    def test_a_core_it_may_not_run_on_exits_2(self):
        cores = sorted(os.sched_getaffinity(0))
        r = subprocess.run(["taskset", "-c", str(cores[0]), BIN, "-g", str(cores[-1]),
                            "-i", "lo", "-t", SOURCE], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=RUN_TIMEOUT)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("--core-affinity", r.stderr)
        self.assertIn("not one flowlens may run on", r.stderr)

    def test_sighup_reloads_with_g_core_outside_y(self):
        # The reload parses the options again on the main thread, bound to -y's core by then: the
        # -g core must still count as one flowlens may run on.
        cores = sorted(os.sched_getaffinity(0))
        with running(lambda: Daemon(extra_args=["-g", str(cores[-1]), "-y", str(cores[0])])) as d:
            d.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_for(lambda: "configuration reloaded" in d.read_log(), timeout=10),
                            d.read_log())
            self.assertNotIn("not reloaded", d.read_log())

    def test_y_alone_leaves_packet_threads_unbound(self):
        cores = sorted(os.sched_getaffinity(0))
        everything = thread_cores(os.getpid())[str(threading.get_native_id())]
        with running(lambda: Daemon(extra_args=["-y", str(cores[0])])) as d:
            pid = d.proc.pid
            masks = wait_for(lambda: (lambda m: m if everything in m.values() else None)(
                thread_cores(pid)), timeout=10)
            self.assertTrue(masks, f"no thread on every core: {thread_cores(pid)}")
            unbound = [t for t, m in masks.items() if m == everything]
            self.assertEqual(len(unbound), 1, masks)  # the packet thread of lo
            self.assertEqual(set(m for m in masks.values() if m != everything), {str(cores[0])})


class SignalTest(unittest.TestCase):
    SLEEPER = "ntop.traceEvent(2, 'e2e-about-to-sleep')\nntop.msleep(20000)\nprint('woke up')\n"

    def stop_while_sleeping(self, sig, idle_client=False):
        pid_dir = tempfile.mkdtemp(prefix="flowlens-e2e-pid-")
        self.addCleanup(shutil.rmtree, pid_dir, True)
        pid_path = os.path.join(pid_dir, "flowlens.pid")
        with running(lambda: Daemon(extra_args=["-G", pid_path],
                                    scripts={"t/sleep.lua": self.SLEEPER})) as d:
            self.assertTrue(wait_for(lambda: os.path.exists(pid_path)))
            with open(pid_path) as f:
                self.assertEqual(f.read().strip(), str(d.proc.pid))
            result = {}

            def request():
                try:
                    result["answer"] = d.get("/lua/t/sleep.lua", timeout=30)
                except Exception as e:  # the server may close the connection as it stops
                    result["error"] = e

            client = threading.Thread(target=request, daemon=True)
            client.start()
            self.assertTrue(wait_for(lambda: "e2e-about-to-sleep" in d.read_log()),
                            "the script never started:\n" + d.read_log())
            if idle_client:
                # A browser that has just loaded a page keeps its connection open.
                conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
                self.addCleanup(conn.close)
                conn.request("GET", "/lua/rest/v2/get/ntopng/interfaces.lua")
                resp = conn.getresponse()
                resp.read()
                self.assertEqual(resp.status, 200)
            t0 = time.monotonic()
            d.proc.send_signal(sig)
            try:
                rc = d.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.fail("flowlens did not stop within 15 s:\n" + d.read_log())
            elapsed = time.monotonic() - t0
            client.join(35)
            self.assertFalse(client.is_alive(), "the client request never ended")
            self.assertEqual(rc, 0, d.read_log())
            # Far below the script's 20 s sleep: the stop did not wait for it.
            self.assertLess(elapsed, 6.0, f"stopping took {elapsed:.3f} s")
            self.assertNotIn(b"woke up", result.get("answer", (0, {}, b""))[2],
                             "the script slept on through the shutdown")
            self.assertFalse(os.path.exists(pid_path), "pid file not removed")
            self.assertIn("flowlens stopped", d.read_log())

    def test_sigterm_stops_within_2s_while_a_script_sleeps(self):
        self.stop_while_sleeping(signal.SIGTERM)

    def test_sigint_stops_within_2s_while_a_script_sleeps(self):
        self.stop_while_sleeping(signal.SIGINT)

    def test_sigterm_stops_within_2s_with_an_open_client_connection(self):
        self.stop_while_sleeping(signal.SIGTERM, idle_client=True)

    def test_ntop_shutdown_stops_the_daemon(self):
        with running(lambda: Daemon(scripts={"t/stop.lua": "ntop.shutdown() print('bye')"})) as d:
            status, _, body = d.get("/lua/t/stop.lua")
            self.assertEqual((status, body), (200, b"bye"))
            try:
                rc = d.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.fail("ntop.shutdown() did not stop flowlens:\n" + d.read_log())
            self.assertEqual(rc, 0, d.read_log())
            self.assertIn("shutdown requested by", d.read_log())

    def test_pid_file_holds_the_pid_and_goes_away(self):
        pid_dir = tempfile.mkdtemp(prefix="flowlens-e2e-pid-")
        self.addCleanup(shutil.rmtree, pid_dir, True)
        pid_path = os.path.join(pid_dir, "flowlens.pid")
        with running(lambda: Daemon(extra_args=["-G", pid_path])) as d:
            with open(pid_path) as f:
                self.assertEqual(f.read().strip(), str(d.proc.pid))
            d.proc.send_signal(signal.SIGTERM)
            self.assertEqual(d.proc.wait(15), 0)
            self.assertFalse(os.path.exists(pid_path))

    def test_sighup_reloads_the_trace_level(self):
        script = ("ntop.traceEvent(4, 'e2e-debug-' .. _GET.n)\n"
                  "print(tostring(ntop.verboseTrace()))\n")
        with running(lambda: ConfigFileDaemon(BASE_CONFIG + ["-v=2"],
                                              scripts={"t/trace.lua": script})) as d:
            self.assertEqual(d.get("/lua/t/trace.lua?n=1")[::2], (200, b"false"))
            self.assertNotIn("e2e-debug-1", d.read_log())

            d.write_config(BASE_CONFIG + ["-v=4"])
            d.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_for(lambda: "SIGHUP: configuration reloaded" in d.read_log()),
                            d.read_log())
            self.assertIn("trace level debug", d.read_log())
            self.assertIsNone(d.proc.poll(), "SIGHUP stopped the daemon")
            self.assertEqual(d.get("/lua/t/trace.lua?n=2")[::2], (200, b"true"))
            self.assertTrue(wait_for(lambda: "e2e-debug-2" in d.read_log(), timeout=5))

            # Back to normal: debug messages stop again.
            d.write_config(BASE_CONFIG + ["-v=2"])
            d.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_for(lambda: "trace level normal" in d.read_log()), d.read_log())
            self.assertEqual(d.get("/lua/t/trace.lua?n=3")[::2], (200, b"false"))
            self.assertNotIn("e2e-debug-3", d.read_log())
            self.assertIsNone(d.proc.poll())

    def test_sighup_with_a_broken_config_keeps_the_old_settings(self):
        script = "print(tostring(ntop.verboseTrace()))\n"
        with running(lambda: ConfigFileDaemon(BASE_CONFIG + ["-v=4"],
                                              scripts={"t/trace.lua": script})) as d:
            self.assertEqual(d.get("/lua/t/trace.lua")[::2], (200, b"true"))
            d.write_config(BASE_CONFIG + ["-v=2", "--no-such-option-e2e=1"])
            d.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_for(lambda: "SIGHUP: configuration not reloaded" in d.read_log()),
                            d.read_log())
            self.assertIsNone(d.proc.poll(), "a bad configuration on SIGHUP stopped the daemon")
            self.assertEqual(d.get("/lua/t/trace.lua")[::2], (200, b"true"))


class DaemonModeTest(unittest.TestCase):
    def test_daemon_mode(self):
        tmp = tempfile.mkdtemp(prefix="flowlens-e2e-daemon-")
        self.addCleanup(shutil.rmtree, tmp, True)
        pid_path = os.path.join(tmp, "flowlens.pid")
        port = free_port()
        daemon_pid = None

        def kill_leftover():
            if daemon_pid and process_alive(daemon_pid):
                os.kill(daemon_pid, signal.SIGKILL)
        self.addCleanup(kill_leftover)

        t0 = time.monotonic()
        # Pipes on stdout/stderr: run() returns only once the daemon let go of them.
        r = run_flowlens(["-e", "-G", pid_path, "-i", "lo", "-w", f"127.0.0.1:{port}",
                          "-d", os.path.join(tmp, "data"), "-t", SOURCE, "-l",
                          "--dont-change-user"], timeout=15)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertLess(time.monotonic() - t0, 5.0, "the parent did not return quickly")
        self.assertNotIn("flowlens started", r.stdout + r.stderr, "daemon logged to the terminal")

        def read_pid():
            try:
                with open(pid_path) as f:
                    text = f.read().strip()
            except OSError:
                return None
            return int(text) if text.isdigit() else None
        daemon_pid = wait_for(read_pid)
        self.assertIsNotNone(daemon_pid, "no pid file")
        self.assertTrue(process_alive(daemon_pid))

        def answers():
            try:
                return http_get(port, "/lua/rest/v2/get/ntopng/interfaces.lua", timeout=2)
            except OSError:
                return None
        answer = wait_for(answers, timeout=10, step=0.1)
        self.assertIsNotNone(answer, "the daemon does not answer HTTP")
        self.assertEqual(answer[0], 200)
        self.assertIn(b'"ifname":"lo"', answer[1].replace(b" ", b""))

        os.kill(daemon_pid, signal.SIGTERM)
        self.assertTrue(wait_for(lambda: not process_alive(daemon_pid), timeout=10),
                        "the daemon did not stop on SIGTERM")
        self.assertFalse(os.path.exists(pid_path), "pid file not removed")


if __name__ == "__main__":
    unittest.main()
