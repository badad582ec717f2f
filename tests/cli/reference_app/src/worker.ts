import type { SQSEvent } from "aws-lambda";

export const handler = async (event: SQSEvent): Promise<void> => {
  for (const record of event.Records) {
    const note = JSON.parse(record.body) as { id: string };
    console.log(`worked on note ${note.id}`);
  }
};
