"""Helpers of the exporter tests (--metrics, --redis): free loopback ports,
HTTP GETs, the exposition text parsed, and real redis-server / prometheus
processes that are always stopped (context managers) and leave nothing
behind."""

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from decimal import Decimal

from harness import skip, workdir

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def require(path, package):
    """A clear skip only when the Debian package is absent (make deps installs it)."""
    if not os.access(path, os.X_OK):
        skip(f"{path} absent: install the Debian package {package} (scripts/install-deps.sh)")


def require_python_redis():
    try:
        import redis  # noqa: F401
    except ImportError:
        skip("python3-redis absent: install the Debian package python3-redis (scripts/install-deps.sh)")


def free_port():
    """A TCP port free on 127.0.0.1 now (bind port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path, headers=None, timeout=5):
    """(status, content type, body text) of GET http://127.0.0.1:port/path."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read().decode()
    finally:
        connection.close()


def try_get(port, path, headers=None):
    """http_get, or (None, None, reason) while nothing listens."""
    try:
        return http_get(port, path, headers)
    except OSError as error:
        return None, None, str(error)


SAMPLE = re.compile(r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$')
LABEL = re.compile(r'(?P<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?P<value>(?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """{(name, ((label, value), ...)): Decimal} of every sample line."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        if match is None:
            raise AssertionError(f"not a sample line: {line!r}")
        labels = tuple(sorted((m["key"], m["value"]) for m in LABEL.finditer(match["labels"] or "")))
        value = match["value"]
        samples[(match["name"], labels)] = Decimal("Infinity") if value == "+Inf" else Decimal(value)
    return samples


def samples_named(samples, name):
    """{labels dict as tuple: value} of one metric name."""
    return {labels: value for (n, labels), value in samples.items() if n == name}


def exposed_name(name, kind, unit):
    """The registry's naming rule (app/metrics_text.h), written independently:
    (sample name, scale to registry units)."""
    scale = 1
    base = name
    if unit == "nanoseconds":
        scale = Decimal(10) ** 9
        if base.endswith("_ns"):
            base = base[:-3]
        for statistic in ("_sum", "_max", "_mean"):
            if base.endswith(statistic):
                base = base[:-len(statistic)] + "_seconds" + statistic
                break
        else:
            base += "_seconds"
    sample = "cgnf_" + base
    # Counters end in _total, but for the latency histogram's own _sum.
    if kind == "counter" and name != "latency_sum_ns":
        sample += "_total"
    return sample, scale


@contextlib.contextmanager
def redis_server(port, password=None, name="redis", acl_users=()):
    """A real redis-server on 127.0.0.1:port with no persistence, in a
    temporary directory; stopped (and the directory removed) on exit, even on
    failure.  acl_users: ACL rules, each a list of words ("NAME", "on",
    ">PASSWORD", "~KEYS", "+COMMAND"...); with any, the default user is off."""
    require(REDIS_SERVER, "redis-server")
    directory = tempfile.mkdtemp(prefix=f"{name}-", dir=workdir("redis"))
    process = start_redis(port, directory, password, acl_users)
    try:
        yield process
    finally:
        stop_process(process)
        shutil.rmtree(directory, ignore_errors=True)


def start_redis(port, directory, password=None, acl_users=()):
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
               "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "redis.log"]
    if password:
        command += ["--requirepass", password]
    # Each word of an ACL rule is an argument of its own.
    for rule in acl_users:
        command += ["--user", *rule]
    if acl_users:
        command += ["--user", "default", "off"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=directory)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            if process.poll() is not None:
                raise AssertionError(f"redis-server exited ({process.returncode}) on port {port}")
            time.sleep(0.05)
    stop_process(process)
    raise AssertionError(f"redis-server did not listen on port {port} within 10 s")


def stop_process(process, timeout=10):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def redis_client(port, password=None, username=None):
    import redis
    return redis.Redis(host="127.0.0.1", port=port, username=username, password=password, decode_responses=True,
                       socket_timeout=5)


@contextlib.contextmanager
def prometheus_server(targets, port, scrape_interval="1s"):
    """A real Prometheus scraping targets (["127.0.0.1:PORT"]) every
    scrape_interval, in a temporary directory; stopped and removed on exit,
    even on failure.  Yields (process, directory)."""
    require(PROMETHEUS, "prometheus")
    directory = tempfile.mkdtemp(prefix="prometheus-", dir=workdir("prometheus"))
    config = os.path.join(directory, "prometheus.yml")
    with open(config, "w") as f:
        f.write("global:\n"
                f"  scrape_interval: {scrape_interval}\n"
                f"  evaluation_interval: {scrape_interval}\n"
                "scrape_configs:\n"
                "  - job_name: cgnf\n"
                "    static_configs:\n"
                f"      - targets: [{', '.join(repr(t) for t in targets)}]\n")
    log = open(os.path.join(directory, "prometheus.log"), "w")
    process = subprocess.Popen([PROMETHEUS, f"--config.file={config}",
                                f"--storage.tsdb.path={os.path.join(directory, 'data')}",
                                f"--web.listen-address=127.0.0.1:{port}"],
                               stdout=log, stderr=subprocess.STDOUT, cwd=directory)
    try:
        yield process, directory
    finally:
        stop_process(process, timeout=20)
        log.close()
        shutil.rmtree(directory, ignore_errors=True)
