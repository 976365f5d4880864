"""Times Google's C++ SentencePiece (through its Python binding) for the
gemmatok benchmark harness, which embeds this script and runs it as

  python3 -c SCRIPT MODEL BUDGET_SECONDS MAX_RUNS FILE...

It loads MODEL, then encodes every FILE as one text ("whole") and line by line
(split on \\n, each line encoded on its own, as "lines"), timing encode inside
this process so that neither the model load nor the interpreter start counts,
by the wall clock and by the process's CPU time. Each mode runs at least once
and at most MAX_RUNS times; no further run starts that would likely take the
wall time spent on the mode past BUDGET_SECONDS. Instead of the ids it reports
their count and a SHA-256 over them, which the harness computes the same way:

  whole: the ids as little-endian int32
  lines: each line's ids followed by -1, all as little-endian int32

It writes one JSON object to stdout:

  {"version": V, "load": {"seconds": [...], "cpu_seconds": [...]},
   "files": [{"path": P, "whole": {"seconds": [...], "cpu_seconds": [...],
                                   "count": N, "sha256": H},
                         "lines": {...}}, ...]}
"""
import hashlib
import json
import struct
import sys
import time

import sentencepiece as spm


def timed(fn, budget, max_runs):
    """Runs fn at least once and at most max_runs times, starting no run
    that would likely end past budget seconds (wall) in all; returns the run
    times, wall and CPU, and fn's last result."""
    times, spent, result = {"seconds": [], "cpu_seconds": []}, 0.0, None
    wall = times["seconds"]
    while not wall or (len(wall) < max_runs and spent + wall[-1] <= budget):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        dt = time.perf_counter() - t0
        times["cpu_seconds"].append(time.process_time() - c0)
        wall.append(dt)
        spent += dt
    return times, result


def pack(ids):
    return struct.pack("<%di" % len(ids), *ids)


def main():
    model, budget, max_runs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    sp = spm.SentencePieceProcessor()
    loads, _ = timed(lambda: sp.Load(model_file=model), float("inf"), 3)

    files = []
    for path in sys.argv[4:]:
        with open(path, "rb") as f:
            data = f.read()
        lines = data.split(b"\n")

        times, ids = timed(lambda: sp.encode(data), budget, max_runs)
        whole = dict(times, count=len(ids), sha256=hashlib.sha256(pack(ids)).hexdigest())

        # A Python loop rather than sp.encode(lines): the list form may
        # spread the lines over threads, and this benchmark is single-thread.
        times, per_line = timed(lambda: [sp.encode(l) for l in lines], budget, max_runs)
        h, count = hashlib.sha256(), 0
        for ids in per_line:
            h.update(pack(ids + [-1]))
            count += len(ids)
        by_line = dict(times, count=count, sha256=h.hexdigest())

        files.append({"path": path, "whole": whole, "lines": by_line})

    json.dump({"version": spm.__version__, "load": loads, "files": files}, sys.stdout)


if __name__ == "__main__":
    main()
