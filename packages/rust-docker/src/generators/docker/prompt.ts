import { createInterface } from 'node:readline/promises';

/**
 * Questions the docker generator asks when the crate's sources leave something open. Nx's
 * own prompts (x-prompt) come before a generator runs and cannot know what the sources
 * say, so these are asked from inside, and only with a person at a terminal: never in CI,
 * never with --no-interactive, never when output is piped.
 */
export interface Prompter {
  interactive: boolean;
  /** A port; `choices` (if any) are offered, any valid port is accepted. */
  port(question: string, choices: number[]): Promise<number>;
  confirm(question: string): Promise<boolean>;
}

export function isInteractive(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NX_INTERACTIVE === 'true' && env.CI !== 'true' && !!process.stdin.isTTY && !!process.stdout.isTTY;
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(`? ${question} `)).trim();
  } finally {
    rl.close();
  }
}

export function parsePortAnswer(answer: string, choices: number[]): number | undefined {
  const value = answer === '' && choices.length === 1 ? choices[0] : Number(answer);
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? value : undefined;
}

export const terminalPrompter = (): Prompter => ({
  interactive: isInteractive(),
  async port(question, choices) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await ask(`${question}${choices.length ? ` (${choices.join(' or ')})` : ''}`);
      const port = parsePortAnswer(answer, choices);
      if (port !== undefined) return port;
      process.stdout.write('  a port is a whole number from 1 to 65535\n');
    }
    throw new Error('no port given: pass --port <port>.');
  },
  async confirm(question) {
    return !/^n/i.test(await ask(`${question} (Y/n)`));
  },
});

/** For tests and for non-interactive runs: nobody to ask. */
export const noPrompter: Prompter = {
  interactive: false,
  port: () => Promise.reject(new Error('not interactive')),
  confirm: () => Promise.reject(new Error('not interactive')),
};
