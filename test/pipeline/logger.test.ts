import { InvocationContext } from '@azure/functions';
import { silentLogger, type Logger } from '../../src/pipeline/logger';

describe('Logger', () => {
  it("silentLogger takes every level and writes nowhere (the tests' and the quiet CLI's logger)", () => {
    const writes = [
      jest.spyOn(process.stdout, 'write').mockImplementation(() => true),
      jest.spyOn(process.stderr, 'write').mockImplementation(() => true),
      ...(['log', 'info', 'warn', 'error'] as const).map((m) =>
        jest.spyOn(console, m).mockImplementation(() => {}),
      ),
    ];
    try {
      silentLogger.info('i');
      silentLogger.warn('w');
      silentLogger.error('e');
      for (const write of writes) expect(write).not.toHaveBeenCalled();
    } finally {
      for (const write of writes) write.mockRestore();
    }
  });

  it("the Functions invocation's context fits it as it is, each level kept", () => {
    const lines: Array<[string, string]> = [];
    const context = new InvocationContext({
      logHandler: (level, ...args) => void lines.push([level, args.join(' ')]),
    });
    const logger: Logger = context;
    logger.info('checked');
    logger.warn('waiting');
    logger.error('failed');
    expect(lines).toEqual([
      ['information', 'checked'],
      ['warning', 'waiting'],
      ['error', 'failed'],
    ]);
  });
});
