// Encodes documents with a reference tokenizer, for curate's differential
// tests. Usage:
//   node encode.cjs tiktoken ENCODING IN OUT        (cl100k_base, o200k_base, gpt2)
//   node encode.cjs tiktoken-file RANKS SIDECAR IN OUT   (custom encoding)
//   node encode.cjs hf DIR IN OUT                   (@huggingface/tokenizers: tokenizer.json + tokenizer_config.json)
//   node encode.cjs hf-rust DIR IN OUT              (HF tokenizers' Rust library, npm "tokenizers": tokenizer.json)
// IN holds documents as [uint32 LE byte length][UTF-8 bytes]; OUT receives,
// per document, [uint32 LE count][count uint32 LE ids]. Ordinary encoding:
// special-token text is encoded as text.
"use strict";
const fs = require("fs");
const path = require("path");

function readDocs(file) {
  const buf = fs.readFileSync(file);
  const docs = [];
  let off = 0;
  while (off < buf.length) {
    const n = buf.readUInt32LE(off);
    off += 4;
    docs.push(buf.toString("utf8", off, off + n));
    off += n;
  }
  return docs;
}

function writeIds(file, all) {
  let total = 0;
  for (const ids of all) total += 1 + ids.length;
  const out = Buffer.alloc(total * 4);
  let off = 0;
  for (const ids of all) {
    out.writeUInt32LE(ids.length, off);
    off += 4;
    for (const id of ids) {
      out.writeUInt32LE(id, off);
      off += 4;
    }
  }
  fs.writeFileSync(file, out);
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  let encode, inFile, outFile, free = () => {};
  if (mode === "tiktoken") {
    const { get_encoding } = require("tiktoken");
    const enc = get_encoding(args[0]);
    encode = (s) => enc.encode_ordinary(s);
    free = () => enc.free();
    [inFile, outFile] = args.slice(1);
  } else if (mode === "tiktoken-file") {
    const { Tiktoken } = require("tiktoken");
    const sidecar = JSON.parse(fs.readFileSync(args[1], "utf8"));
    const enc = new Tiktoken(fs.readFileSync(args[0], "utf8"), sidecar.special_tokens, sidecar.pat_str);
    encode = (s) => enc.encode_ordinary(s);
    free = () => enc.free();
    [inFile, outFile] = args.slice(2);
  } else if (mode === "hf") {
    const { Tokenizer } = await import("@huggingface/tokenizers");
    const json = JSON.parse(fs.readFileSync(path.join(args[0], "tokenizer.json"), "utf8"));
    const cfg = JSON.parse(fs.readFileSync(path.join(args[0], "tokenizer_config.json"), "utf8"));
    const tok = new Tokenizer(json, cfg);
    encode = (s) => tok.encode(s, { add_special_tokens: false }).ids;
    [inFile, outFile] = args.slice(1);
  } else if (mode === "hf-rust") {
    const { Tokenizer } = require("tokenizers");
    const tok = Tokenizer.fromFile(path.join(args[0], "tokenizer.json"));
    encode = async (s) => (await tok.encode(s, null, { addSpecialTokens: false })).getIds();
    [inFile, outFile] = args.slice(1);
  } else {
    throw new Error("unknown mode " + mode);
  }
  const docs = readDocs(inFile);
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  const all = [];
  for (const d of docs) {
    bytes += Buffer.byteLength(d);
    all.push(await encode(d));
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  free();
  writeIds(outFile, all);
  process.stderr.write(`${mode}: ${docs.length} docs, ${bytes} bytes in ${secs.toFixed(2)} s (${(bytes / secs / 1e6).toFixed(2)} MB/s)\n`);
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + "\n");
  process.exit(1);
});
