// The emulator scenario of the browser test: the demo key and four of the demo jobs, and the same world after the
// failed job has been repaired.
export const KEY = { accessKeyId: 'LTAI5tDemoAccessKey0001', accessKeySecret: 'demo-secret-not-real-0001' };

/** The jobs the test adds, in order, with what their rows must say. */
export const JOBS = {
  healthy: { id: 'dtsh3k9m2p7q4r8s1t', region: 'cn-hangzhou', name: 'orders-to-analytics' },
  lagging: { id: 'dtsl6n2b8v4c1x9z5w', region: 'cn-hangzhou', name: 'billing-replica' },
  failed: { id: 'dtsf8r2t6y1u5i9o3p', region: 'cn-hangzhou', name: 'users-to-search' },
  twoWay: { id: 'dtsb5w3e7r1t9y2u6i', region: 'cn-shanghai', name: 'active-active-profiles' },
};

function job(spec, directions, extra = {}) {
  return { id: spec.id, region: spec.region, name: spec.name, directions, ...extra };
}

export function initialScenario() {
  return {
    accessKeys: [KEY],
    jobs: [
      job(JOBS.healthy, [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 3 }]),
      job(JOBS.lagging, [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 900 }]),
      job(JOBS.failed, [{ direction: 'Forward', status: 'Failed', lagSeconds: 7200 }], {
        errorMessage: 'DTS-070211: Connect Source DB failed. cause by [Communications link failure]',
      }),
      job(JOBS.twoWay, [
        { direction: 'Forward', status: 'Synchronizing', lagSeconds: 2 },
        { direction: 'Reverse', status: 'Synchronizing', lagSeconds: 8 },
      ]),
    ],
    faults: [],
    // cn-shanghai has 45 jobs to list: the two-way job and 44 nobody watches until a test picks them.
    fleets: [{ region: 'cn-shanghai', count: 44, namePrefix: 'shop-sync' }],
  };
}

/** The failed job was restarted and caught up. */
export function repairedScenario() {
  const scenario = initialScenario();
  return {
    ...scenario,
    jobs: scenario.jobs.map(({ errorMessage, ...j }) =>
      j.id === JOBS.failed.id
        ? { ...j, directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 4 }] }
        : { ...j, ...(errorMessage ? { errorMessage } : {}) },
    ),
  };
}
