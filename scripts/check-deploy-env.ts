// The environment contract between the services and their deployments, checked statically (scripts/validate-deploy):
// every variable a service's config schema reads is documented in .env.example, compose.yaml hands each
// service exactly its own variables, and the Kubernetes ConfigMaps and Secrets a Deployment loads hold only
// names its service reads. Usage: bun scripts/check-deploy-env.ts RESOLVED_COMPOSE.json
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AuthEnv } from "../auth/src/config.ts";
import { PostEnv } from "../post/src/config.ts";

const root = join(import.meta.dir, "..");
const schemas = { auth: Object.keys(AuthEnv.shape), post: Object.keys(PostEnv.shape) };
type Service = keyof typeof schemas;
const services = Object.keys(schemas) as Service[];
// Differ per service (compose and the Deployments set them per service, or leave the service's default), or
// are set by the images (NODE_ENV=production in the Dockerfile).
const perService = new Set(["HOST", "PORT", "KAFKA_CLIENT_ID", "KAFKA_GROUP_ID", "NODE_ENV", "OTEL_SERVICE_NAME"]);
// Read by the compose stack's own containers, not by the services.
const composeOnly = new Set(["POSTGRES_PASSWORD", "KAFKA_CLUSTER_ID", "AUTH_PORT", "POST_PORT"]);
// Without these a Deployment would silently talk to 127.0.0.1 or seal keys with the development secret.
const requiredInCluster: Record<Service, string[]> = {
  auth: ["MONGO_URL", "SIGNING_KEY_SECRET", "KAFKA_BROKERS"],
  post: ["DATABASE_URL", "AUTH_URL", "KAFKA_BROKERS"],
};

const problems: string[] = [];
const notes: string[] = [];
const missing = (wanted: Iterable<string>, have: Set<string>) => [...wanted].filter((name) => !have.has(name));
const report = (what: string, names: string[]) => {
  if (names.length > 0) problems.push(`${what}: ${names.join(", ")}`);
};

// .env.example: `NAME=` lines, commented out or not; `# NAME=a / b` documents a per-service variable.
const documented = new Set(
  [...readFileSync(join(root, ".env.example"), "utf8").matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? ""),
);
const read = new Set(services.flatMap((service) => schemas[service]));
report("read by a service but not documented in .env.example", missing(read, documented));
report(
  "documented in .env.example but read by no service",
  [...documented].filter((name) => !read.has(name) && !composeOnly.has(name)),
);
notes.push(`.env.example documents all ${read.size} variables the services read`);

// compose.yaml, as resolved by compose-check (the Compose Specification loader).
const composePath = process.argv[2];
if (!composePath) throw new Error("usage: check-deploy-env.ts RESOLVED_COMPOSE.json");
const compose = JSON.parse(readFileSync(composePath, "utf8")) as {
  services: Record<string, { environment?: Record<string, string | null> }>;
};
for (const service of services) {
  const given = new Set(Object.keys(compose.services[service]?.environment ?? {}));
  const schema = new Set(schemas[service]);
  report(`compose.yaml gives ${service} variables it does not read`, missing(given, schema));
  report(
    `compose.yaml does not pass ${service} these variables from .env`,
    schemas[service].filter((name) => !given.has(name) && !perService.has(name)),
  );
  notes.push(`compose.yaml passes ${service} ${given.size} of its ${schema.size} variables (the rest are per service)`);
}

// deploy/k8s: the ConfigMaps and Secrets each Deployment loads with envFrom, plus its own env entries.
interface Manifest {
  kind?: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    template?: {
      spec?: {
        terminationGracePeriodSeconds?: number;
        containers?: {
          env?: { name: string }[];
          envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
          lifecycle?: { preStop?: { sleep?: { seconds?: number } } };
        }[];
      };
    };
  };
}
const k8sDir = join(root, "deploy/k8s");
const manifests = readdirSync(k8sDir)
  .filter((file) => file.endsWith(".yaml") && file !== "kustomization.yaml")
  .flatMap((file) => Bun.YAML.parse(readFileSync(join(k8sDir, file), "utf8")) as Manifest | Manifest[]);
const byKind = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata?.name === name);
const keysOf = (m: Manifest | undefined) => Object.keys({ ...m?.data, ...m?.stringData });
const shutdownMs = Number(byKind("ConfigMap", "chirp-common")?.data?.SHUTDOWN_TIMEOUT_MS ?? 10_000);

for (const service of services) {
  const pod = byKind("Deployment", service)?.spec?.template?.spec;
  const container = pod?.containers?.[0];
  if (!pod || !container) {
    problems.push(`deploy/k8s has no Deployment named ${service}`);
    continue;
  }
  const given = new Set(container.env?.map((entry) => entry.name));
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const manifest = byKind(source.configMapRef ? "ConfigMap" : "Secret", ref?.name ?? "");
    if (!manifest) problems.push(`${service} loads ${ref?.name}, which deploy/k8s does not define`);
    for (const key of keysOf(manifest)) given.add(key);
  }
  report(`deploy/k8s gives ${service} variables it does not read`, missing(given, new Set(schemas[service])));
  report(`deploy/k8s does not give ${service}`, missing(requiredInCluster[service], given));
  const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  if (grace <= preStop + shutdownMs / 1000) {
    problems.push(`${service}: terminationGracePeriodSeconds ${grace} <= preStop ${preStop} s + SHUTDOWN_TIMEOUT_MS`);
  }
  notes.push(`deploy/k8s gives ${service} ${given.size} variables; grace ${grace} s > ${preStop} s + ${shutdownMs} ms`);
}

for (const note of notes) console.log(`  ok  ${note}`);
for (const problem of problems) console.log(`  FAIL ${problem}`);
process.exit(problems.length > 0 ? 1 : 0);
