export const handler = async (): Promise<{ ran: string }> => {
  console.log("hourly cleanup");
  return { ran: new Date().toISOString() };
};
