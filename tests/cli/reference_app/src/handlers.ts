import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand, DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import { randomUUID } from "node:crypto";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});
const TableName = process.env.TABLE_NAME as string;

interface Note { id: string; text: string; }

const json = (statusCode: number, body: unknown): APIGatewayProxyResultV2 => ({
  statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body),
});

export async function create(event: APIGatewayProxyEventV2) {
  const note: Note = { id: randomUUID(), text: JSON.parse(event.body ?? "{}").text };
  await db.send(new PutCommand({ TableName, Item: note }));
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(note) }));
  return json(201, note);
}

export async function get(event: APIGatewayProxyEventV2) {
  const found = await db.send(new GetCommand({ TableName, Key: { id: event.pathParameters?.id } }));
  return found.Item ? json(200, found.Item) : json(404, { message: "not found" });
}

export async function list() {
  const page = await db.send(new ScanCommand({ TableName }));
  return json(200, page.Items ?? []);
}

export async function update(event: APIGatewayProxyEventV2) {
  const text: string = JSON.parse(event.body ?? "{}").text;
  const done = await db.send(new UpdateCommand({
    TableName, Key: { id: event.pathParameters?.id }, UpdateExpression: "SET #t = :t",
    ExpressionAttributeNames: { "#t": "text" }, ExpressionAttributeValues: { ":t": text },
    ReturnValues: "ALL_NEW",
  }));
  return json(200, done.Attributes);
}

export async function remove(event: APIGatewayProxyEventV2) {
  await db.send(new DeleteCommand({ TableName, Key: { id: event.pathParameters?.id } }));
  return { statusCode: 204 };
}
