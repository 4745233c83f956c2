import { createDependencies } from './graph/create-dependencies';
import { createNodes } from './graph/create-nodes';

export { createDependencies, createNodes };
/** Nx 23 and 24 read `createNodes` first, Nx 22 `createNodesV2`: the same (v2) function. */
export const createNodesV2 = createNodes;
export type { RustDockerPluginOptions } from './graph/targets';
