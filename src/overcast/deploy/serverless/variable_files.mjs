// Evaluates a `${file(./x.js)}` / `${file(./x.js):name}` variable for Overcast, as the
// framework's file resolver (sf-core src/lib/resolvers/providers/file/file.js) does: the
// module's export, or what it returns when it is a function, called with
// { options, resolveVariable, resolveConfigurationProperty }.
//
// argv: channel fd, module path, property path ('' for the default export), options JSON.
// Messages to Overcast are JSON lines on the channel fd (stdout stays the module's own):
//   {id, variable: "self:custom.x"} / {id, property: ["custom", "x"]} -> a reply line on
//   stdin: {id, value} or {id, error}; and last {result} or {error}.
import { writeSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'

const [channel, file, propertyPath, optionsJson] = process.argv.slice(2)
const pending = new Map()
let nextId = 0

const send = (message) => writeSync(Number(channel), JSON.stringify(message) + '\n')

createInterface({ input: process.stdin }).on('line', (line) => {
  const reply = JSON.parse(line)
  const waiter = pending.get(reply.id)
  pending.delete(reply.id)
  if ('error' in reply) waiter.reject(new Error(reply.error))
  else waiter.resolve(reply.value)
})

const ask = (message) =>
  new Promise((resolve, reject) => {
    const id = nextId++
    pending.set(id, { resolve, reject })
    send({ id, ...message })
  })

const resolverArgument = {
  options: JSON.parse(optionsJson),
  resolveVariable: (variable) => ask({ variable: String(variable) }),
  resolveConfigurationProperty: (keys) => ask({ property: keys.map(String) }),
}

// file.js getValueAtPath: `a.b`, `a[0]`
const valueAt = (path, data) => {
  if (!path) return data
  let value = data
  for (const part of path.split('.')) {
    if (value === undefined || value === null) return null
    const indexed = part.match(/^([^[\]]*)\[(\d+)\]$/)
    value = indexed
      ? (indexed[1] ? value[indexed[1]] : value)?.[indexed[2]]
      : value[part]
  }
  return value
}

// file.js resolveLoadedModule
const evaluate = async (module) => {
  if (module?.default && typeof module.default === 'object' && module.default.__esModule) {
    module = module.default
  }
  const defaultExport = module?.default
  if (typeof defaultExport === 'function') {
    return valueAt(propertyPath, await defaultExport(resolverArgument))
  }
  let value = defaultExport
  if (propertyPath) {
    value = valueAt(propertyPath, module)
    if (value == null && defaultExport && typeof defaultExport === 'object') {
      value = valueAt(propertyPath, defaultExport)
    }
  }
  return typeof value === 'function' ? await value(resolverArgument) : value
}

try {
  const value = await evaluate(await import(pathToFileURL(file)))
  send({ result: value === undefined ? null : value })
  process.exit(0)
} catch (error) {
  send({ error: String(error?.stack || error) })
  process.exit(1)
}
