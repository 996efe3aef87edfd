// Opens each YAML file named on the command line in yaml-language-server, as an editor would, and prints the
// diagnostics the server publishes: what a user sees while typing. Each file points at its schema with a
// `# yaml-language-server: $schema=...` line. Usage: npm install && node check.js path/to/cog.yaml ...
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const server = spawn(process.execPath, [require.resolve('yaml-language-server/bin/yaml-language-server'), '--stdio']);
const pending = new Map();
const published = new Map();
let buffer = Buffer.alloc(0);
let nextId = 0;

function send(message) {
  const body = JSON.stringify({ jsonrpc: '2.0', ...message });
  server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function request(method, params) {
  return new Promise(resolve => {
    const id = ++nextId;
    pending.set(id, resolve);
    send({ id, method, params });
  });
}

server.stdout.on('data', chunk => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const length = parseInt(/Content-Length: (\d+)/.exec(buffer.subarray(0, headerEnd).toString())[1], 10);
    if (buffer.length < headerEnd + 4 + length) return;
    const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString());
    buffer = buffer.subarray(headerEnd + 4 + length);
    if (message.id !== undefined && pending.has(message.id)) {
      pending.get(message.id)(message.result);
      pending.delete(message.id);
    } else if (message.method === 'workspace/configuration') {
      send({ id: message.id, result: message.params.items.map(() => ({ validate: true, schemaStore: { enable: false } })) });
    } else if (message.id !== undefined && message.method) {
      send({ id: message.id, result: null });
    } else if (message.method === 'textDocument/publishDiagnostics') {
      published.set(message.params.uri, message.params.diagnostics);
    }
  }
});

(async () => {
  const files = process.argv.slice(2).map(f => path.resolve(f));
  await request('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
  send({ method: 'initialized', params: {} });
  send({ method: 'workspace/didChangeConfiguration', params: { settings: { yaml: { validate: true, schemaStore: { enable: false } } } } });
  for (const file of files) {
    send({ method: 'textDocument/didOpen', params: { textDocument: { uri: 'file://' + file, languageId: 'yaml', version: 1, text: fs.readFileSync(file, 'utf8') } } });
  }

  const deadline = Date.now() + 30000;
  while (Date.now() < deadline && files.some(f => !published.has('file://' + f))) {
    await new Promise(resolve => setTimeout(resolve, 200));
  }

  for (const file of files) {
    console.log(file);
    for (const d of (published.get('file://' + file) || []).sort((a, b) => a.range.start.line - b.range.start.line)) {
      console.log(`  ${d.range.start.line + 1}:${d.range.start.character + 1}  ${d.message.replace(/\n/g, ' ')}`);
    }
  }

  server.kill();
  process.exit(files.every(f => published.has('file://' + f)) ? 0 : 2);
})();
