/**
 * `MEDSAFETY_QUEUE_EXPIRE_SECONDS`: seconds before the job of a worker that died goes to another (default 900; it
 * must exceed the longest conversation). Read where a run's queues are made and by workers.
 */
export function queueOptions(): { expireInSeconds?: number } {
  const seconds = Number(process.env["MEDSAFETY_QUEUE_EXPIRE_SECONDS"]);
  return Number.isInteger(seconds) && seconds > 0 ? { expireInSeconds: seconds } : {};
}
