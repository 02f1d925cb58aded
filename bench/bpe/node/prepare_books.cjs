// Writes all book text of the corpus into one file, as the training
// benchmark defines it: CRLF normalised to LF, invalid UTF-8 replaced by
// U+FFFD (Node's UTF-8 decoder does that). Usage: node prepare_books.cjs CORPUS OUT [COPIES]
"use strict";
const fs = require("fs");
const path = require("path");
const [corpus, out, copies = "1"] = process.argv.slice(2);
const dir = path.join(corpus, "books");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".txt")).sort();
let text = "";
for (const f of files) text += fs.readFileSync(path.join(dir, f), "utf8").replace(/\r\n/g, "\n");
const fd = fs.openSync(out, "w");
for (let i = 0; i < Number(copies); i++) fs.writeSync(fd, text);
fs.closeSync(fd);
process.stderr.write(`${files.length} books x ${copies} -> ${out} (${fs.statSync(out).size} bytes)\n`);
