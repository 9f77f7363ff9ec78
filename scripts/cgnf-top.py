#!/usr/bin/python3
"""Several cgnf instances seen as one: reads what they publish in Redis
(--redis; README "Verdicts in Redis") and shows the merged live table,
like top: the instances with their rates, then the pairs, busiest first.

    scripts/cgnf-top.py --redis 127.0.0.1:6379            # refreshes every second
    scripts/cgnf-top.py --redis 127.0.0.1:6379 --once     # one screen, then exit

Reads cgnf:instance:* and cgnf:pair:* (SCAN, pipelined HGETALL) and cgnf:cg;
writes nothing.  The password, if any, comes from --password-file or
$CGNF_REDIS_PASSWORD, as for cgnf."""

import argparse
import os
import sys
import time

try:
    import redis
except ImportError:
    sys.exit("cgnf-top: needs python3-redis (apt-get install python3-redis)")

PAIR_PATTERN = "cgnf:pair:*"
INSTANCE_PATTERN = "cgnf:instance:*"
CG_KEY = "cgnf:cg"


def connect(address, password):
    if address.startswith("unix:"):
        return redis.Redis(unix_socket_path=address[5:], password=password, decode_responses=True,
                           socket_timeout=5)
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        sys.exit(f"cgnf-top: --redis {address}: expected HOST:PORT or unix:PATH")
    return redis.Redis(host=host.strip("[]"), port=int(port), password=password, decode_responses=True,
                       socket_timeout=5)


def read_hashes(client, pattern):
    """{key: fields} of every key matching pattern (SCAN, then one pipeline)."""
    keys = list(client.scan_iter(match=pattern, count=1000))
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.hgetall(key)
    return {key: fields for key, fields in zip(keys, pipe.execute()) if fields}


def snapshot(client):
    instances = sorted(read_hashes(client, INSTANCE_PATTERN).values(), key=lambda i: i.get("instance", ""))
    pairs = list(read_hashes(client, PAIR_PATTERN).values())
    cg = client.zcard(CG_KEY)
    return instances, pairs, cg


def number(fields, key, kind=int):
    try:
        return kind(fields.get(key, 0))
    except ValueError:
        return kind(0)


def render(address, instances, pairs, cg, rows, now):
    lines = [f"cgnf-top  {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(now))} UTC  redis {address}",
             f"instances {len(instances)} | pairs {len(pairs)} | cg pairs {cg} | reports/s "
             f"{sum(number(i, 'reports_per_s', float) for i in instances):.0f}",
             "",
             f"{'INSTANCE':<20} {'AGE':>6} {'REPORTS/S':>11} {'RX/S':>11} {'REPORTS':>12} {'PAIRS':>9} "
             f"{'CG PAIRS':>9} {'DROPPED':>9}  MODEL"]
    for i in instances:
        age = now - number(i, "updated", float)
        lines.append(f"{i.get('instance', '?'):<20} {age:>5.1f}s {number(i, 'reports_per_s', float):>11.0f} "
                     f"{number(i, 'rx_packets_per_s', float):>11.0f} {number(i, 'reports'):>12} "
                     f"{number(i, 'pairs'):>9} {number(i, 'cg_pairs'):>9} {number(i, 'dropped_total'):>9}  "
                     f"{i.get('model', '')}")
    lines += ["",
              f"{'IP1':<40} {'IP2':<40} {'NB CG':>9} {'NB NCG':>9} {'RATIO':>9} {'VERDICT':<8} INSTANCE"]
    pairs.sort(key=lambda p: (-(number(p, "cg") + number(p, "ncg")), p.get("ip1", ""), p.get("ip2", "")))
    shown = pairs if rows == 0 else pairs[:rows]
    for p in shown:
        lines.append(f"{p.get('ip1', '?'):<40} {p.get('ip2', '?'):<40} {number(p, 'cg'):>9} "
                     f"{number(p, 'ncg'):>9} {number(p, 'ratio', float):>9.6f} {p.get('verdict', '?'):<8} "
                     f"{p.get('instance', '?')}")
    if len(shown) < len(pairs):
        lines.append(f"... {len(pairs) - len(shown)} more pairs")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="127.0.0.1:6379", help="HOST:PORT or unix:PATH (default %(default)s)")
    parser.add_argument("--password-file", help="Redis password: the file's first line "
                                                "(default: $CGNF_REDIS_PASSWORD, else none)")
    parser.add_argument("--once", action="store_true", help="print one screen and exit")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between screens (default 1)")
    parser.add_argument("--rows", type=int, default=30, help="pairs shown, busiest first (0: all; default 30)")
    args = parser.parse_args()
    password = os.environ.get("CGNF_REDIS_PASSWORD")
    if args.password_file:
        with open(args.password_file) as f:
            password = f.readline().rstrip("\r\n")
    client = connect(args.redis, password)
    try:
        while True:
            screen = render(args.redis, *snapshot(client), args.rows, time.time())
            if args.once:
                print(screen)
                return 0
            sys.stdout.write("\033[H\033[2J" + screen + "\n")
            sys.stdout.flush()
            time.sleep(args.interval)
    except redis.RedisError as error:
        print(f"cgnf-top: {args.redis}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
