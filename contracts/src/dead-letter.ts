/** The dead-letter twin of a topic: where messages that cannot be handled go, with the error in headers. */
export const deadLetterTopic = (topic: string) => `${topic}.dlq`;
