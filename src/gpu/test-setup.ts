// Setup for the gpu test project: a test that leaves an uncaptured GPU error (an invalid bind
// group, a failed command buffer) fails, even if its own assertions happened to pass.
import { afterEach } from 'vitest';
import { checkNoUncapturedErrors } from './testing.ts';

afterEach(async () => {
  await checkNoUncapturedErrors();
});
