// Trains HF tokenizers' native BPE trainer (the Rust trainer shipped in the
// npm "tokenizers" package) with its defaults (vocab 30,000) on FILE, with
// the byte-level pre-tokenizer (GPT-2 split regex). Usage: node train_hf.cjs FILE OUT.json
"use strict";
const { Tokenizer, BPE, byteLevelPreTokenizer } = require("tokenizers");
const [file, out] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const tok = new Tokenizer(BPE.init({}, []));
tok.setPreTokenizer(byteLevelPreTokenizer(false, true));
tok.train([file]);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
if (out) tok.save(out);
process.stderr.write(`hf tokenizers: vocab ${tok.getVocabSize()} in ${secs.toFixed(2)} s\n`);
