import { shareStackSettings, startStack, stackLogTail } from "./stack";

/** Starts the real stack once for every test; the function it returns stops it, also after
 * failures. The tests find the stack through these variables. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  let stack;
  try {
    stack = await startStack();
  } catch (error) {
    console.error(stackLogTail());
    throw error;
  }
  process.env.E2E_BASE_URL = stack.baseUrl;
  process.env.E2E_USERNAME = stack.username;
  process.env.E2E_PASSWORD = stack.password;
  shareStackSettings(stack.settings);
  return stack.stop;
}
