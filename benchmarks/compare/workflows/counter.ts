// counterWorkflow(n) in TypeScript: the same logic as Lockstep's examples/counter, so that one
// history replays cleanly on both. A signal inc(k) adds k; the workflow runs the activity
// greet("peer"), sleeps one second, waits until the counter reaches n and returns it.
import { condition, defineQuery, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

const { greet } = proxyActivities<{ greet(name: string): Promise<string> }>({
  startToCloseTimeout: '10s',
});

export const inc = defineSignal<[number]>('inc');
export const count = defineQuery<number>('count');

export async function counterWorkflow(n: number): Promise<number> {
  let total = 0;
  setHandler(inc, (k: number) => {
    total += k;
  });
  setHandler(count, () => total);
  await greet('peer');
  await sleep(1000);
  await condition(() => total >= n);
  return total;
}
