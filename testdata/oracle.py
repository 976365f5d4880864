"""Long-lived oracle process for gemmatok's tests: C++ SentencePiece behind
its Python binding. One JSON request per line on stdin, one JSON answer per
line on stdout. Texts travel base64-encoded, since they may be any bytes.

  {"op": "load", "path": P} or {"op": "load", "model_b64": B}
  {"op": "encode", "text": B64}            -> {"ids": [...]}
  {"op": "encode_lines", "text": B64}      -> {"ids": [[...], ...]} (split on \\n)
  {"op": "pieces", "text": B64}            -> {"pieces": [B64, ...]}
  {"op": "pieces_lines", "text": B64}      -> {"pieces": [[B64, ...], ...]} (split on \\n)
  {"op": "offsets", "text": B64}           -> {"ids": [...], "begin": [...], "end": [...],
                                               "char_begin": [...] or null, "char_end": [...] or null}
                                               (char_*: the binding's character offsets, for valid UTF-8 up to 64 KiB)
  {"op": "encode_many", "texts": [B64, ...]} -> {"ids": [[...], ...]}
  {"op": "decode", "ids": [...]}           -> {"text": B64}
  {"op": "decode_many", "ids": [[...], ...]} -> {"texts": [B64, ...]}
  {"op": "nbest", "text": B64, "n": N}     -> {"ids": [[...], ...], "scores": [...]} (NBestEncode)
  {"op": "sample", "text": B64, "alpha": A, "nbest_size": N, "count": C, "seed": S}
                                           -> {"counts": {"id,id,...": n, ...}} (C draws of SampleEncode)
"""
import base64
import json
import struct
import sys

import sentencepiece as spm


def varint(b, i):
    x = shift = 0
    while True:
        c = b[i]
        i += 1
        x |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return x, i


def proto_fields(b):
    """Yields (field number, value) of a serialized protobuf message."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        wire = key & 7
        if wire == 0:
            v, i = varint(b, i)
        elif wire == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif wire == 5:
            v, i = b[i:i + 4], i + 4
        elif wire == 1:
            v, i = b[i:i + 8], i + 8
        else:
            raise ValueError("wire type %d" % wire)
        yield key >> 3, v


def offsets(sp, text):
    # The binding's ImmutableSentencePieceText converts begin and end to
    # character offsets, for bytes input too (counting a malformed byte's
    # claimed sequence length), so the C++'s byte offsets are read off the
    # serialized SentencePieceText: pieces are field 2, and in a piece id is
    # field 2, begin 4 and end 5.
    ids, begin, end = [], [], []
    for f, v in proto_fields(sp.encode(text, out_type="serialized_proto")):
        if f == 2:
            p = {2: 0, 4: 0, 5: 0}
            p.update(proto_fields(v))
            ids.append(p[2])
            begin.append(p[4])
            end.append(p[5])
    res = {"ids": ids, "begin": begin, "end": end, "char_begin": None, "char_end": None}
    try:
        s = text.decode("utf-8")
    except UnicodeDecodeError:
        return res
    # For valid UTF-8 the binding's character offsets are exact; the test
    # converts them to bytes as a second check, for texts short enough that
    # encoding twice costs little.
    if len(text) > 1 << 16:
        return res
    r = sp.encode(s, out_type="immutable_proto")
    res["char_begin"] = [p.begin for p in r.pieces]
    res["char_end"] = [p.end for p in r.pieces]
    return res


def pieces(sp, text):
    # Read off the serialized SentencePieceText (a piece's text is field 1),
    # since out_type=str fails on a piece that is not UTF-8.
    ps = [dict(proto_fields(v)).get(1, b"") for f, v in proto_fields(sp.encode(text, out_type="serialized_proto")) if f == 2]
    return [base64.b64encode(p).decode() for p in ps]


def decode(sp, ids):
    try:
        t = sp.decode(ids)
    except UnicodeDecodeError:
        # The text is not UTF-8 (a piece is not): read it off the
        # serialized SentencePieceText, whose text is field 1.
        t = dict(proto_fields(sp.decode(ids, out_type="serialized_proto"))).get(1, b"")
    if isinstance(t, str):
        t = t.encode("utf-8", errors="surrogateescape")
    return base64.b64encode(t).decode()


def spt_ids(b):
    """Returns the ids and score of a serialized SentencePieceText (pieces
    are field 2, a piece's id its field 2; the score is field 3)."""
    ids, score = [], 0.0
    for f, v in proto_fields(b):
        if f == 2:
            ids.append(dict(proto_fields(v)).get(2, 0))
        elif f == 3:
            score = struct.unpack("<f", v)[0]
    return ids, score


def nbest(sp, text, n):
    res = {"ids": [], "scores": []}
    for f, v in proto_fields(sp.nbest_encode(text, nbest_size=n, out_type="serialized_proto")):
        if f == 1:
            ids, score = spt_ids(v)
            res["ids"].append(ids)
            res["scores"].append(score)
    return res


def sample(sp, text, alpha, nbest_size, count, seed):
    spm.SetRandomGeneratorSeed(seed)
    counts = {}
    for _ in range(count):
        ids = sp.encode(text, enable_sampling=True, alpha=alpha, nbest_size=nbest_size)
        key = ",".join(str(i) for i in ids)
        counts[key] = counts.get(key, 0) + 1
    return {"counts": counts}


def load(req):
    """The processor of a load request: the model at req["path"], or the
    serialized model in req["model_b64"]."""
    sp = spm.SentencePieceProcessor()
    if "path" in req:
        sp.Load(model_file=req["path"])
    else:
        sp.LoadFromSerializedProto(base64.b64decode(req["model_b64"]))
    return sp


def serve(answer):
    """Answers the JSON requests on stdin, one a line, on stdout. "load"
    loads the processor that answer(sp, op, req) is given for every other
    op; an exception is answered {"error": ...}, which fails the test that
    asked."""
    sp = None
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req["op"] == "load":
                sp = load(req)
                res = {"size": sp.GetPieceSize()}
            else:
                res = answer(sp, req["op"], req)
        except Exception as e:
            res = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


def answer(sp, op, req):
    """The answer to one request of the ops above, "load" aside."""
    if op == "encode":
        return {"ids": sp.encode(base64.b64decode(req["text"]))}
    elif op == "encode_lines":
        lines = base64.b64decode(req["text"]).split(b"\n")
        return {"ids": [sp.encode(l) for l in lines]}
    elif op == "pieces":
        return {"pieces": pieces(sp, base64.b64decode(req["text"]))}
    elif op == "pieces_lines":
        lines = base64.b64decode(req["text"]).split(b"\n")
        return {"pieces": [pieces(sp, l) for l in lines]}
    elif op == "offsets":
        return offsets(sp, base64.b64decode(req["text"]))
    elif op == "encode_many":
        return {"ids": [sp.encode(base64.b64decode(t)) for t in req["texts"]]}
    elif op == "decode":
        return {"text": decode(sp, req["ids"])}
    elif op == "decode_many":
        return {"texts": [decode(sp, ids) for ids in req["ids"]]}
    elif op == "nbest":
        return nbest(sp, base64.b64decode(req["text"]), req["n"])
    elif op == "sample":
        return sample(sp, base64.b64decode(req["text"]), req["alpha"], req["nbest_size"],
                      req["count"], req["seed"])
    else:
        return {"error": "unknown op " + op}


if __name__ == "__main__":
    serve(answer)
