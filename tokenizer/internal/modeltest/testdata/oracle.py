"""Model-level oracle for the tests of the segmentation models (package modeltest): C++
SentencePiece 0.1.97 behind its Python binding, one JSON request per line on
stdin and one JSON answer per line on stdout. Texts travel base64-encoded.

The tests send text that the model's identity normalizer leaves as it is, so
the pieces' offsets are offsets in the normalized text; a byte-fallback
piece covers its byte.

  {"op": "load", "path": P} or {"op": "load", "model_b64": B} -> {"size": N}
  {"op": "encode", "texts": [B64, ...]}           -> {"pieces": [[[id, begin, end], ...], ...]}
  {"op": "normalize", "texts": [B64, ...]}        -> {"texts": [B64, ...]} (the normalized texts, read
                                                     off the pieces: a byte piece <0xHH> stands for its byte)
  {"op": "nbest", "texts": [B64, ...], "n": N}    -> {"nbests": [[{"score": S, "pieces": [...]}, ...], ...]}
  {"op": "sample", "text": B64, "alpha": A, "nbest_size": K, "count": C, "seed": R}
                                                   -> {"samples": {"end,end,...": count, ...}}
  {"op": "time", "texts": [B64, ...], "repeat": R} -> {"seconds": S} (best of R runs of sp.encode over texts,
                                                     in CPU time of the thread, which other processes on a
                                                     loaded machine do not inflate)
"""
import base64
import importlib.util
import os
import struct
import time

import sentencepiece as spm


def _repo_oracle():
    """The repository's testdata/oracle.py, whose protobuf reader and
    request loop this script shares."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "testdata", "oracle.py")
    spec = importlib.util.spec_from_file_location("repo_oracle", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_repo = _repo_oracle()
fields = _repo.proto_fields


def spt_pieces(sp, b):
    """The pieces of a serialized SentencePieceText as [id, begin, end] in
    the normalized text, and its score. The offsets are counted from the
    pieces' texts, not read from the proto: those map back through the
    normalizer, which treats a user-defined piece in the input specially."""
    out, score, pos = [], 0.0, 0
    for f, v in fields(b):
        if f == 2:
            p = {1: b"", 2: 0}
            p.update(fields(v))
            n = 1 if sp.IsByte(p[2]) else len(p[1])
            out.append([p[2], pos, pos + n])
            pos += n
        elif f == 3:
            score = struct.unpack("<f", v)[0]
    return out, score


def answer(sp, op, req):
    """The answer to one request of the ops above, "load" aside."""
    if op == "encode":
        return {"pieces": [spt_pieces(sp, sp.encode(base64.b64decode(t), out_type="serialized_proto"))[0]
                          for t in req["texts"]]}
    elif op == "normalize":
        out = []
        for t in req["texts"]:
            norm = []
            for f, v in fields(sp.encode(base64.b64decode(t), out_type="serialized_proto")):
                if f == 2:
                    p = {1: b"", 2: 0}
                    p.update(fields(v))
                    norm.append(bytes([int(p[1][3:5], 16)]) if sp.IsByte(p[2]) else p[1])
            out.append(base64.b64encode(b"".join(norm)).decode())
        return {"texts": out}
    elif op == "nbest":
        all_ = []
        for t in req["texts"]:
            b = sp.nbest_encode(base64.b64decode(t), nbest_size=req["n"], out_type="serialized_proto")
            lst = []
            for f, v in fields(b):
                if f == 1:
                    ps, score = spt_pieces(sp, v)
                    lst.append({"score": score, "pieces": ps})
            all_.append(lst)
        return {"nbests": all_}
    elif op == "sample":
        spm.SetRandomGeneratorSeed(req["seed"])
        text = base64.b64decode(req["text"])
        counts = {}
        for _ in range(req["count"]):
            ps, _s = spt_pieces(sp, sp.encode(text, out_type="serialized_proto", enable_sampling=True,
                                              alpha=req["alpha"], nbest_size=req["nbest_size"]))
            key = ",".join(str(p[2]) for p in ps)
            counts[key] = counts.get(key, 0) + 1
        return {"samples": counts}
    elif op == "time":
        texts = [base64.b64decode(t) for t in req["texts"]]
        best = None
        for _ in range(req["repeat"]):
            t0 = time.thread_time()
            for t in texts:
                sp.encode(t)
            d = time.thread_time() - t0
            best = d if best is None else min(best, d)
        return {"seconds": best}
    else:
        return {"error": "unknown op " + op}


if __name__ == "__main__":
    _repo.serve(answer)
