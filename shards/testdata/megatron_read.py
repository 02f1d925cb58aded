"""Reads a Megatron-LM indexed dataset (.idx + .bin) the way
megatron/core/datasets/indexed_dataset.py does (_IndexReader for the index,
_MMapBinReader for the tokens) and prints its counts and a checksum of every
id as little-endian uint32, for shards.TestMegatronIndexReadByNumpy.

    python3 megatron_read.py PREFIX
"""
import hashlib
import json
import struct
import sys

import numpy

HEADER = b"MMIDIDX\x00\x00"
# Megatron's DType enum: the code stored in the index names the numpy dtype.
DTYPES = {1: numpy.uint8, 2: numpy.int8, 3: numpy.int16, 4: numpy.int32,
          5: numpy.int64, 6: numpy.float64, 7: numpy.float32, 8: numpy.uint16}

prefix = sys.argv[1]
with open(prefix + ".idx", "rb") as stream:
    assert stream.read(9) == HEADER, "bad header"
    version = struct.unpack("<Q", stream.read(8))[0]
    assert version == 1, "bad version"
    code = struct.unpack("<B", stream.read(1))[0]
    dtype = DTYPES[code]
    sequence_count = struct.unpack("<Q", stream.read(8))[0]
    document_count = struct.unpack("<Q", stream.read(8))[0]
    offset = stream.tell()

idx = memoryview(numpy.memmap(prefix + ".idx", mode="r", order="C"))
lengths = numpy.frombuffer(idx, dtype=numpy.int32, count=sequence_count, offset=offset)
pointers = numpy.frombuffer(idx, dtype=numpy.int64, count=sequence_count,
                            offset=offset + lengths.nbytes)
documents = numpy.frombuffer(idx, dtype=numpy.int64, count=document_count,
                             offset=offset + lengths.nbytes + pointers.nbytes)
assert offset + lengths.nbytes + pointers.nbytes + documents.nbytes == len(idx), "trailing bytes"

bin_buffer = memoryview(numpy.memmap(prefix + ".bin", mode="r", order="C").data)
h = hashlib.sha256()
tokens = 0
for i in range(sequence_count):
    seq = numpy.frombuffer(bin_buffer, dtype=dtype, count=int(lengths[i]), offset=int(pointers[i]))
    h.update(seq.astype("<u4").tobytes())
    tokens += len(seq)
print(json.dumps({
    "dtype_code": code,
    "sequences": int(sequence_count),
    # Megatron: the number of documents is document_indices.shape[0] - 1.
    "documents": int(documents.shape[0]) - 1,
    "document_indices_ok": bool((documents == numpy.arange(document_count)).all()),
    "tokens": tokens,
    "sha256": h.hexdigest(),
}))
