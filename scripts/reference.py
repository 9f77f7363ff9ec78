#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""An independent Python reference of cgnf's counts, for the tests.

    scripts/reference.py --model MODEL [--lan PREFIX]... [--probe PREFIX]...
                         [--udp-port 5000] --csv OUT.csv [--summary OUT.json] PCAP...

Reads the pcaps in order, applies cgnf's acceptance rules (cgnf_pcap's
decoder, then a strict JSON reading of the report), orients each report
against the LAN prefixes, computes the 12 features in the model's order and
lets scikit-learn itself predict: a joblib model directly, cgnf's JSON model
rebuilt into a real DecisionTreeClassifier by model_json.load_model_json.

Writes ip1,ip2,cg,ncg per pair (ip1 the client side, or the first report's
SRC when neither or both ends are in the LAN) in cgnf's order (ip1's 16
bytes, then ip2's, IPv4 as ::ffff:a.b.c.d), and a summary {"rx_packets", "reports", "dropped": {reason: n}, ...}.
Frame-level reasons are cgnf's exactly; payload reasons are this script's
best guess at the first fault cgnf's parser meets.
"""

import argparse
import csv
import json
import math
import os
import socket
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cgnf_pcap as pcap  # noqa: E402

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
MAX_PORT = 65535
JSON_SPACE = b" \t\n\r"
IP_TEXT_MAX = 46  # lib/ip.h: the longest address text, NUL included
FEATURE_COUNT = 12
# 2^128 - 2^103: the first magnitude that float32 rounds to infinity (lib/features.h).
FLOAT32_ROUNDING_LIMIT = 2.0 ** 128 - 2.0 ** 103


class Refused(Exception):
    """A report cgnf refuses; args[0] is the drop reason's name."""


def _refuse_constant(name):
    raise Refused("report_nan_or_infinity")


def _parse_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise Refused("report_number_overflow")
    return value


def _parse_int(text):
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise Refused("report_number_overflow")
    return value


def _syntax_reason(error, text):
    message = error.msg
    if message.startswith("Extra data"):
        return "report_trailing_bytes"
    if message.startswith("Invalid control character"):
        return "report_control_character"
    if message.startswith("Invalid \\"):
        return "report_bad_string"
    if message.startswith("Unterminated string") or not text[error.pos:].strip():
        return "report_truncated"
    return "report_bad_syntax"


def parse_address(text):
    """inet_pton's reading (IPv4 first, then IPv6) -> 16-byte key, or None."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            packed = socket.inet_pton(family, text)
        except (OSError, ValueError, UnicodeError):
            continue
        if family == socket.AF_INET:
            return 0xFFFF00000000 | int.from_bytes(packed, "big")
        return int.from_bytes(packed, "big")
    return None


def _is_number(value):
    # bool is an int in Python, never a number in JSON.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_string(value):
    if not isinstance(value, str):
        raise Refused("report_not_a_string")
    # Python's json lets lone surrogate escapes through; a strict parser does not.
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise Refused("report_bad_string")
    if len(value.encode("utf-8", "surrogatepass")) >= IP_TEXT_MAX:
        raise Refused("report_string_too_long")
    key = parse_address(value)
    if key is None:
        raise Refused("report_bad_address")
    return key


def _text_version(text):
    """4 for a dotted quad, 6 otherwise (an IPv6 text always has a ':')."""
    return 6 if ":" in text else 4


def _check_port(value):
    if not _is_number(value):
        raise Refused("report_not_a_number")
    if not isinstance(value, int) or not 0 <= value <= MAX_PORT:
        raise Refused("report_bad_port")
    return value


def _check_stats(value):
    if not isinstance(value, list):
        raise Refused("report_not_a_list")
    if len(value) != 5:
        raise Refused("report_stats_arity")
    for item in value:
        if not _is_number(item):
            raise Refused("report_not_a_number")
    stats = [float(item) for item in value]
    # Count, size mean and IAT mean cannot be negative; variances are not checked.
    if stats[0] < 0 or stats[1] < 0 or stats[3] < 0:
        raise Refused("report_negative_value")
    return stats


def parse_report(data):
    """One datagram payload -> (None, (src, src_port, dst, dst_port, up, down))
    with addresses as 16-byte keys and stats as floats, or (reason, None)."""
    if not data.strip(JSON_SPACE):
        return "report_empty", None
    if not data.lstrip(JSON_SPACE).startswith(b"["):
        return "report_not_array", None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "report_bad_string", None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_parse_float,
                           parse_int=_parse_int)
        if not isinstance(value, list):
            raise Refused("report_not_array")
        if len(value) != 6:
            raise Refused("report_wrong_arity")
        src, src_port, dst, dst_port, up, down = value
        # The last two: each address's family as written ("::ffff:a.b.c.d" is IPv6).
        report = (_check_string(src), _check_port(src_port), _check_string(dst), _check_port(dst_port),
                  _check_stats(up), _check_stats(down), _text_version(src), _text_version(dst))
    except Refused as refused:
        return refused.args[0], None
    except json.JSONDecodeError as error:
        return _syntax_reason(error, text), None
    except RecursionError:
        return "report_too_deep", None
    return None, report


def orient(report, lan):
    """(client key, server key, 12 features): when SRC is outside the LAN and
    DST inside, the pair and the halves are swapped."""
    src, _, dst, _, up, down, src_version, dst_version = report
    if not pcap.prefixes_contain(lan, src, src_version) and pcap.prefixes_contain(lan, dst, dst_version):
        src, dst, up, down = dst, src, down, up
    features = []
    for half in (down, up):
        count, size_mean, size_var, iat_mean, iat_var = half
        features += [size_mean, size_var, iat_mean, iat_var, size_mean * count, count]
    return src, dst, features


def load_model(path):
    """(classifier, the class that means cloud gaming)."""
    if path.endswith(".json"):
        from model_json import load_model_json
        with open(path, encoding="utf-8") as source:
            cg_index = json.load(source)["cg_class"]
        model = load_model_json(path)
        return model, model.classes_[cg_index]
    import joblib
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = joblib.load(path)
    for value in model.classes_:
        # export_model.py's rule: the class True, or else 1.
        if isinstance(value, (bool, np.bool_)):
            if value:
                return model, value
        elif isinstance(value, (int, np.integer)) and value == 1:
            return model, value
    raise ValueError(f"{path}: no class is True or 1 in {list(model.classes_)}")


class Reference:
    """Counts, per pair, what cgnf would count."""

    def __init__(self, lan=(), probes=(), udp_port=5000):
        self.lan = pcap.parse_prefixes(lan)
        self.probes = pcap.parse_prefixes(probes)
        self.udp_port = udp_port
        self.rx_packets = 0
        self.dropped = {}
        self.pairs = {}  # unordered key -> [ip1, ip2]
        self.report_pairs = []
        self.features = []

    def outcome(self, frame):
        """Drop reason name for one frame, or None once it is counted as a report."""
        self.rx_packets += 1
        decoded = pcap.decode_frame(frame, self.udp_port, self.probes)
        if decoded.reason is not None:
            self.dropped[decoded.reason] = self.dropped.get(decoded.reason, 0) + 1
            return decoded.reason
        return self._report(decoded.payload)

    def text_outcome(self, payload):
        """The same for a report's text alone (bytes), e.g. a line of a file
        of report texts: only the report's own rules apply."""
        self.rx_packets += 1
        return self._report(payload)

    def _report(self, payload):
        reason, report = parse_report(payload)
        if reason is not None:
            self.dropped[reason] = self.dropped.get(reason, 0) + 1
            return reason
        client, server, features = orient(report, self.lan)
        if any(abs(value) >= FLOAT32_ROUNDING_LIMIT for value in features):
            # sklearn would raise on it ("too large for dtype('float32')").
            reason = "report_beyond_float"
            self.dropped[reason] = self.dropped.get(reason, 0) + 1
            return reason
        key = (min(client, server), max(client, server))
        self.pairs.setdefault(key, [client, server])
        self.report_pairs.append(key)
        self.features.append(features)
        return None

    def counts(self, model, cg_class):
        """{(ip1 text, ip2 text): (cg, ncg)} after predicting every report,
        in cgnf's CSV order (lib/output.h): by ip1's 16 bytes, then ip2's."""
        tally = {key: [0, 0] for key in self.pairs}
        if self.features:
            predicted = model.predict(np.array(self.features, dtype=np.float64)) == cg_class
            for key, is_cg in zip(self.report_pairs, predicted.tolist()):
                tally[key][0 if is_cg else 1] += 1
        ordered = sorted(tally, key=lambda key: self.pairs[key])
        return {tuple(pcap.key_text(k) for k in self.pairs[key]): tuple(tally[key]) for key in ordered}

    def summary(self, counts):
        return {
            "rx_packets": self.rx_packets,
            "reports": len(self.report_pairs),
            "dropped": dict(sorted(self.dropped.items())),
            "pairs": len(counts),
            "cg_reports": sum(cg for cg, _ in counts.values()),
            "ncg_reports": sum(ncg for _, ncg in counts.values()),
        }


def write_csv(path, counts):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["ip1", "ip2", "cg", "ncg"])
        for (ip1, ip2), (cg, ncg) in counts.items():
            writer.writerow([ip1, ip2, cg, ncg])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pcaps", nargs="+", metavar="PCAP")
    parser.add_argument("--model", required=True, help="joblib DecisionTreeClassifier or cgnf JSON model")
    parser.add_argument("--lan", action="append", default=[], help="LAN (client) prefix, repeatable")
    parser.add_argument("--probe", action="append", default=[],
                        help="allowed probe source prefix, repeatable (default: any source)")
    parser.add_argument("--udp-port", type=int, default=5000)
    parser.add_argument("--csv", help="per-pair counts to write")
    parser.add_argument("--summary", help="JSON summary to write (default: print it)")
    args = parser.parse_args()

    model, cg_class = load_model(args.model)
    reference = Reference(args.lan, args.probe, args.udp_port)
    for path in args.pcaps:
        for packet in pcap.read_pcap(path):
            reference.outcome(packet.data)
    counts = reference.counts(model, cg_class)
    if args.csv:
        write_csv(args.csv, counts)
    summary = json.dumps(reference.summary(counts), indent=1)
    if args.summary:
        with open(args.summary, "w") as out:
            out.write(summary + "\n")
    else:
        print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
