import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ToolBroker } from '../../../../src/actors/broker/index.js';
import { CapabilityMethod } from '../../../../src/actors/capability/index.js';
import { createTestPki } from '../../../support/mesh-pki.js';
import { Caller, codeOf, NODE, natsFixture, startBroker, stateDir, textOf } from './helpers.js';

const FILESYSTEM_SERVER = createRequire(import.meta.url).resolve(
  '@modelcontextprotocol/server-filesystem/dist/index.js',
);

let nc: NatsConnection;
let workspace: string;
let caller: Caller;
let broker: ToolBroker;

beforeEach(async () => {
  workspace = await stateDir();
  await mkdir(join(workspace, 'src'));
  await writeFile(join(workspace, 'src', 'index.ts'), 'export const answer = 42;\n');
  nc = await natsFixture();
  broker = await startBroker(nc, {
    server: 'filesystem',
    upstream: { kind: 'stdio', command: process.execPath, args: [FILESYSTEM_SERVER, workspace] },
    allowedCommands: [NODE],
  });
  caller = new Caller(nc, 'filesystem');
});

describe('broker in front of @modelcontextprotocol/server-filesystem', () => {
  it('lists the pinned catalogue under filesystem.<tool> names', async () => {
    expect(broker.state).toBe('ready');
    const catalogue = await caller.catalogue();
    expect(catalogue.state).toBe('ready');
    expect(catalogue.approvedBy).toBe('first-use');
    expect(catalogue.pinnedSetHash).toBe(catalogue.listedSetHash);
    const names = catalogue.tools.map((tool) => tool.name);
    expect(names).toContain('filesystem.read_text_file');
    expect(names.every((name) => name.startsWith('filesystem.'))).toBe(true);
    expect(
      catalogue.tools.find((tool) => tool.name === 'filesystem.read_text_file')?.inputSchema,
    ).toMatchObject({
      type: 'object',
    });
  });

  it('serves a capability-bound read', async () => {
    const path = join(workspace, 'src', 'index.ts');
    expect(textOf(await caller.callTool('read_text_file', { path }))).toContain('answer = 42');
  });

  describe('refuses calls the session did not authorise, before they reach the server', () => {
    const target = () => join(workspace, 'written.txt');
    const write = () => ({ path: target(), content: 'pwned' });

    it('with no capability', async () => {
      const response = await caller.send({
        capability: undefined as unknown as Uint8Array,
        method: CapabilityMethod.ToolsCall,
        params: { name: 'filesystem.write_file', arguments: write() },
      });
      expect(codeOf(response)).toBe('ERR_BROKER_BAD_REQUEST');
      expect(existsSync(target())).toBe(false);
    });

    it('with a capability forged by a node of another CA', async () => {
      const foreign = await (await createTestPki()).identity('node', 'node-1');
      const forger = new Caller(nc, 'filesystem', foreign);
      expect(codeOf(await caller.callTool('write_file', write(), forger.mint('write_file', write())))).toBe(
        'ERR_SIGNER_UNTRUSTED',
      );
      expect(existsSync(target())).toBe(false);
    });

    it('with an expired capability', async () => {
      const past = () => Date.now() - 60_000;
      const capability = caller.mint('write_file', write(), { ttlMs: 10_000 }, past);
      expect(codeOf(await caller.callTool('write_file', write(), capability))).toBe('ERR_CAPABILITY_EXPIRED');
      expect(existsSync(target())).toBe(false);
    });

    it('with a replayed capability', async () => {
      const capability = caller.mint('write_file', write());
      expect(codeOf(await caller.callTool('write_file', write(), capability))).toBe('result');
      expect(existsSync(target())).toBe(true);
      await rm(target());
      expect(codeOf(await caller.callTool('write_file', write(), capability))).toBe('ERR_CAPABILITY_REPLAY');
      expect(existsSync(target())).toBe(false);
    });

    it("with another tool's capability", async () => {
      const capability = caller.mint('read_text_file', write());
      expect(codeOf(await caller.callTool('write_file', write(), capability))).toBe(
        'ERR_CAPABILITY_WRONG_TOOL',
      );
      expect(existsSync(target())).toBe(false);
    });

    it('with a capability for other arguments', async () => {
      const capability = caller.mint('write_file', { path: target(), content: 'harmless' });
      expect(codeOf(await caller.callTool('write_file', write(), capability))).toBe(
        'ERR_CAPABILITY_ARGS_MISMATCH',
      );
      expect(existsSync(target())).toBe(false);
    });

    it('with garbage instead of a request', async () => {
      expect(codeOf(await caller.sendRaw(new Uint8Array([0xc1, 0xff, 0x00])))).toBe('ERR_BROKER_BAD_REQUEST');
    });
  });
});
