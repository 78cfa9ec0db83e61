#!/usr/bin/env python3
"""datasketch's MinHashLSH on the corpus and queries the Rapport near-duplicate bench
wrote (`bench_native neardup DIR` -> DIR/neardup/corpus.txt, truth.json).

  bench/venv/bin/python tools/bench/neardup_datasketch.py bench/data/100k

Same documents (the engine's masked word sequences), same 3-word shingles, same number
of hash functions and the same Jaccard threshold; recall against the same exact truth.
Query time excludes building the query's MinHash, as on the Rapport side.
"""
import json
import os
import sys
import time

from datasketch import MinHash, MinHashLSH


def main():
    folder = os.path.join(sys.argv[1], "neardup")
    num_perm = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    with open(os.path.join(folder, "truth.json")) as f:
        spec = json.load(f)
    with open(os.path.join(folder, "corpus.txt"), encoding="utf-8") as f:
        docs = [line.split() for line in f.read().split("\n")[:-1]]
    threshold = spec["threshold"]

    start = time.perf_counter()
    sigs = []
    for words in docs:
        m = MinHash(num_perm=num_perm)
        m.update_batch([" ".join(words[i:i + 3]).encode() for i in range(len(words) - 2)])
        sigs.append(m)
    signature_s = time.perf_counter() - start

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, m in enumerate(sigs):
        lsh.insert(i, m)
    insert_s = time.perf_counter() - start

    queries = spec["queries"]
    found = returned = 0
    total = sum(len(t) for t in spec["truth"])
    # The fastest round is the least disturbed one on a shared machine; the Rust side
    # (examples/bench_native.rs) reports its fastest round the same way.
    repeats = 5
    query_s = float("inf")
    for round_ in range(repeats):
        start = time.perf_counter()
        for q, want in zip(queries, spec["truth"]):
            got = [d for d in lsh.query(sigs[q]) if d != q]
            if round_ == 0:
                wanted = set(want)
                found += sum(1 for d in got if d in wanted)
                returned += len(got)
        query_s = min(query_s, (time.perf_counter() - start) / len(queries))
    print(json.dumps({
        "bench": "neardup-datasketch",
        "docs": len(docs),
        "queries": len(queries),
        "threshold": threshold,
        "num_perm": num_perm,
        "bands": lsh.b,
        "signature_us_per_doc": signature_s / len(docs) * 1e6,
        "insert_s": insert_s,
        "query_us": query_s * 1e6,
        "recall_candidates": found / total if total else 1.0,
        "candidates_per_query": returned / len(queries),
    }))


if __name__ == "__main__":
    main()
