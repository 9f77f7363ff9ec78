"""Shared helpers of the integration tests: run the real build/cgnf on pcaps
with the pcap PMD, export models, call the Python reference, compare tables.

Each test is an executable script; exit 0 = passed, 1 = failed, 77 = skipped
(tests/run-tests.sh counts them)."""

import atexit
import csv
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.environ.get("CGNF_ROOT") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
CGNF = os.path.join(BUILD, "cgnf")
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")
SHARED = os.environ.get("SHARED") or os.path.join(ROOT, "..", "shared")
SCRIPTS = os.path.join(ROOT, "scripts")
SKIP = 77

sys.path.insert(0, SCRIPTS)

_counter = itertools.count()


def skip(reason):
    print(f"skip: {reason}")
    sys.exit(SKIP)


def shared_path(*parts):
    """A file of ../shared, or a clear skip when it is absent."""
    path = os.path.join(SHARED, *parts)
    if not os.path.exists(path):
        skip(f"{path} absent (../shared is not beside the checkout)")
    return path


def workdir(name):
    path = os.path.join(BUILD, "test-tmp", name)
    os.makedirs(path, exist_ok=True)
    return path


def private_name(name):
    """A workdir name of this process only, "NAME/PID", for tests that must
    not share files with the same test run at the same time from the same
    checkout (two make test at once); those of ended processes are removed."""
    base = workdir(name)
    for entry in os.listdir(base):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                os.kill(int(entry), 0)
            except ProcessLookupError:
                shutil.rmtree(os.path.join(base, entry), ignore_errors=True)
            except PermissionError:
                pass
    workdir(os.path.join(name, str(os.getpid())))
    return os.path.join(name, str(os.getpid()))


def real_model_json():
    """Exports ../shared's production model to build/ (never to the repo)."""
    source = shared_path("models", "DT_0.033.model")
    out = os.path.join(workdir("models"), "DT_0.033.json")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(source):
        subprocess.run([PYTHON, os.path.join(SCRIPTS, "export_model.py"), source, out],
                       check=True, stderr=subprocess.DEVNULL)
    return out


def default_model_json():
    return os.path.join(ROOT, "model", "default.json")


class Run:
    """The outcome of one cgnf run: exit code, output text, parsed outputs."""

    def __init__(self, returncode, stdout, stderr, csv_path, stats_path):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.rows = read_csv(csv_path) if os.path.exists(csv_path) else None
        self.stats = None
        if os.path.exists(stats_path):
            with open(stats_path) as f:
                self.stats = json.load(f)

    def describe(self):
        return f"exit {self.returncode}\n--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"


def eal_args(rx_queues, lcores="(0-3)@(0-1)", memory=512):
    """EAL options for one run: no hugepages, a unique file prefix, and one
    pcap vdev per entry of rx_queues (a list of lists of pcap files: one
    rx_pcap per queue)."""
    prefix = f"cgnf-test-{os.getpid()}-{next(_counter)}"
    args = ["--no-huge", "-m", str(memory), "--no-pci", "--file-prefix", prefix,
            "--lcores", lcores, "--log-level", "*:warning"]
    for index, files in enumerate(rx_queues):
        # An entry may carry extra devargs: "file.pcap,infinite_rx=1".
        devargs = ",".join(f"rx_pcap={f}" for f in files)
        args += ["--vdev", f"net_pcap{index},{devargs}"]
    return args


def run_cgnf(rx_queues, options, name, lcores="(0-3)@(0-1)", timeout=120, eal_extra=(),
             send_signal=None, signal_after=None, cwd=None, add_outputs=True):
    """Runs build/cgnf to completion (or sends a signal after a delay) and
    returns a Run.  rx_queues: list of ports, each a list of pcap files;
    cwd: the working directory (default: the test's); add_outputs=False:
    no --csv/--stats-json of the workdir's (the options give their own)."""
    out_dir = workdir(name)
    csv_path = os.path.join(out_dir, "pairs.csv")
    stats_path = os.path.join(out_dir, "stats.json")
    for path in (csv_path, stats_path):
        if os.path.exists(path):
            os.unlink(path)
    outputs = ["--csv", csv_path, "--stats-json", stats_path] if add_outputs else []
    command = [CGNF] + eal_args(rx_queues, lcores) + list(eal_extra) + ["--"] + list(options) + outputs + [
        "--stats-interval", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    if send_signal is not None:
        time.sleep(signal_after)
        process.send_signal(send_signal)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        raise AssertionError(f"cgnf did not finish within {timeout}s: {' '.join(command)}\n{stderr[-2000:]}")
    return Run(process.returncode, stdout, stderr, csv_path, stats_path)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def pair_counts(rows):
    """{(ip1, ip2): (cg, ncg)} from a CSV's rows."""
    return {(r["ip1"], r["ip2"]): (int(r["cg"]), int(r["ncg"])) for r in rows}


def reference_counts(pcap, model, lan=(), probes=(), udp_port=5000):
    """Counts of the independent Python reference (sklearn on the same model)."""
    out_dir = tempfile.mkdtemp(dir=workdir("reference"))
    out_csv = os.path.join(out_dir, "reference.csv")
    out_summary = os.path.join(out_dir, "summary.json")
    command = [PYTHON, os.path.join(SCRIPTS, "reference.py"), "--model", model,
               "--udp-port", str(udp_port), "--csv", out_csv, "--summary", out_summary]
    for prefix in lan:
        command += ["--lan", prefix]
    for probe in probes:
        command += ["--probe", probe]
    command += [pcap] if isinstance(pcap, str) else list(pcap)
    subprocess.run(command, check=True)
    with open(out_summary) as f:
        summary = json.load(f)
    return pair_counts(read_csv(out_csv)), summary


def generate(out, *args):
    """scripts/gen_reports.py with the given options; returns the pcap path."""
    subprocess.run([PYTHON, os.path.join(SCRIPTS, "gen_reports.py"), "-o", out] + list(args),
                   check=True, stdout=subprocess.DEVNULL)
    return out


def diff_tables(expected, got, limit=10):
    """Lines describing how two pair tables differ (empty when equal)."""
    lines = []
    for key in sorted(set(expected) | set(got)):
        if expected.get(key) != got.get(key):
            lines.append(f"  {key}: expected {expected.get(key)}, got {got.get(key)}")
    if len(lines) > limit:
        lines = lines[:limit] + [f"  ... {len(lines) - limit} more"]
    return lines


class Checker:
    """Collects named checks, prints each, and exits 1 if any failed."""

    def __init__(self):
        self.failed = 0
        self.passed = 0

    def check(self, name, ok, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
        if not ok:
            self.failed += 1
            if detail:
                print(detail)
        else:
            self.passed += 1
        return ok

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def accounting_holds(stats):
    """rx_packets = reports + sum(dropped): every packet accounted once."""
    return stats["rx_packets"] == stats["reports"] + sum(stats["dropped"].values())


STATUS_LINE = re.compile(r"rx_packets (?P<rx_pps>\d+)/s \| reports (?P<reports_per_s>\d+)/s \| "
                         r"dropped_total (?P<dropped_total>\d+) \| pairs (?P<pairs>\d+) \| "
                         r"cg_pairs (?P<cg_pairs>\d+)")


def parse_status_line(line):
    """{rx_pps, reports_per_s, dropped_total, pairs, cg_pairs} of one --stats-interval line
    (the counters' registry names), or None."""
    match = STATUS_LINE.search(line)
    return {key: int(value) for key, value in match.groupdict().items()} if match else None


def read_events(path):
    """The JSON lines of an --events file (each must parse)."""
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class Running:
    """build/cgnf started in the background: the test signals it and watches
    its status lines (stdout) and log (stderr) while it runs, then stop()
    returns the Run.  The status line is on unless stats_interval is None."""

    def __init__(self, rx_queues, options, name, lcores="(0-3)@(0-1)", eal_extra=(), stats_interval=0.5,
                 memory=512):
        out_dir = workdir(name)
        self.csv_path = os.path.join(out_dir, "pairs.csv")
        self.stats_path = os.path.join(out_dir, "stats.json")
        for path in (self.csv_path, self.stats_path):
            if os.path.exists(path):
                os.unlink(path)
        interval = ["--stats-interval", str(stats_interval if stats_interval is not None else 0)]
        self.command = [CGNF] + eal_args(rx_queues, lcores, memory) + list(eal_extra) + ["--"] + list(options) + [
            "--csv", self.csv_path, "--stats-json", self.stats_path] + interval
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # A test that dies half-way must not leave cgnf running behind it.
        atexit.register(self._kill_if_running)
        self.stdout_lines = []
        self.stderr_lines = []
        self._lock = threading.Lock()
        self._readers = [threading.Thread(target=self._read, args=(self.process.stdout, self.stdout_lines),
                                          daemon=True),
                         threading.Thread(target=self._read, args=(self.process.stderr, self.stderr_lines),
                                          daemon=True)]
        for reader in self._readers:
            reader.start()

    def _kill_if_running(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _read(self, stream, lines):
        for line in stream:
            with self._lock:
                lines.append((time.monotonic(), line.rstrip("\n")))

    def status(self):
        """[(monotonic time, parsed status line)] so far."""
        with self._lock:
            lines = list(self.stdout_lines)
        return [(when, parsed) for when, parsed in ((w, parse_status_line(l)) for w, l in lines) if parsed]

    def log_text(self):
        with self._lock:
            return "\n".join(line for _, line in self.stderr_lines)

    def wait_for(self, predicate, timeout):
        """Polls predicate() until true (returns True), the process ends or timeout s pass."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            if self.process.poll() is not None:
                return predicate()
            time.sleep(0.05)
        return False

    def wait_for_status(self, count, timeout):
        """Waits until count more status lines than now were printed."""
        start = len(self.status())
        return self.wait_for(lambda: len(self.status()) >= start + count, timeout)

    def running(self):
        return self.process.poll() is None

    def send(self, sig):
        self.process.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.running():
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            for reader in self._readers:
                reader.join(5)
            raise AssertionError(f"cgnf did not stop within {timeout}s: {' '.join(self.command)}\n"
                                 f"{self.log_text()[-2000:]}")
        for reader in self._readers:
            reader.join(10)
        with self._lock:
            stdout = "\n".join(line for _, line in self.stdout_lines)
        return Run(self.process.returncode, stdout, self.log_text(), self.csv_path, self.stats_path)


def two_ports_of_two_queues(pcap, work):
    """Splits pcap round-robin into 4 files, as 2 ports of 2 RX queues each,
    so that each of 2 RX lcores owns one queue of each port."""
    from cgnf_pcap import read_pcap, write_pcap
    frames = read_pcap(pcap)
    parts = []
    for index in range(4):
        path = os.path.join(work, f"part{index}.pcap")
        write_pcap(path, frames[index::4])
        parts.append(path)
    return [parts[0:2], parts[2:4]]


# Telemetry through DPDK's own client (Debian's dpdk-dev ships it).
TELEMETRY_CLIENT = "/usr/bin/dpdk-telemetry.py"


def file_prefix(run):
    """The --file-prefix of a Running: what dpdk-telemetry.py -f takes."""
    return run.command[run.command.index("--file-prefix") + 1]


def socket_path(prefix):
    base = os.environ.get("RUNTIME_DIRECTORY") or ("/var/run" if os.getuid() == 0
                                                   else os.environ.get("XDG_RUNTIME_DIR", "/tmp"))
    return os.path.join(base, "dpdk", prefix, "dpdk_telemetry.v2")


def telemetry_query(prefix, commands, timeout=20):
    """Sends commands through dpdk-telemetry.py; returns one decoded reply
    (the value under the command's name) per command."""
    done = subprocess.run([PYTHON, TELEMETRY_CLIENT, "-f", prefix], input="\n".join(commands) + "\n",
                          capture_output=True, text=True, timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if len(lines) != len(commands):
        raise AssertionError(f"{len(commands)} commands, {len(lines)} replies:\n{done.stdout}\n{done.stderr}")
    return [json.loads(line)[command.split(",", 1)[0]] for command, line in zip(commands, lines)]


def registered_counters():
    """[(name, kind, role)] of every counter, as build/cgnf -- --list-counters lists them."""
    text = subprocess.run([CGNF, "--", "--list-counters"], capture_output=True, text=True, check=True).stdout
    rows = [line.split(None, 4) for line in text.splitlines()[1:] if not line.startswith(" ")]
    return [(row[0], row[1], row[2]) for row in rows if row[0] != "dropped"]


def pair_part(data, parts):
    """Which of `parts` an Ethernet frame goes to: a symmetric hash of its IPv4
    pair, both directions alike, as RSS with a symmetric key spreads a
    conversation (other frames by their length)."""
    import zlib
    offset = 14
    while data[offset - 2:offset] in (b"\x81\x00", b"\x88\xa8"):
        offset += 4
    if data[offset - 2:offset] != b"\x08\x00" or len(data) < offset + 20:
        return len(data) % parts
    first, second = sorted((data[offset + 12:offset + 16], data[offset + 16:offset + 20]))
    return zlib.crc32(first + second) % parts


def split_pcap_by_pair(pcap, parts, out_dir):
    """The capture cut in `parts` files by IP pair (pair_part), each in capture
    order: one per RX queue of a pcap port.  Returns their paths."""
    from cgnf_pcap import read_pcap, write_pcap
    pieces = [[] for _ in range(parts)]
    for frame in read_pcap(pcap):
        pieces[pair_part(frame.data, parts)].append(frame)
    paths = []
    for index, piece in enumerate(pieces):
        paths.append(os.path.join(out_dir, f"part{index}.pcap"))
        write_pcap(paths[-1], piece)
    return paths


def longest_silence(lines, interval):
    """The longest time (s) a run of --stats-interval lines showed no report
    counted: a datapath waiting on something shows one as long as the wait.
    On 2 shared CPUs (more so under ASan) a single line may catch the lcores
    without their CPU, which is not a wait."""
    longest, since = 0.0, None
    for when, status in lines:
        if status["reports_per_s"] == 0:
            since = when if since is None else since
            longest = max(longest, when - since + interval)
        else:
            since = None
    return longest
