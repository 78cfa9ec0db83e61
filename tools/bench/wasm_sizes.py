#!/usr/bin/env python3
"""Code size of a wasm module by crate, from its name section (build without `strip`).

  CARGO_PROFILE_RELEASE_STRIP=false cargo build --lib --release --target wasm32-unknown-unknown
  python3 tools/bench/wasm_sizes.py target/wasm32-unknown-unknown/release/rapport.wasm [TOP]

Prints one JSON line per crate (bytes of function bodies, share of all code), largest first,
plus data-segment bytes. Names are Rust symbols; the crate is their first path segment.
"""
import json
import re
import sys


def leb(buf, pos):
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def demangle_legacy(text):
    for code, char in (("$LT$", "<"), ("$GT$", ">"), ("$RF$", "&"), ("$u20$", " "), ("$C$", ","), ("$BP$", "*"), ("..", "::")):
        text = text.replace(code, char)
    return text


def crate_of(name):
    if name.startswith("_ZN"):
        m = re.match(r"_ZN(\d+)", name)
        if m:
            n = int(m.group(1))
            start = m.end()
            first = name[start:start + n]
            if first.startswith("_$LT$"):
                return crate_of(demangle_legacy(first[1:]))
            return first
    if name.startswith("_R"):
        m = re.search(r"C(?:s[0-9a-zA-Z_]*_)?(\d+)", name)
        if m:
            return name[m.end():m.end() + int(m.group(1))]
    if name.startswith("_$LT$"):
        name = demangle_legacy(name[1:])
    name = name.lstrip("<&*( ")
    for prefix in ("mut ", "impl ", "dyn ", "const "):
        if name.startswith(prefix):
            name = name[len(prefix):].lstrip("<&*( ")
    return name.split("::")[0].split("<")[0] or "?"


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    buf = open(path, "rb").read()
    pos = 8
    imported = 0
    bodies = []
    names = {}
    data = 0
    while pos < len(buf):
        sid = buf[pos]
        size, pos = leb(buf, pos + 1)
        end = pos + size
        if sid == 2:
            count, p = leb(buf, pos)
            for _ in range(count):
                for _ in range(2):
                    n, p = leb(buf, p)
                    p += n
                kind = buf[p]
                p += 1
                if kind == 0:
                    _, p = leb(buf, p)
                    imported += 1
                elif kind == 1:
                    p += 1
                    flags, p = leb(buf, p)
                    _, p = leb(buf, p)
                    if flags & 1:
                        _, p = leb(buf, p)
                elif kind == 2:
                    flags, p = leb(buf, p)
                    _, p = leb(buf, p)
                    if flags & 1:
                        _, p = leb(buf, p)
                elif kind == 3:
                    p += 2
                else:
                    _, p = leb(buf, p)
        elif sid == 10:
            count, p = leb(buf, pos)
            for _ in range(count):
                n, p = leb(buf, p)
                bodies.append(n)
                p += n
        elif sid == 11:
            data += size
        elif sid == 0:
            n, p = leb(buf, pos)
            if buf[p:p + n] == b"name":
                p += n
                while p < end:
                    sub = buf[p]
                    sub_size, p = leb(buf, p + 1)
                    sub_end = p + sub_size
                    if sub == 1:
                        count, q = leb(buf, p)
                        for _ in range(count):
                            idx, q = leb(buf, q)
                            ln, q = leb(buf, q)
                            names[idx] = buf[q:q + ln].decode("utf-8", "replace")
                            q += ln
                    p = sub_end
        pos = end
    by_crate = {}
    for i, size in enumerate(bodies):
        crate = crate_of(names.get(i + imported, "?"))
        by_crate[crate] = by_crate.get(crate, 0) + size
    total = sum(bodies)
    print(json.dumps({"bench": "wasm-code", "file": path, "code_bytes": total, "data_bytes": data, "functions": len(bodies)}))
    for crate, size in sorted(by_crate.items(), key=lambda kv: -kv[1])[:top]:
        print(json.dumps({"bench": "wasm-crate", "crate": crate, "bytes": size, "share": round(size / total, 3)}))


if __name__ == "__main__":
    main()
