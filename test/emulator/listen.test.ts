/** The emulator's listen failures are errors the user can act on (the CLI exits 2 with the message). */
import { createServer, type AddressInfo } from 'node:net';
import { startEmulator } from '../../src/emulator';
import { PortUnavailableError } from '../../src/errors';
import { rejection } from '../helpers/failures';
import { gateway } from './helpers';

const scenario = { gateways: [gateway('rg', 'appgw')] } as never;

it('a port in use: PortUnavailableError "port N is in use"', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const error = await rejection(startEmulator({ scenario, port }));
    expect(error).toBeInstanceOf(PortUnavailableError);
    expect(error).toMatchObject({ code: 'PortUnavailable', port });
    expect((error as Error).message).toBe(
      `port ${port} is in use: pass another with --port, or --port 0 for any free port.`,
    );
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});

it.each([65536, -1, 1.5])('port %p: PortUnavailableError "is not a port"', async (port) => {
  const error = await rejection(startEmulator({ scenario, port }));
  expect(error).toBeInstanceOf(PortUnavailableError);
  expect((error as Error).message).toBe(
    `port ${port} is not a port (0 to 65535): pass another with --port, or --port 0 for any free port.`,
  );
});

it('a host that is not an address of this machine: PortUnavailableError naming it', async () => {
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a host.
  const error = await rejection(startEmulator({ scenario, host: '192.0.2.1' }));
  expect(error).toBeInstanceOf(PortUnavailableError);
  expect((error as Error).message).toContain(
    'cannot be opened on 192.0.2.1 (not an address of this machine)',
  );
});
