import { existsSync, unwatchFile, watchFile } from 'node:fs';
import { resolve } from 'node:path';
import { loadScenario } from './scenario';
import { startEmulator, type RequestLogEntry } from './server';

const DEFAULT_PORT = 8765;
const USAGE = 'usage: node out/test/emulator/main.js [--port N] [--host H] [--scenario file.json]';

interface Args {
  readonly port: number;
  readonly host: string;
  readonly scenario: string;
}

/** demo.json sits next to the source; compiled code runs from out/test/emulator, which holds no JSON. */
function defaultScenarioPath(): string {
  const candidates = [resolve(__dirname, 'demo.json'), resolve(__dirname, '../../../test/emulator/demo.json')];
  return candidates.find((p) => existsSync(p)) ?? candidates[candidates.length - 1];
}

function parseArgs(argv: readonly string[]): Args {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--(port|host|scenario)(?:=(.*))?$/.exec(argv[i]);
    const value = match?.[2] ?? argv[i + 1];
    if (!match || value === undefined) {
      throw new Error(argv[i] === '--help' || argv[i] === '-h' ? USAGE : `unexpected argument "${argv[i]}"\n${USAGE}`);
    }
    values.set(match[1], value);
    i += match[2] === undefined ? 1 : 0;
  }
  const port = Number(values.get('port') ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number (0 for any free port)\n${USAGE}`);
  }
  const scenario = values.get('scenario');
  return { port, host: values.get('host') ?? '127.0.0.1', scenario: scenario ? resolve(scenario) : defaultScenarioPath() };
}

function formatEntry(entry: RequestLogEntry): string {
  if (entry.endpoint !== 'dts') {
    const role = entry.roleArn ? ` ${entry.roleArn}` : '';
    return `${entry.time} ${entry.endpoint} ${entry.method} ${entry.action ?? entry.path}${role} ${entry.accessKeyId ?? '-'} → ${entry.httpStatus ?? '-'} ${entry.outcome}`;
  }
  const ids = entry.jobIds ? ` [${entry.jobIds.join(', ')}]` : '';
  return `${entry.time} ${entry.signatureVersion ?? '-'} ${entry.action ?? '(no action)'} ${entry.regionId ?? '-'}${ids} ${entry.accessKeyId ?? '-'} → ${entry.httpStatus ?? '-'} ${entry.outcome}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const emulator = await startEmulator({
    scenario: loadScenario(args.scenario),
    port: args.port,
    host: args.host,
    onRequest: (entry) => console.error(formatEntry(entry)),
  });
  const key = emulator.scenario.accessKeys[0];
  console.log(`# DTS emulator listening on ${emulator.url}`);
  console.log(`# scenario: ${args.scenario} (reloaded when it changes)`);
  console.log(`# point the endpoint setting (dtsSync.endpoint) at ${emulator.url} and use these credentials:`);
  if (key) {
    console.log(`ALIBABA_CLOUD_ACCESS_KEY_ID=${key.accessKeyId}`);
    console.log(`ALIBABA_CLOUD_ACCESS_KEY_SECRET=${key.accessKeySecret}`);
    if (key.securityToken) {
      console.log(`ALIBABA_CLOUD_SECURITY_TOKEN=${key.securityToken}`);
    }
  }
  for (const role of emulator.scenario.roles ?? []) {
    console.log(`# role ${role.arn}: STS AssumeRole / AssumeRoleWithOIDC at ${emulator.url}/ (Action=AssumeRole, Version=2015-04-01)`);
  }
  for (const uri of emulator.scenario.credentialsUris ?? []) {
    console.log(`# credentials URI for ${uri.role}: ALIBABA_CLOUD_CREDENTIALS_URI=${emulator.url}${uri.path}`);
  }
  if (emulator.scenario.ecsMetadata) {
    console.log(`# ECS metadata (role ${emulator.scenario.ecsMetadata.role}) under ${emulator.url}/latest/ (the library's host is fixed: 100.100.100.200)`);
  }

  // Polling survives editors that save by replacing the file, which fs.watch loses track of.
  watchFile(args.scenario, { interval: 500 }, (current, previous) => {
    if (current.mtimeMs === previous.mtimeMs) {
      return;
    }
    try {
      emulator.setScenario(loadScenario(args.scenario));
      console.error(`# scenario reloaded from ${args.scenario}`);
    } catch (error) {
      console.error(`# kept the previous scenario: ${(error as Error).message}`);
    }
  });

  const stop = (): void => {
    unwatchFile(args.scenario);
    void emulator.close().then(() => console.error('# emulator stopped'));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
