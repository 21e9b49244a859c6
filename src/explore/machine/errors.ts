/**
 * Errors of the compiled statechart engine. Each names the feature and where in the machine it was met, so that a
 * user can find it; none is ever swallowed into a wrong answer.
 */

/** A machine feature the compiled engine does not run, found where it cannot fall back (or fallback was refused). */
export class UnsupportedFeatureError extends Error {
  constructor(
    /** Features with the state path or transition each was found at: `invoke at #m.loading`. */
    readonly features: readonly { readonly feature: string; readonly where: string }[],
  ) {
    super(
      `the machine uses what the explorer's compiler does not support: ${features.map((f) => `${f.feature} at ${f.where}`).join('; ')}`,
    );
    this.name = 'UnsupportedFeatureError';
  }
}

/** A macrostep that never settles (xstate would loop forever, or throw once `options.maxIterations` is passed). */
export class MacrostepLimitError extends Error {
  constructor(
    readonly limit: number,
    readonly value: unknown,
    readonly eventType: string,
  ) {
    super(
      `the machine did not settle within ${limit} microsteps after event '${eventType}' in state ${JSON.stringify(value)} ` +
        '(a cycle of eventless transitions or raised events)',
    );
    this.name = 'MacrostepLimitError';
  }
}

/**
 * xstate takes eventless transitions of different regions in the order their states were entered, which is not part
 * of a state (select.ts); this is thrown when, in some state, two or more such transitions are enabled together and
 * taking them in different orders gives different results, so that what xstate does depends on the path taken.
 */
export class OrderDependenceError extends Error {
  constructor(
    /** Where the transitions are defined (`#m.r1.w always`). */
    readonly transitions: readonly string[],
    readonly value: unknown,
  ) {
    super(
      `in state ${JSON.stringify(value)}, the eventless transitions ${transitions.join(', ')} are enabled together and ` +
        'give different results depending on which is taken first; xstate takes them in the order their states were ' +
        'entered, which is not part of the state, so the machine has no well-defined next state here. Make them ' +
        'independent (e.g. assign different context fields, or guard one of them on the other having been taken)',
    );
    this.name = 'OrderDependenceError';
  }
}
