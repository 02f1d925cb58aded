// Reads a curate Parquet file with a peer reader and prints one JSON object
// per row, so the Go test can compare it with curate's own reader.
//
//   node read.mjs duckdb|hyparquet FILE
//
// Document rows print {id, text, source, url, language, language_score,
// token_count, meta}; token rows print {id, source, input_ids}.
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { DuckDBInstance } from '@duckdb/node-api'

const [engine, file] = process.argv.slice(2)

function normalize(row) {
  const out = {}
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'bigint') out[k] = Number(v)
    else if (k === 'meta') out[k] = metaObject(v)
    else if (k === 'input_ids') out[k] = Array.from(v ?? [], Number)
    else if (k === 'language_score') out[k] = Math.round(v * 1e6) / 1e6
    else out[k] = v
  }
  return out
}

// A parquet map<string,string> arrives as an object (hyparquet) or as a
// list of {key, value} entries (DuckDB); both become a plain object.
function metaObject(v) {
  if (v == null) return {}
  if (Array.isArray(v)) return Object.fromEntries(v.map(e => [e.key, e.value]))
  if (v.entries && Array.isArray(v.entries)) return Object.fromEntries(v.entries.map(e => [e.key, e.value]))
  return { ...v }
}

if (engine === 'hyparquet') {
  const buf = await asyncBufferFromFile(file)
  const rows = await parquetReadObjects({ file: buf, compressors })
  for (const r of rows) console.log(JSON.stringify(normalize(r)))
} else if (engine === 'duckdb') {
  const db = await DuckDBInstance.create(':memory:')
  const con = await db.connect()
  const reader = await con.runAndReadAll(`SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`)
  for (const r of reader.getRowObjectsJS()) console.log(JSON.stringify(normalize(r)))
} else {
  console.error('usage: node read.mjs duckdb|hyparquet FILE')
  process.exit(2)
}
