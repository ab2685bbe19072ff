// The real server for the browser tests: a fresh data directory, a free
// port, a short hold, the sandbox gateway. Resolves `port` once it listens.

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function startServer(binary, holdSeconds = 6) {
  const data = mkdtempSync(path.join(tmpdir(), 'ticketing-browser-'));
  const server = spawn(binary, ['serve', '--data', data, '--listen', '127.0.0.1:0', '--password-cost', 'minimum',
    '--reservation-ttl', String(holdSeconds), '--payment-gateway', 'sandbox'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  server.stderr.on('data', (chunk) => log.push(chunk.toString()));
  const port = new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const match = out.match(/listening on [^:\s]+:(\d+)/);
      if (match) resolve(Number(match[1]));
    });
    server.on('exit', (code) => reject(new Error(`server exited (${code}): ${log.join('')}`)));
  });
  return { server, port, data, log };
}

