"""Long-lived oracle process for gemmatok's tests: C++ SentencePiece behind
its Python binding. One JSON request per line on stdin, one JSON answer per
line on stdout. Texts travel base64-encoded, since they may be any bytes.

  {"op": "load", "path": P} or {"op": "load", "model_b64": B}
  {"op": "encode", "text": B64}            -> {"ids": [...]}
  {"op": "encode_lines", "text": B64}      -> {"ids": [[...], ...]} (split on \\n)
  {"op": "pieces", "text": B64}            -> {"pieces": [B64, ...]}
  {"op": "offsets", "text": B64}           -> {"ids": [...], "begin": [...], "end": [...]} (byte offsets)
  {"op": "decode", "ids": [...]}           -> {"text": B64}
  {"op": "decode_many", "ids": [[...], ...]} -> {"texts": [B64, ...]}
"""
import base64
import json
import sys

import sentencepiece as spm


def byte_offsets(text, chars):
    # The binding reports offsets in characters of the input decoded as
    # UTF-8 with replacement; map them back to bytes.
    out, pos = [0], 0
    for ch in text.decode("utf-8", errors="surrogateescape"):
        pos += 1 if 0xDC80 <= ord(ch) <= 0xDCFF else len(ch.encode("utf-8"))
        out.append(pos)
    return [out[c] for c in chars]


def decode(sp, ids):
    t = sp.decode(ids)
    if isinstance(t, str):
        t = t.encode("utf-8", errors="surrogateescape")
    return base64.b64encode(t).decode()


def main():
    sp = None
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        try:
            if op == "load":
                sp = spm.SentencePieceProcessor()
                if "path" in req:
                    sp.Load(model_file=req["path"])
                else:
                    sp.LoadFromSerializedProto(base64.b64decode(req["model_b64"]))
                res = {"size": sp.GetPieceSize()}
            elif op == "encode":
                res = {"ids": sp.encode(base64.b64decode(req["text"]))}
            elif op == "encode_lines":
                lines = base64.b64decode(req["text"]).split(b"\n")
                res = {"ids": [sp.encode(l) for l in lines]}
            elif op == "pieces":
                ps = sp.encode(base64.b64decode(req["text"]), out_type=str)
                res = {"pieces": [base64.b64encode(p if isinstance(p, bytes) else p.encode()).decode() for p in ps]}
            elif op == "offsets":
                text = base64.b64decode(req["text"])
                r = sp.encode(text, out_type="immutable_proto")
                res = {"ids": [p.id for p in r.pieces],
                       "begin": [p.begin for p in r.pieces],
                       "end": [p.end for p in r.pieces]}
            elif op == "decode":
                res = {"text": decode(sp, req["ids"])}
            elif op == "decode_many":
                res = {"texts": [decode(sp, ids) for ids in req["ids"]]}
            else:
                res = {"error": "unknown op " + op}
        except Exception as e:  # reported to the test, which fails
            res = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
