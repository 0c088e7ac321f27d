export * from "./envelope.ts";
export * from "./ids.ts";
export * from "./post-events.ts";
export * from "./session-events.ts";
export * from "./topic.ts";
export * from "./user-events.ts";

import { PostEvents } from "./post-events.ts";
import { SessionEvents } from "./session-events.ts";
import { UserEvents } from "./user-events.ts";

/** Every topic of the system. */
export const Topics = [UserEvents, SessionEvents, PostEvents] as const;

/** The dead-letter twin of a topic: where messages that cannot be handled go, with the error in headers. */
export const deadLetterTopic = (topic: string) => `${topic}.dlq`;
export * from "./http.ts";
