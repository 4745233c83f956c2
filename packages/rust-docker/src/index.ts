import { createDependencies } from './graph/create-dependencies';
import { createNodes } from './graph/create-nodes';

export { createDependencies, createNodes };
/** Nx 21+ reads `createNodes`; earlier majors read `createNodesV2`. Same value. */
export const createNodesV2 = createNodes;
export type { RustDockerPluginOptions } from './graph/targets';
