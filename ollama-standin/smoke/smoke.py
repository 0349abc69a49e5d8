"""The official Python client (`ollama` from PyPI) against the ollama-standin binary.

Run by scripts/smoke-clients with OLLAMA_HOST set to the stand-in started with script.json.
"""
import json
import math
import os
import sys

import ollama

client = ollama.Client(host=os.environ["OLLAMA_HOST"])
checks = []


def check(name, got, want):
    ok = got == want
    checks.append(ok)
    print(("ok  " if ok else "FAIL"), name, "" if ok else f"got {got!r}, want {want!r}")


# A streamed chat with thinking.
thinking, content = "", ""
for part in client.chat(model="qwen3:8b", messages=[{"role": "user", "content": "Hi"}], stream=True, think=True):
    thinking += part.message.thinking or ""
    content += part.message.content or ""
check("streamed chat: thinking", thinking, "The user greets me.")
check("streamed chat: content", content, "Hello from the stand-in.")

# A tool call, then the answer to its result.
tools = [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
messages = [{"role": "user", "content": "Weather in Paris?"}]
first = client.chat(model="agent", messages=messages, tools=tools)
call = first.message.tool_calls[0]
check("tool call: name", call.function.name, "get_weather")
check("tool call: arguments", dict(call.function.arguments), {"city": "Paris"})
messages += [first.message, {"role": "tool", "content": "22 C, sunny", "tool_name": "get_weather"}]
second = client.chat(model="agent", messages=messages, tools=tools)
check("tool call: answer", second.message.content, "Sunny in Paris.")

# A structured answer.
schema = {"type": "object", "properties": {"city": {"type": "string"}, "population": {"type": "integer", "minimum": 1}},
          "required": ["city", "population"]}
answer = client.chat(model="writer", messages=[{"role": "user", "content": "Capital of France?"}], format=schema)
check("structured answer", json.loads(answer.message.content), {"city": "Paris", "population": 1})

# An embedding.
embedded = client.embed(model="embedder", input=["a", "b"])
check("embed: count and size", [len(v) for v in embedded.embeddings], [16, 16])
check("embed: unit length", round(math.sqrt(sum(x * x for x in embedded.embeddings[0])), 6), 1.0)

# A pull with progress.
progress = list(client.pull("small", stream=True))
completed = [p.completed for p in progress if p.completed]
check("pull: progress", completed, [2000, 4000, 5000])
check("pull: last status", progress[-1].status, "success")

# A scripted error.
try:
    client.chat(model="writer", messages=[{"role": "user", "content": "please fail"}])
    check("scripted error", "no error", "ResponseError")
except ollama.ResponseError as err:
    check("scripted error", (err.status_code, err.error), (503, "server busy"))

print(f"python client: {sum(checks)}/{len(checks)} checks passed")
sys.exit(0 if all(checks) else 1)
