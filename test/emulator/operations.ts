import { formatTimestamp } from '../../src/core/api/signing';
import { invalidParameter, missingParameter } from './errors';
import type { Scenario, ScenarioDirection, ScenarioJob } from './scenario';

export const API_VERSION = '2020-01-01';

/** What an operation is given; it answers with the JSON body of a successful call or throws a GatewayError. */
export interface OperationContext {
  readonly scenario: Scenario;
  readonly params: Readonly<Record<string, string>>;
  readonly now: Date;
  readonly requestId: string;
}

export type Operation = (ctx: OperationContext) => Record<string, unknown>;

/** `Success` as the scenario wants it: a string (the documented type) or a boolean (the documented sample). */
export function successValue(scenario: Scenario, ok: boolean): boolean | string {
  return scenario.successAsString ? String(ok) : ok;
}

/** The IDs of `SynchronizationJobIdListJsonStr`, or undefined when it is absent or not a JSON list of strings. */
export function requestedJobIds(params: Readonly<Record<string, string>>): string[] | undefined {
  const raw = params['SynchronizationJobIdListJsonStr'];
  if (raw === undefined) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) && parsed.every((id): id is string => typeof id === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function checkpointOf(d: ScenarioDirection, now: Date): string | undefined {
  if (d.checkpoint !== undefined) {
    return d.checkpoint ?? undefined;
  }
  return d.lagSeconds === undefined ? undefined : String(unixSeconds(now) - Math.round(d.lagSeconds));
}

/** RegionId is optional in the docs, which do not say what its absence means: then every region matches. */
function inRegion(job: ScenarioJob, region: string | undefined): boolean {
  return region === undefined || job.region === region;
}

const describeSynchronizationJobStatusList: Operation = ({ scenario, params, now, requestId }) => {
  if (params['SynchronizationJobIdListJsonStr'] === undefined) {
    throw missingParameter('SynchronizationJobIdListJsonStr');
  }
  const ids = requestedJobIds(params);
  if (!ids) {
    throw invalidParameter('SynchronizationJobIdListJsonStr', 'it must be a JSON array of instance IDs.');
  }
  const region = params['RegionId'];
  // Unknown IDs and IDs of other regions are left out without a word, as the real API does.
  const found = [...new Set(ids)].flatMap((id) => scenario.jobs.filter((job) => job.id === id && inRegion(job, region)));
  return {
    RequestId: requestId,
    Success: successValue(scenario, true),
    PageNumber: 1,
    PageRecordCount: found.length,
    TotalRecordCount: found.length,
    SynchronizationJobListStatusList: found.map((job) => ({
      SynchronizationJobId: job.id,
      SynchronizationDirectionInfoList: job.directions.map((d) => {
        const checkpoint = checkpointOf(d, now);
        return { Status: d.status, ...(checkpoint !== undefined && { Checkpoint: checkpoint }), SynchronizationDirection: d.direction };
      }),
    })),
  };
};

const PAGE_SIZES = [10, 20, 30];

function positiveInteger(params: Readonly<Record<string, string>>, name: string, fallback: number): number {
  const raw = params[name];
  if (raw === undefined) {
    return fallback;
  }
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) {
    throw invalidParameter(name, 'it must be an integer >= 1.');
  }
  return n;
}

/** Seconds behind: the lag, or now minus a numeric checkpoint; 0 when neither says. */
function delaySeconds(d: ScenarioDirection, now: Date): number {
  const checkpoint = checkpointOf(d, now);
  return checkpoint !== undefined && /^\d+$/.test(checkpoint) ? Math.max(0, unixSeconds(now) - Number(checkpoint)) : 0;
}

const describeSynchronizationJobs: Operation = ({ scenario, params, now, requestId }) => {
  const region = params['RegionId'];
  if (region === undefined) {
    throw missingParameter('RegionId');
  }
  const pageNum = positiveInteger(params, 'PageNum', 1);
  const pageSize = positiveInteger(params, 'PageSize', 30);
  if (!PAGE_SIZES.includes(pageSize)) {
    throw invalidParameter('PageSize', 'it must be 10, 20 or 30.');
  }
  const name = params['SynchronizationJobName']?.toLowerCase();
  const matching = scenario.jobs.filter((job) => job.region === region && (!name || (job.name ?? '').toLowerCase().includes(name)));
  const page = matching.slice((pageNum - 1) * pageSize, pageNum * pageSize);
  return {
    RequestId: requestId,
    Success: successValue(scenario, true),
    PageNumber: pageNum,
    PageRecordCount: page.length,
    TotalRecordCount: matching.length,
    // One entry per instance, described by its first (Forward) direction.
    SynchronizationInstances: page.map((job) => ({
      SynchronizationJobId: job.id,
      SynchronizationJobName: job.name ?? job.id,
      SynchronizationDirection: job.directions[0].direction,
      Status: job.directions[0].status,
      Delay: String(delaySeconds(job.directions[0], now)),
      ErrorMessage: job.errorMessage ?? '',
      SourceEndpoint: { EngineName: job.sourceEngine ?? 'MySQL', InstanceId: job.sourceInstanceId ?? '' },
      DestinationEndpoint: { EngineName: job.destinationEngine ?? 'MySQL', InstanceId: job.destinationInstanceId ?? '' },
      PayType: job.payType ?? 'PostPaid',
    })),
  };
};

/** ExpireTime as the scenario gives it, absolute or relative to now. */
function expireTimeOf(job: ScenarioJob, now: Date): string | undefined {
  if (job.expireInDays !== undefined) {
    return formatTimestamp(new Date(now.getTime() + job.expireInDays * 86_400_000));
  }
  return job.expireTime;
}

function initializationOf(stage: ScenarioDirection['dataInitialization']): Record<string, string> {
  return stage === undefined
    ? { Status: 'Finished', Percent: '100', Progress: '0', ErrorMessage: '' }
    : { Status: stage.status, Percent: String(stage.percent ?? 0), Progress: String(stage.progress ?? 0), ErrorMessage: stage.errorMessage ?? '' };
}

/** One job, one direction, in the SDK model's shape: strings where the model says string, DelayMillis a number. */
const describeSynchronizationJobStatus: Operation = ({ scenario, params, now, requestId }) => {
  const id = params['SynchronizationJobId'];
  if (id === undefined) {
    throw missingParameter('SynchronizationJobId');
  }
  const wanted = params['SynchronizationDirection'] ?? 'Forward';
  if (wanted !== 'Forward' && wanted !== 'Reverse') {
    throw invalidParameter('SynchronizationDirection', 'it must be Forward or Reverse.');
  }
  const job = scenario.jobs.find((j) => j.id === id && inRegion(j, params['RegionId']));
  const d = job?.directions.find((x) => x.direction === wanted);
  if (!job || !d) {
    return {
      RequestId: requestId,
      Success: successValue(scenario, false),
      ErrCode: 'InvalidJobId',
      ErrMessage: `The specified synchronization job ${id} (${wanted}) does not exist.`,
    };
  }
  const checkpoint = checkpointOf(d, now) ?? '';
  const delay = delaySeconds(d, now);
  const errorMessage = d.errorMessage ?? job.errorMessage ?? '';
  const failedItems = d.precheck?.items.some((i) => i.checkStatus.toLowerCase() === 'failed') ?? false;
  const expireTime = expireTimeOf(job, now);
  const payType = job.payType ?? (expireTime === undefined ? 'PostPaid' : 'PrePaid');
  const endpoint = (engine = 'MySQL', type = 'RDS', instanceId = '', ip = '', port = '3306'): Record<string, string> => ({
    EngineName: engine, InstanceType: type, InstanceId: instanceId, IP: ip, Port: port, UserName: 'dtstest',
  });
  return {
    RequestId: requestId,
    Success: successValue(scenario, true),
    SynchronizationJobId: job.id,
    SynchronizationJobName: job.name ?? job.id,
    SynchronizationDirection: d.direction,
    SynchronizationJobClass: job.jobClass ?? 'medium',
    Status: d.status,
    Checkpoint: checkpoint,
    Delay: String(delay),
    DelayMillis: delay * 1000,
    ErrorMessage: errorMessage,
    PayType: payType,
    ...(expireTime !== undefined && { ExpireTime: expireTime }),
    StructureInitialization: 'true',
    DataInitialization: 'true',
    PrecheckStatus: {
      Status: failedItems ? 'Failed' : 'Success',
      Percent: String(d.precheck?.percent ?? 100),
      Detail: (d.precheck?.items ?? []).map((i) => ({
        ItemName: i.itemName,
        CheckStatus: i.checkStatus,
        ...(i.errorMessage !== undefined && { ErrorMessage: i.errorMessage }),
        ...(i.repairMethod !== undefined && { RepairMethod: i.repairMethod }),
      })),
    },
    StructureInitializationStatus: initializationOf(d.structureInitialization),
    DataInitializationStatus: initializationOf(d.dataInitialization),
    DataSynchronizationStatus: {
      Status: /^(synchronizing|failed|suspending|finished)$/i.test(d.status) ? (/failed/i.test(d.status) ? 'Failed' : 'Migrating') : 'NotStarted',
      Percent: '0',
      Delay: String(delay),
      DelayMillis: delay * 1000,
      Checkpoint: checkpoint,
      ErrorMessage: /failed/i.test(d.status) ? errorMessage : '',
    },
    Performance: { RPS: String(d.performance?.rps ?? 0), FLOW: String(d.performance?.flow ?? 0) },
    SourceEndpoint: endpoint(job.sourceEngine, job.sourceInstanceType, job.sourceInstanceId, job.sourceIp, job.sourcePort),
    DestinationEndpoint: endpoint(job.destinationEngine, job.destinationInstanceType, job.destinationInstanceId, job.destinationIp, job.destinationPort),
    SynchronizationObjects: [],
  };
};

export const OPERATIONS: ReadonlyMap<string, Operation> = new Map([
  ['DescribeSynchronizationJobStatusList', describeSynchronizationJobStatusList],
  ['DescribeSynchronizationJobStatus', describeSynchronizationJobStatus],
  ['DescribeSynchronizationJobs', describeSynchronizationJobs],
]);
