/**
 * Training failures a user can act on (bad hyperparameter, bad data, missing channel). Their message is the
 * first line of /opt/ml/output/failure, which SageMaker shows as the job's FailureReason; anything else
 * thrown during training is a bug and is reported as an internal error with its message.
 */
export class TrainError extends Error {
  override name = 'TrainError'
}

/** Thrown at a safe point after SIGTERM; the job is reported as stopped, not failed by the user. */
export class StoppedError extends Error {
  override name = 'StoppedError'
  /** The checkpoint file saved for the finished rounds, when one was written. */
  checkpoint: string | null = null
  constructor(readonly signal: string) {
    super(`training stopped by ${signal} before it finished`)
  }
}
