/**
 * Runs `work` on every element of `source` with at most `workers` elements in flight, pulling the next element
 * only when a worker is free: memory stays flat however long the source is. Stops pulling once `stop` returns
 * true. The first error stops every worker and is thrown after the ones in flight settle.
 */
export async function forEachConcurrent<T>(
  source: AsyncIterable<T> | Iterable<T>,
  workers: number,
  work: (element: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source[Symbol.iterator]());
  let failure: { error: unknown } | undefined;
  let done = false;
  // One pull at a time: async iterators (file readers) must not be called concurrently.
  let pulling: Promise<unknown> = Promise.resolve();
  const next = (): Promise<IteratorResult<T>> => {
    const result = pulling.then(() => iterator.next());
    pulling = result.catch(() => undefined);
    return result;
  };
  const worker = async (): Promise<void> => {
    while (!done && failure === undefined && !stop()) {
      const result = await next();
      if (result.done === true) {
        done = true;
        return;
      }
      try {
        await work(result.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, workers) }, () => worker()));
  } finally {
    if (!done) await iterator.return?.();
  }
  if (failure !== undefined) throw failure.error;
}

async function* toAsyncGenerator<T>(iterator: Iterator<T>): AsyncGenerator<T> {
  for (let result = iterator.next(); result.done !== true; result = iterator.next()) yield result.value;
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return toAsyncGenerator(iterator);
}
