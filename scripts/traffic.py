# SPDX-License-Identifier: BSD-3-Clause
"""Synthetic traffic, packet by packet, reduced to what the probe reports.

Each kind of traffic is a small packet-level model (periodic streams, video
frames cut into MTU-sized packets, TCP transfers with their ACKs, Poisson
queries) with per-conversation parameters drawn at random.  The packets of
both directions are then cut into the probe's 33 ms windows and reduced to
its five numbers per direction:

    count, size mean, size variance, IAT mean (us), IAT variance

as the probe computes them: population variances, each packet's IAT is the
gap since the previous packet of its direction (0 for the first one), a
direction with one packet in a window reports its IAT as both mean and
variance (the probe does so), and with none, five zeros.  Values are rounded
to float32, which the probe stores, and printed with %.8g.

All randomness comes from the numpy Generator passed in, so a seed gives the
same bytes every time.

    stats = simulate("cloud_gaming", spans_us, rng)
    texts = format_halves(stats.up, stats.down)
"""

import collections

import numpy as np

WINDOW_US = 33000

# Kind name -> is it cloud gaming.  The names are those of the probe's labels.
KINDS = {
    "cloud_gaming": True,
    "voip": False,
    "online_game": False,
    "visio": False,
    "vod_streaming": False,
    "bulk_download": False,
    "dns": False,
}

# Per-window reports of a set of conversations, sorted by (conv, window).
# up / down: float32 arrays (n, 5) in the order of the report's halves.
WindowStats = collections.namedtuple("WindowStats", "conv window up down")

# One direction's packets: conversation index, time (us), size (bytes).
Packets = collections.namedtuple("Packets", "conv time size")


def positions(counts):
    """For per-conversation counts: the conversation of each item and its
    index inside its conversation (a vectorised nested arange)."""
    counts = np.asarray(counts, dtype=np.int64)
    conv = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return conv, np.arange(conv.size) - starts[conv]


def _concat(*parts):
    return Packets(*(np.concatenate([getattr(p, field) for p in parts]) for field in Packets._fields))


def _periodic(rng, period_us, spans_us, jitter_us):
    """One packet every period (per conversation) from a random phase, each
    moved by Gaussian jitter.  Returns (conv, time)."""
    period_us = np.broadcast_to(period_us, spans_us.shape)
    phase = rng.uniform(0, period_us)
    counts = np.maximum(np.floor((spans_us - phase) / period_us).astype(np.int64) + 1, 0)
    conv, index = positions(counts)
    jitter = np.broadcast_to(jitter_us, spans_us.shape)[conv]
    time = phase[conv] + index * period_us[conv] + rng.normal(0, 1, conv.size) * jitter
    return conv, time


def _sizes(rng, conv, n, mean, sd, low, high):
    """Packet sizes around a per-conversation mean, whole bytes."""
    mean = np.broadcast_to(mean, (n,))
    sd = np.broadcast_to(sd, (n,))
    return np.clip(np.rint(rng.normal(mean[conv], sd[conv])), low, high)


def _video(rng, spans_us, fps, bitrate_bps, packet_size, pacing_us, frame_jitter_us, keyframe_s):
    """Video frames at fps, each cut into packet_size packets sent pacing_us
    apart, the last one holding the remainder.  Frame sizes follow the
    bitrate, a slowly changing scene complexity, per-frame noise and a bigger
    key frame every keyframe_s seconds."""
    n = spans_us.size
    frame_conv, frame_time = _periodic(rng, 1e6 / fps, spans_us, frame_jitter_us)
    frame_index = positions(np.bincount(frame_conv, minlength=n))[1]
    seconds = int(spans_us.max() // 1e6) + 1 if n else 1
    scene = rng.lognormal(0, 0.25, (n, seconds))
    # Now and then a still second (a menu, a loading screen, a pause).
    scene = np.where(rng.random((n, seconds)) < 0.08, scene * rng.uniform(0.05, 0.3, (n, seconds)), scene)
    frame_bytes = (bitrate_bps[frame_conv] / 8 / fps[frame_conv]
                   * scene[frame_conv, np.minimum(frame_time // 1e6, seconds - 1).clip(0).astype(np.int64)]
                   * rng.lognormal(0, 0.2, frame_conv.size))
    keyframe = frame_index % np.maximum(np.rint(keyframe_s * fps).astype(np.int64), 1)[frame_conv] == 0
    frame_bytes = np.where(keyframe, frame_bytes * 3, frame_bytes)
    per_packet = packet_size[frame_conv]
    packets = np.maximum(np.ceil(frame_bytes / per_packet).astype(np.int64), 1)

    frame_of_packet, index = positions(packets)
    conv = frame_conv[frame_of_packet]
    gap = pacing_us[conv] * rng.uniform(0.7, 1.3, conv.size)
    time = frame_time[frame_of_packet] + index * gap
    last = index == packets[frame_of_packet] - 1
    remainder = frame_bytes[frame_of_packet] - (packets[frame_of_packet] - 1) * per_packet[frame_of_packet]
    size = np.where(last, np.clip(np.rint(remainder), 60, per_packet[frame_of_packet]),
                    per_packet[frame_of_packet])
    return Packets(conv, time, size)


def _lossy(rng, packets, loss):
    """Drops each packet with its conversation's loss probability."""
    kept = rng.random(packets.conv.size) >= loss[packets.conv]
    return Packets(packets.conv[kept], packets.time[kept], packets.size[kept])


def _tcp_transfer(rng, conv, time, mss, ack_every=2):
    """Data packets of mss bytes at the given times, and the ACKs going back
    (one per ack_every segments, a little later)."""
    data = Packets(conv, time, mss[conv].astype(np.float64))
    acked = (np.arange(conv.size) % ack_every) == ack_every - 1
    ack_conv = conv[acked]
    ack_time = time[acked] + rng.uniform(20, 200, ack_conv.size)
    ack_size = np.clip(np.rint(rng.normal(62, 10, ack_conv.size)), 52, 90)
    return data, Packets(ack_conv, ack_time, ack_size)


def _group_cumsum(values, counts):
    """Running sums restarting at each conversation (every count > 0)."""
    total = np.cumsum(values)
    first = np.cumsum(counts) - counts
    return total - np.repeat(total[first] - values[first], counts)


def _rate_times(rng, spans_us, rate_bps, mss, slot_s=0.1):
    """Departure times of mss-byte segments at a rate that wanders (TCP's
    congestion control and cross traffic): a random walk of the rate, one
    step per 100 ms.  Segments are spaced evenly in a virtual time that runs
    as fast as the rate, then mapped back to real time."""
    n = spans_us.size
    slot_us = slot_s * 1e6
    slots = int(spans_us.max() // slot_us) + 1
    factor = np.exp(np.cumsum(rng.normal(0, 0.12, (n, slots)), axis=1)).clip(0.3, 2.0)
    virtual_edges = np.zeros((n, slots + 1))
    virtual_edges[:, 1:] = np.cumsum(factor * slot_us, axis=1)
    mean_gap = mss * 8 / rate_bps * 1e6
    virtual_span = virtual_edges[np.arange(n), np.minimum(np.ceil(spans_us / slot_us).astype(np.int64), slots)]
    counts = np.ceil(virtual_span / mean_gap * 1.3).astype(np.int64) + 8
    conv, _ = positions(counts)
    virtual = _group_cumsum(rng.gamma(8.0, 1 / 8.0, conv.size) * mean_gap[conv], counts)
    # Make the edges one increasing array to search all conversations at once.
    lift = virtual_edges[:, -1].max() + 1.0
    flat = (virtual_edges[:, :-1] + lift * np.arange(n)[:, None]).ravel()
    slot = np.searchsorted(flat, virtual + lift * conv, side="right") - 1 - conv * slots
    slot = np.clip(slot, 0, slots - 1)
    time = slot * slot_us + (virtual - virtual_edges[conv, slot]) / factor[conv, slot]
    keep = time < spans_us[conv]
    return conv[keep], time[keep]


# The kinds -------------------------------------------------------------------


def _cloud_gaming(rng, spans_us):
    """Downstream: 30-120 fps video at 10-45 Mb/s in 1.2-1.4 kB packets paced
    by the server (up to 1% lost), plus game audio every 10 or 20 ms.
    Upstream: controller input and feedback every few ms, small packets."""
    n = spans_us.size
    fps = rng.choice([30.0, 60.0, 60.0, 60.0, 90.0, 120.0], n)
    bitrate = rng.uniform(10e6, 45e6, n)
    packet_size = rng.integers(1200, 1401, n).astype(np.float64)
    pacing = rng.uniform(8, 80, n)
    video = _video(rng, spans_us, fps, bitrate, packet_size, pacing, rng.uniform(200, 2000, n),
                   rng.uniform(1, 4, n))
    video = _lossy(rng, video, rng.uniform(0, 0.01, n))
    audio_conv, audio_time = _periodic(rng, rng.choice([10000.0, 20000.0], n), spans_us, 300.0)
    audio = Packets(audio_conv, audio_time, _sizes(rng, audio_conv, n, rng.uniform(150, 300, n), 30, 80, 500))

    input_conv, input_time = _periodic(rng, rng.uniform(2500, 8000, n), spans_us, rng.uniform(50, 500, n))
    inputs = Packets(input_conv, input_time,
                     _sizes(rng, input_conv, n, rng.uniform(90, 140, n), rng.uniform(10, 45, n), 60, 400))
    feedback_conv, feedback_time = _periodic(rng, rng.uniform(20000, 100000, n), spans_us, 1000.0)
    feedback = Packets(feedback_conv, feedback_time, _sizes(rng, feedback_conv, n, 250, 60, 80, 600))
    return _concat(inputs, feedback), _concat(video, audio)


def _voip(rng, spans_us):
    """Both ways a packet per 20 ms (sometimes 10 or 30), codec-sized; with
    some conversations silence-suppressed: between talk spurts only a small
    comfort-noise packet every 160 ms."""
    n = spans_us.size
    ptime = rng.choice([10000.0, 20000.0, 20000.0, 20000.0, 30000.0], n)
    halves = []
    for jitter in (rng.uniform(50, 400, n), rng.uniform(200, 2500, n)):
        conv, time = _periodic(rng, ptime, spans_us, jitter)
        size = _sizes(rng, conv, n, rng.uniform(80, 220, n), rng.uniform(1, 25, n), 60, 400)
        # Talk spurts: on/off of about 1-2 s for the conversations with DTX.
        dtx = rng.random(n) < 0.4
        spurt = rng.uniform(0.8e6, 2.5e6, n)
        talking = ((time + rng.uniform(0, 1e6, n)[conv]) // spurt[conv]) % 2 == 0
        comfort = ~talking & (np.rint(time / ptime[conv]) % 8 == 0)
        keep = ~dtx[conv] | talking | comfort
        size = np.where(dtx[conv] & ~talking, np.minimum(size, 70), size)
        halves.append(Packets(conv[keep], time[keep], size[keep]))
    return halves[0], halves[1]


def _online_game(rng, spans_us):
    """Client ticks at 30-128 Hz with small packets; server snapshots at
    15-64 Hz, bigger and of varying size, some lost."""
    n = spans_us.size
    up_conv, up_time = _periodic(rng, 1e6 / rng.uniform(30, 128, n), spans_us, rng.uniform(100, 1500, n))
    up = Packets(up_conv, up_time, _sizes(rng, up_conv, n, rng.uniform(45, 110, n), rng.uniform(5, 30, n), 40, 300))
    down_conv, down_time = _periodic(rng, 1e6 / rng.uniform(15, 64, n), spans_us, rng.uniform(300, 3000, n))
    kept = rng.random(down_conv.size) > 0.03
    down_conv, down_time = down_conv[kept], down_time[kept]
    down = Packets(down_conv, down_time,
                   _sizes(rng, down_conv, n, rng.uniform(120, 600, n), rng.uniform(30, 200, n), 60, 1400))
    return up, down


def _visio(rng, spans_us):
    """A video call: both ways 15-30 fps video at 0.3-2.5 Mb/s (up to 4 Mb/s
    for a shared screen) in packets of up to 1.0-1.2 kB, and audio every
    20 ms."""
    n = spans_us.size
    halves = []
    for _ in range(2):
        fps = rng.choice([15.0, 24.0, 30.0], n)
        bitrate = np.where(rng.random(n) < 0.2, rng.uniform(2e6, 4e6, n), rng.uniform(0.3e6, 2.5e6, n))
        video = _video(rng, spans_us, fps, bitrate,
                       rng.integers(1000, 1201, n).astype(np.float64), rng.uniform(100, 1500, n),
                       rng.uniform(1000, 6000, n), rng.uniform(2, 10, n))
        audio_conv, audio_time = _periodic(rng, 20000.0, spans_us, rng.uniform(100, 2000, n))
        audio = Packets(audio_conv, audio_time,
                        _sizes(rng, audio_conv, n, rng.uniform(90, 160, n), rng.uniform(5, 20, n), 60, 300))
        halves.append(_concat(video, audio))
    return halves[0], halves[1]


def _vod_streaming(rng, spans_us):
    """Adaptive streaming over TCP: a start-up burst that fills the buffer,
    then one segment of 2-6 s of video every 2-6 s, each fetched at 20-100
    Mb/s; silent between segments."""
    n = spans_us.size
    mss = rng.choice([1350.0, 1400.0, 1448.0, 1460.0], n)
    link = rng.uniform(20e6, 100e6, n)
    conv, time = _rate_times(rng, spans_us, link, mss)
    segment_s = rng.uniform(2, 6, n)
    video_rate = rng.uniform(3e6, 15e6, n)
    # Share of each segment period spent downloading.
    duty = np.clip(video_rate / link, 0.03, 0.9)
    startup_us = rng.uniform(1e6, 3e6, n)
    period = segment_s * 1e6
    phase = (time - startup_us[conv]) % period[conv]
    downloading = (time < startup_us[conv]) | (phase < duty[conv] * period[conv])
    data, acks = _tcp_transfer(rng, conv[downloading], time[downloading], mss)
    return acks, data


def _bulk_download(rng, spans_us):
    """One long TCP download at 5-100 Mb/s whose rate wanders, full-sized
    segments down, delayed ACKs up."""
    n = spans_us.size
    mss = rng.choice([1350.0, 1400.0, 1448.0, 1460.0], n)
    conv, time = _rate_times(rng, spans_us, rng.uniform(5e6, 100e6, n), mss)
    data, acks = _tcp_transfer(rng, conv, time, mss)
    return acks, data


def _dns(rng, spans_us):
    """A client and its resolver: sparse queries (the first at once), each
    answered after 2-80 ms, sometimes in two packets."""
    n = spans_us.size
    rate = rng.uniform(0.3, 4.0, n) / 1e6
    counts = rng.poisson(rate * spans_us) + 1
    conv, index = positions(counts)
    time = np.where(index == 0, 0.0, rng.uniform(0, spans_us[conv]))
    query = Packets(conv, time, _sizes(rng, conv, n, rng.uniform(30, 70, n), 8, 28, 300))
    delay = rng.uniform(2000, 80000, conv.size)
    answer_size = _sizes(rng, conv, n, rng.uniform(80, 350, n), 60, 40, 1232)
    answers = Packets(conv, time + delay, answer_size)
    second = rng.random(conv.size) < 0.1
    extra = Packets(conv[second], time[second] + delay[second] * 1.5, answer_size[second])
    return query, _concat(answers, extra)


_MODELS = {
    "cloud_gaming": _cloud_gaming,
    "voip": _voip,
    "online_game": _online_game,
    "visio": _visio,
    "vod_streaming": _vod_streaming,
    "bulk_download": _bulk_download,
    "dns": _dns,
}


# From packets to probe reports ----------------------------------------------


def _direction_stats(packets, spans_us, n_windows_total, window_base):
    """Per (conversation, window) stats of one direction, as dense rows
    indexed by window_base[conv] + window."""
    keep = (packets.time >= 0) & (packets.time < spans_us[packets.conv])
    conv, time, size = packets.conv[keep], np.rint(packets.time[keep]), packets.size[keep]
    # One int64 key (times stay below 2^40 us): a stable sort of it is much
    # cheaper than lexsort on runs that are already mostly in order.
    order = np.argsort(conv.astype(np.int64) << 40 | time.astype(np.int64), kind="stable")
    conv, time, size = conv[order], time[order], size[order]

    iat = np.diff(time, prepend=0.0)
    first = np.ones(conv.size, dtype=bool)
    first[1:] = conv[1:] != conv[:-1]
    iat[first] = 0.0

    row = window_base[conv] + (time // WINDOW_US).astype(np.int64)
    count = np.bincount(row, minlength=n_windows_total).astype(np.float64)
    safe = np.maximum(count, 1)

    def mean_var(values):
        mean = np.bincount(row, values, n_windows_total) / safe
        # Two passes: subtracting the mean first keeps the variance exact.
        spread = values - mean[row]
        return mean, np.bincount(row, spread * spread, n_windows_total) / safe

    size_mean, size_var = mean_var(size)
    iat_mean, iat_var = mean_var(iat)
    iat_var = np.where(count == 1, iat_mean, iat_var)
    return np.stack([count, size_mean, size_var, iat_mean, iat_var], axis=1).astype(np.float32)


def packets_to_windows(up, down, spans_us):
    """Cuts both directions into 33 ms windows; keeps the windows that saw a
    packet either way (the probe reports nothing for a silent window)."""
    spans_us = np.asarray(spans_us, dtype=np.float64)
    windows = np.ceil(spans_us / WINDOW_US).astype(np.int64)
    base = np.cumsum(windows) - windows
    total = int(windows.sum())
    up_rows = _direction_stats(up, spans_us, total, base)
    down_rows = _direction_stats(down, spans_us, total, base)
    active = np.flatnonzero((up_rows[:, 0] > 0) | (down_rows[:, 0] > 0))
    conv = np.repeat(np.arange(windows.size), windows)[active]
    return WindowStats(conv, active - base[conv], up_rows[active], down_rows[active])


def simulate(kind, spans_us, rng):
    """Simulates len(spans_us) conversations of one kind, each lasting its
    span (us) from time 0; returns their non-silent windows."""
    spans_us = np.asarray(spans_us, dtype=np.float64)
    if spans_us.size == 0:
        empty = np.zeros((0, 5), dtype=np.float32)
        return WindowStats(np.zeros(0, np.int64), np.zeros(0, np.int64), empty, empty)
    up, down = _MODELS[kind](rng, spans_us)
    return packets_to_windows(up, down, spans_us)


# Text ------------------------------------------------------------------------

_HALVES = "[%d,%.8g,%.8g,%.8g,%.8g],[%d,%.8g,%.8g,%.8g,%.8g]"


def format_halves(up, down):
    """The two stats lists of each report, printed as the probe prints them:
    the count as an integer, the other numbers with %.8g of their float32."""
    rows = np.concatenate([up, down], axis=1).astype(np.float64)
    rows[:, [0, 5]] = np.rint(rows[:, [0, 5]])
    return [_HALVES % tuple(row) for row in rows.tolist()]


def report_text(src, src_port, dst, dst_port, halves):
    return '["%s",%d,"%s",%d,%s]' % (src, src_port, dst, dst_port, halves)
