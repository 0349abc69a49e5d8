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

# think_splitter: the concatenated text deltas of the reasoning recordings, each mode/policy.
import json
out = os.path.join(here, "corpus", "think_splitter")
os.makedirs(out, exist_ok=True)
for name in sorted(os.listdir(src)):
    if not (("think" in name or "gptoss" in name) and name.endswith((".ndjson", ".json"))) \
            or name.endswith(".request.json") or name.startswith("v1-"):
        continue
    text = ""
    for line in open(os.path.join(src, name), "rb").read().splitlines():
        if not line.strip():
            continue
        v = json.loads(line)
        msg = v.get("message") or {}
        text += msg.get("content") or v.get("response") or ""
    text = text[:600]
    for mode in range(4):
        with open(os.path.join(out, f"{name}.{mode}"), "wb") as f:
            f.write(bytes([mode, len(name) % 3]) + text.encode())
# harmony samples written by hand (gpt-oss raw output shapes)
samples = [
    "<|channel|>analysis<|message|>User asks 2+2.<|end|><|start|>assistant<|channel|>final<|message|>4<|return|>",
    "<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"city\":\"Paris\"}<|call|>",
    "<think>\nhm </th" ,
]
for i, s in enumerate(samples):
    for mode in range(4):
        with open(os.path.join(out, f"harmony-{i}.{mode}"), "wb") as f:
            f.write(bytes([mode, i % 3]) + s.encode())

# request_roundtrip: every recorded request body, under the type byte its file name implies.
out = os.path.join(here, "corpus", "request_roundtrip")
os.makedirs(out, exist_ok=True)
types = [("-chat-", 0), ("-error-", 0), ("-generate-", 1), ("-embeddings-", 3), ("-embed-", 2),
         ("-show-", 4), ("-pull-", 6)]
for name in sorted(os.listdir(src)):
    if not name.endswith(".request.json") or name.startswith("v1-"):
        continue
    kind = next((k for key, k in types if key in name), None)
    if kind is None:
        continue
    body = open(os.path.join(src, name), "rb").read()
    if len(body) > 4096:
        continue
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([kind, 0]) + body)
hand = [
    (5, b'{"model":"m","from":"llama3.2","files":{"a.gguf":"sha256:00"},"license":["MIT","x"],"parameters":{"temperature":0.7},"quantize":"q4_K_M"}'),
    (7, b'{"model":"ns/m:tag","insecure":true}'),
    (8, b'{"source":"a","destination":"b"}'),
    (9, b'{"model":"a"}'),
    (10, b'{"query":"ollama","max_results":3}'),
    (11, b'{"url":"https://ollama.com"}'),
    (0, b'{"model":"q","messages":[{"role":"user","content":"x","images":["aGk="]}],"think":"high","keep_alive":-1,"format":{"type":"object"},"options":{"temperature":1.0715660391465826e-75,"stop":["a"],"custom":{"x":[1,2]}},"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"number"}}}}}]}'),
]
for i, (kind, body) in enumerate(hand):
    with open(os.path.join(out, f"hand-{i}.json"), "wb") as f:
        f.write(bytes([kind, 0]) + body)
