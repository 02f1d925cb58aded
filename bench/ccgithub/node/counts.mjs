// Peer check for sources/commoncrawl: counts WARC records per type with
// warcio.js (Webrecorder's reader) and times reading every block in full.
// Usage: [PASSES=n] node counts.mjs FILE... ; prints one JSON object
// {file: {type: n}, _ms: best time of one pass over all files}. Several
// passes in one process let V8 warm up, as Go's benchmark loop does.
import fs from 'node:fs';
import path from 'node:path';
import { WARCParser } from 'warcio';

const passes = Number(process.env.PASSES || 1);
let out = {};
let best = Infinity;
for (let p = 0; p < passes; p++) {
out = {};
let ms = 0;
for (const file of process.argv.slice(2)) {
  const counts = {};
  const t0 = performance.now();
  const parser = new WARCParser(fs.createReadStream(file));
  try {
    for await (const record of parser) {
      const t = record.warcType || '';
      counts[t] = (counts[t] || 0) + 1;
      await record.readFully(false);
    }
  } catch (e) {
    counts._error = String(e.message || e);
  }
  ms += performance.now() - t0;
  out[path.basename(file)] = counts;
}
best = Math.min(best, ms);
}
out._ms = best;
console.log(JSON.stringify(out));
