import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DeliveryError } from '../../errors';
import { gatewayInsightFolder } from '../../insight/insight-path';
import type { Delivery, DeliveryReceipt, InsightSink } from '../../ports';

export interface FolderSinkOptions {
  readonly dir: string;
}

/**
 * Writes each insight as `.md` + standalone `.html`, and `report.json`, under `dir`. A gateway that
 * was evaluated gets its folder replaced (so a recovered server's insight disappears); a gateway that
 * failed keeps what the last good run wrote — we do not delete what we could not re-check.
 */
export function createFolderSink(options: FolderSinkOptions): InsightSink {
  const root = path.resolve(options.dir);
  return {
    name: 'folder',
    async deliver({ report, insights }: Delivery): Promise<DeliveryReceipt> {
      try {
        await mkdir(root, { recursive: true });
        const staging = path.join(root, `.staging-${report.runId}`);
        for (const gateway of report.gateways.filter((g) => g.ok)) {
          const folder = gatewayInsightFolder(gateway);
          const mine = insights.filter((i) => gatewayInsightFolder(i.finding.gateway) === folder);
          const staged = path.join(staging, folder);
          await mkdir(staged, { recursive: true });
          for (const insight of mine) {
            await writeFile(path.join(staging, `${insight.path}.md`), insight.markdown, 'utf8');
            await writeFile(path.join(staging, `${insight.path}.html`), insight.html, 'utf8');
          }
          const target = path.join(root, folder);
          await rm(target, { recursive: true, force: true });
          await mkdir(path.dirname(target), { recursive: true });
          await rename(staged, target);
        }
        await rm(staging, { recursive: true, force: true });
        const reportFile = path.join(root, 'report.json');
        await writeFile(`${reportFile}.tmp`, `${JSON.stringify(report, null, 2)}\n`, 'utf8');
        await rename(`${reportFile}.tmp`, reportFile);
        return { locations: [reportFile, path.join(root, 'insights')] };
      } catch (error) {
        throw new DeliveryError('folder', `cannot write to ${root}: ${(error as Error).message}`, false, {
          cause: error,
        });
      }
    },
  };
}
