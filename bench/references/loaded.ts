// The memory floor under a service's idle RSS: the runtime with the service's code loaded (its module graph
// imported, nothing started, no connection opened), after a full collection. Without SERVICE, the bare
// runtime. Prints the resident memory in MiB.
import { rssOf } from "../lib/processes.ts";

const service = process.env.SERVICE;
if (service) await import(`../../${service}/src/main.ts`);
Bun.gc(true);
console.log(await rssOf(process.pid));
