#!/usr/bin/env python3
"""Builds testdata/sample/wikipedia/: a small multistream dump in Wikimedia's
layout (siteinfo stream, N pages per bzip2 stream, closing-tag stream) with its
offset:page_id:title index, from pages of the corpus enwiki file (CC BY-SA).

usage: make_wiki_sample.py ENWIKI_XML OUT_DIR
"""
import bz2, re, sys

TITLES = ["AccessibleComputing", "Algorithms (journal)", "Answer", "Alien", "Adventure",
          "Alain Connes", "Aberdeen (disambiguation)", "Astronomer", "Allan Dwan",
          "Aardwolf", "Albedo", "AfghanistanHistory"]
PER_STREAM = 3

xml = open(sys.argv[1], encoding="utf-8").read()
head = xml[: xml.index("  <page>")]
pages = {re.search(r"<title>(.*?)</title>", p).group(1): p
         for p in re.findall(r"  <page>.*?</page>\n", xml, re.S)}
chosen = [pages[t] for t in TITLES if t in pages]
out = sys.argv[2] + "/enwiki-sample-pages-articles-multistream"
data, index = bytearray(bz2.compress(head.encode())), []
for i in range(0, len(chosen), PER_STREAM):
    group = chosen[i:i + PER_STREAM]
    off = len(data)
    for p in group:
        pid = re.search(r"<id>(\d+)</id>", p).group(1)
        index.append(f"{off}:{pid}:{re.search(r'<title>(.*?)</title>', p).group(1)}\n")
    data += bz2.compress("".join(group).encode())
data += bz2.compress(b"</mediawiki>\n")
open(out + ".xml.bz2", "wb").write(data)
open(out + "-index.txt.bz2", "wb").write(bz2.compress("".join(index).encode()))
print(len(chosen), "pages,", len(data), "bytes")
