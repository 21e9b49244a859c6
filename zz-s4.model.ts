import { lifecycleModel } from './machines/lifecycle.ts';
import proposed from './machines/strategies/s4-hitless-replace/proposed.ts';
import hardened from './machines/strategies/s4-hitless-replace/hardened.ts';
const m = lifecycleModel(process.env.H ? hardened : proposed, {
  from: (process.env.FROM ?? 'linux-7.1-sk-restore') as never, to: (process.env.TO ?? 'linux-7.1-sk-restore') as never,
  config: { memfds: [{ name: 'guest', pages: Number(process.env.PAGES ?? 16) }], devices: [{ name: 'dev0', break_before_make: !!process.env.BBM }] },
  userspace: { kind: process.env.ADV ? 'adversarial' : 'faithful', deviations: Number(process.env.ADV ?? 0) } as never,
  faults: [[{ name: 'freeze-fails', token: '0x2' }]],
  dma: [],
});
export default { machine: m.machine, events: m.events, invariants: m.invariants, options: m.options };
