import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * While `tracker serve` holds the database, it leaves `<db>.server.json` beside it with
 * its port and a secret token, readable only by its user. `tracker ingest` and
 * `tracker fetch` find the file when the database is locked and hand their work to the
 * server, which keeps serving while it ingests.
 */
export interface ServerFile {
  pid: number;
  port: number;
  token: string;
}

export const serverFilePath = (dbPath: string) => `${dbPath}.server.json`;

export function writeServerFile(dbPath: string, port: number, token: string): ServerFile {
  const info: ServerFile = { pid: process.pid, port, token };
  writeFileSync(serverFilePath(dbPath), JSON.stringify(info), { mode: 0o600 });
  return info;
}

export function readServerFile(dbPath: string): ServerFile | undefined {
  try {
    const info = JSON.parse(readFileSync(serverFilePath(dbPath), 'utf8')) as ServerFile;
    process.kill(info.pid, 0); // throws when no such process: a stale file of a killed server
    return info;
  } catch {
    return undefined;
  }
}

export function removeServerFile(dbPath: string, info: ServerFile): void {
  if (readServerFile(dbPath)?.token === info.token) rmSync(serverFilePath(dbPath), { force: true });
}
