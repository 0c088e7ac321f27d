export * from "./asyncapi.ts";
export * from "./compatibility.ts";
export * from "./contract-gate.ts";
export * from "./dead-letter.ts";
export * from "./envelope.ts";
export * from "./ids.ts";
export * from "./json-schema.ts";
export * from "./migration.ts";
export * from "./post-events.ts";
export * from "./session-events.ts";
export * from "./topic.ts";
export * from "./user-events.ts";

import { PostEvents } from "./post-events.ts";
import { SessionEvents } from "./session-events.ts";
import { UserEvents } from "./user-events.ts";

/** Every topic of the system. */
export const Topics = [UserEvents, SessionEvents, PostEvents] as const;
export * from "./http.ts";
