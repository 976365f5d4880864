// Long-lived oracle process for gemmatok's tests and benchmarks: Hugging
// Face tokenizers (npm package tokenizers@0.23.2, a native Rust binding)
// under Node. One JSON request per line on stdin, one JSON answer per line
// on stdout. Texts travel base64-encoded; they are decoded as UTF-8 (an
// invalid byte becomes U+FFFD, as JavaScript strings hold only text).
// Encoding adds no special tokens.
//
//   {"op": "load", "path": P}                -> {"size": N}
//   {"op": "encode", "text": B64}            -> {"ids": [...]}
//   {"op": "encode_lines", "text": B64}      -> {"ids": [[...], ...]} (split on \n)
//   {"op": "decode", "ids": [...]}           -> {"text": B64}
//        ("skip_special": true drops the special tokens)
//   {"op": "utf8", "text": B64}              -> {"text": B64}: the text as read here
//   {"op": "time", "text": B64, "mode": M, "reps": R}
//        -> {"ns": [...], "cpu_ns": [...], "ids": N}: the wall and CPU time
//           (of this process) of each of R encodings of the text whole
//           (M = "whole"), line by line ("lines") or in 10 KB chunks cut at
//           a line end where there is one ("chunks"), timed inside this
//           process; N is the number of ids of one encoding.
//
// The package is found through NODE_PATH (testdata/hf/node_modules).
'use strict';
const readline = require('readline');
const { Tokenizer } = require('tokenizers');

let tok = null;

const text = (b64) => Buffer.from(b64, 'base64').toString('utf8');
const encode = async (s) => (await tok.encode(s, null, { addSpecialTokens: false })).getIds();

// chunks cuts s into pieces of about 10 KB (UTF-8), at the last line end
// of each when there is one, as bench/ cuts them.
function chunks(s) {
  const buf = Buffer.from(s, 'utf8');
  const out = [];
  for (let at = 0; at < buf.length;) {
    let end = Math.min(at + 10240, buf.length);
    if (end < buf.length) {
      const nl = buf.lastIndexOf(10, end - 1);
      if (nl >= at) end = nl + 1;
      else while (end > at && (buf[end] & 0xc0) === 0x80) end--;
    }
    out.push(buf.toString('utf8', at, end));
    at = end;
  }
  return out;
}

async function handle(req) {
  switch (req.op) {
    case 'load':
      tok = Tokenizer.fromFile(req.path);
      return { size: tok.getVocabSize(true) };
    case 'encode':
      return { ids: await encode(text(req.text)) };
    case 'encode_lines': {
      const ids = [];
      for (const line of text(req.text).split('\n')) ids.push(await encode(line));
      return { ids };
    }
    case 'decode':
      return { text: Buffer.from(await tok.decode(req.ids, !!req.skip_special), 'utf8').toString('base64') };
    case 'utf8':
      return { text: Buffer.from(text(req.text), 'utf8').toString('base64') };
    case 'time': {
      const s = text(req.text);
      const parts = req.mode === 'whole' ? [s] : req.mode === 'lines' ? s.split('\n') : chunks(s);
      const ns = [], cpuNs = [];
      let n = 0;
      for (let r = 0; r < (req.reps || 1); r++) {
        n = 0;
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        for (const p of parts) n += (await encode(p)).length;
        ns.push(Number(process.hrtime.bigint() - t0));
        const c = process.cpuUsage(c0);
        cpuNs.push((c.user + c.system) * 1000);
      }
      return { ns, cpu_ns: cpuNs, ids: n };
    }
  }
  throw new Error('unknown op ' + req.op);
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    let res;
    try {
      res = await handle(JSON.parse(line));
    } catch (e) {
      res = { error: String(e && e.message || e) };
    }
    process.stdout.write(JSON.stringify(res) + '\n');
  }
}

main();
