// Reference side of curate's every-code-point tokenizer test
// (stages/bpe/unicode_test.go), in one Node process. Usage:
//   node unicode.cjs IN OUT
// IN holds documents as [uint32 LE byte length][UTF-8 bytes]. OUT receives:
//  1. for each encoding of ENCODINGS, per document [uint32 count][count ids];
//  2. for each character class of CLASSES, [uint32 count][count code points]:
//     the code points tiktoken's own regex engine puts in that class. They are
//     found with a probe encoding whose ranks are the 256 single bytes and whose
//     pattern is the class alone: encode_ordinary keeps only matched text, so
//     the decoded output is exactly the matching characters.
"use strict";
const fs = require("fs");
const { get_encoding, Tiktoken } = require("tiktoken");

const ENCODINGS = ["cl100k_base", "o200k_base", "gpt2"];
const CLASSES = ["\\p{Lu}", "\\p{Ll}", "\\p{Lt}", "\\p{Lm}", "\\p{Lo}", "\\p{M}", "\\p{N}", "\\s"];

function readDocs(file) {
  const buf = fs.readFileSync(file);
  const docs = [];
  for (let off = 0; off < buf.length; ) {
    const n = buf.readUInt32LE(off);
    off += 4;
    docs.push(buf.toString("utf8", off, off + n));
    off += n;
  }
  return docs;
}

function classMembers(pattern) {
  const ranks = [];
  for (let b = 0; b < 256; b++) ranks.push(Buffer.from([b]).toString("base64") + " " + b);
  const enc = new Tiktoken(ranks.join("\n"), {}, pattern);
  const out = [];
  const chunk = 1 << 14;
  for (let start = 0; start < 0x110000; start += chunk) {
    let s = "";
    for (let c = start; c < start + chunk; c++) {
      if (c < 0xd800 || c > 0xdfff) s += String.fromCodePoint(c);
    }
    const text = Buffer.from(enc.encode_ordinary(s)).toString("utf8");
    for (const ch of text) out.push(ch.codePointAt(0));
  }
  enc.free();
  return out;
}

function main() {
  const [inFile, outFile] = process.argv.slice(2);
  const docs = readDocs(inFile);
  const parts = [];
  const push = (arr) => {
    const b = Buffer.alloc(4 + 4 * arr.length);
    b.writeUInt32LE(arr.length, 0);
    for (let i = 0; i < arr.length; i++) b.writeUInt32LE(arr[i], 4 + 4 * i);
    parts.push(b);
  };
  const t0 = process.hrtime.bigint();
  let tokens = 0;
  for (const name of ENCODINGS) {
    const enc = get_encoding(name);
    for (const d of docs) {
      const ids = enc.encode_ordinary(d);
      tokens += ids.length;
      push(ids);
    }
    enc.free();
  }
  for (const c of CLASSES) push(classMembers(c));
  fs.writeFileSync(outFile, Buffer.concat(parts));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stderr.write(`unicode.cjs: ${docs.length} docs x ${ENCODINGS.length} encodings, ${tokens} tokens, ${CLASSES.length} classes in ${secs.toFixed(2)} s\n`);
}

main();
