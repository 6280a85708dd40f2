import { formatTimestamp } from '../../src/core/api/signing';
import { invalidParameter, missingParameter } from './errors';
import { allJobs, type Scenario, type ScenarioDirection, type ScenarioJob } from './scenario';

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
  const found = [...new Set(ids)].flatMap((id) => allJobs(scenario).filter((job) => job.id === id && inRegion(job, region)));
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

/** The page sizes the SDK model documents: 10, 20 or 30 (default and maximum 30). */
const PAGE_SIZES = [10, 20, 30];
/** PageNum "must not exceed the maximum value of the Integer data type" (the SDK model). */
const MAX_PAGE_NUM = 2_147_483_647;

/** A whole number from 1 to `max` as sent, `fallback` when absent; InvalidParameter otherwise, as the gateway answers. */
function positiveInteger(params: Readonly<Record<string, string>>, name: string, fallback: number, max = MAX_PAGE_NUM): number {
  const raw = params[name];
  if (raw === undefined) {
    return fallback;
  }
  const n = Number(raw);
  if (!/^\d{1,10}$/.test(raw) || n < 1 || n > max) {
    throw invalidParameter(name, `it must be an integer from 1 to ${max}.`);
  }
  return n;
}

/** Seconds behind: the lag, or now minus a numeric checkpoint; 0 when neither says. */
function delaySeconds(d: ScenarioDirection, now: Date): number {
  const checkpoint = checkpointOf(d, now);
  return checkpoint !== undefined && /^\d+$/.test(checkpoint) ? Math.max(0, unixSeconds(now) - Number(checkpoint)) : 0;
}

/** A source or destination in the SDK model's shape (strings, the user name included). */
function endpointOf(engine = 'MySQL', type = 'RDS', instanceId = '', ip = '', port = '3306'): Record<string, string> {
  return { EngineName: engine, InstanceType: type, InstanceId: instanceId, IP: ip, Port: port, UserName: 'dtstest' };
}

/**
 * A region's instances, a page at a time, in scenario order (`jobs`, then `fleets`); SynchronizationJobName matches
 * any part of the name, ignoring case. A page past the last is empty, with the count, as the API answers it.
 */
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
  const matching = allJobs(scenario).filter((job) => job.region === region && (!name || (job.name ?? '').toLowerCase().includes(name)));
  const page = matching.slice((pageNum - 1) * pageSize, pageNum * pageSize);
  return {
    RequestId: requestId,
    PageNumber: pageNum,
    PageRecordCount: page.length,
    TotalRecordCount: matching.length,
    // One entry per instance, described by its first (Forward) direction.
    SynchronizationInstances: page.map((job) => {
      const d = job.directions[0];
      const expireTime = expireTimeOf(job, now);
      return {
        SynchronizationJobId: job.id,
        SynchronizationJobName: job.name ?? job.id,
        SynchronizationDirection: d.direction,
        SynchronizationJobClass: job.jobClass ?? 'medium',
        Status: d.status,
        Delay: String(delaySeconds(d, now)),
        ErrorMessage: d.errorMessage ?? job.errorMessage ?? '',
        SourceEndpoint: endpointOf(job.sourceEngine, job.sourceInstanceType, job.sourceInstanceId, job.sourceIp, job.sourcePort),
        DestinationEndpoint: endpointOf(job.destinationEngine, job.destinationInstanceType, job.destinationInstanceId, job.destinationIp, job.destinationPort),
        PayType: job.payType ?? (expireTime === undefined ? 'PostPaid' : 'PrePaid'),
        ...(expireTime !== undefined && { ExpireTime: expireTime }),
        Performance: { RPS: String(d.performance?.rps ?? 0), FLOW: String(d.performance?.flow ?? 0) },
        StructureInitialization: 'true',
        DataInitialization: 'true',
        SynchronizationObjects: [],
        Tags: [],
      };
    }),
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
  const job = allJobs(scenario).find((j) => j.id === id && inRegion(j, params['RegionId']));
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
    SourceEndpoint: endpointOf(job.sourceEngine, job.sourceInstanceType, job.sourceInstanceId, job.sourceIp, job.sourcePort),
    DestinationEndpoint: endpointOf(job.destinationEngine, job.destinationInstanceType, job.destinationInstanceId, job.destinationIp, job.destinationPort),
    SynchronizationObjects: [],
  };
};

export const OPERATIONS: ReadonlyMap<string, Operation> = new Map([
  ['DescribeSynchronizationJobStatusList', describeSynchronizationJobStatusList],
  ['DescribeSynchronizationJobStatus', describeSynchronizationJobStatus],
  ['DescribeSynchronizationJobs', describeSynchronizationJobs],
]);
