#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from ../shared/fixtures/recorded: the first 2 KiB of every
native stream recording, behind the 2-byte header the harnesses read (kind, config).
Run once; the seeds are committed. Crash inputs found later are added by hand."""
import os, sys
here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "..", "..", "shared", "fixtures", "recorded")
targets = sys.argv[1:] or ["decode_arbitrary", "chunking_invariance"]
kinds = {"-chat-": 0, "-error-": 0, "-generate-": 1, "-pull-": 2}
for target in targets:
    out = os.path.join(here, "corpus", target)
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if name.startswith("v1-") or name.endswith(".request.json") or name.endswith(".md"):
            continue
        kind = next((k for key, k in kinds.items() if key in name), None)
        if kind is None:
            continue
        body = open(os.path.join(src, name), "rb").read()[:1536]
        cfg = (0, 9, 18)[len(name) % 3]  # separate, hide, raw
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes([kind + 3 * 7, cfg]) + body)
