// The official JS client (`ollama` from npm) against the ollama-standin binary.
// Run by scripts/smoke-clients with OLLAMA_HOST set to the stand-in started with script.json.
import { Ollama } from 'ollama'

const ollama = new Ollama({ host: process.env.OLLAMA_HOST })
const results = []

function check(name, got, want) {
  const ok = JSON.stringify(got) === JSON.stringify(want)
  results.push(ok)
  console.log(ok ? 'ok  ' : 'FAIL', name, ok ? '' : `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`)
}

// A streamed chat with thinking.
let thinking = ''
let content = ''
for await (const part of await ollama.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'Hi' }], stream: true, think: true })) {
  thinking += part.message.thinking ?? ''
  content += part.message.content ?? ''
}
check('streamed chat: thinking', thinking, 'The user greets me.')
check('streamed chat: content', content, 'Hello from the stand-in.')

// A tool call, then the answer to its result.
const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }]
const messages = [{ role: 'user', content: 'Weather in Paris?' }]
const first = await ollama.chat({ model: 'agent', messages, tools })
const call = first.message.tool_calls[0]
check('tool call: name', call.function.name, 'get_weather')
check('tool call: arguments', call.function.arguments, { city: 'Paris' })
messages.push(first.message, { role: 'tool', content: '22 C, sunny', tool_name: 'get_weather' })
const second = await ollama.chat({ model: 'agent', messages, tools })
check('tool call: answer', second.message.content, 'Sunny in Paris.')

// A structured answer.
const schema = { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer', minimum: 1 } },
  required: ['city', 'population'] }
const answer = await ollama.chat({ model: 'writer', messages: [{ role: 'user', content: 'Capital of France?' }], format: schema })
check('structured answer', JSON.parse(answer.message.content), { city: 'Paris', population: 1 })

// An embedding.
const embedded = await ollama.embed({ model: 'embedder', input: ['a', 'b'] })
check('embed: count and size', embedded.embeddings.map((v) => v.length), [16, 16])
check('embed: unit length', Math.round(Math.hypot(...embedded.embeddings[0]) * 1e6) / 1e6, 1)

// A pull with progress.
const progress = []
for await (const part of await ollama.pull({ model: 'small', stream: true })) progress.push(part)
check('pull: progress', progress.filter((p) => p.completed).map((p) => p.completed), [2000, 4000, 5000])
check('pull: last status', progress.at(-1).status, 'success')

// A scripted error.
try {
  await ollama.chat({ model: 'writer', messages: [{ role: 'user', content: 'please fail' }] })
  check('scripted error', 'no error', 'ResponseError')
} catch (err) {
  check('scripted error', [err.name, err.status_code, err.error], ['ResponseError', 503, 'server busy'])
}

console.log(`js client: ${results.filter(Boolean).length}/${results.length} checks passed`)
process.exit(results.every(Boolean) ? 0 : 1)
