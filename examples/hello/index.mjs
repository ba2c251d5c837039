// The smallest Lambda handler: greets whoever the event names.
export const handler = async (event) => {
  console.log('hello handler got', JSON.stringify(event));
  return { statusCode: 200, body: `Hello, ${event?.name ?? 'world'}!` };
};
