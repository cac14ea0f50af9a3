/** The model archive names SageMaker leaves in the model dir, in the order they are looked for. */
export const ARCHIVE_NAMES = ['model.tar.gz', 'model.tgz', 'model.tar'] as const
