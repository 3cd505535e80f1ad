/** The object index and the workload view (pod templates, containers). */
export { ObjectIndex, labelSelector, PERSONAL_DATA_LABEL, NAMESPACE_NAME_LABEL, type IndexOptions } from './object-index.js';
export { toWorkload, isWorkloadKind, describeContainer, WORKLOAD_KINDS, type Workload, type ContainerEntry, type ContainerKind } from './workloads.js';
export { KNOWN_KINDS, CLUSTER_SCOPED_KINDS, kindKey } from './kinds.js';
export * from './access.js';
export { imageRepository, describeReason, type ImageRecogniser, type PersonalDataReason, type PersonalDataRecognisers } from './personal-data.js';
