// Starts the librdkafka mock broker (ops/kafka-mock/build/mock-broker, built by build.sh from Debian's
// librdkafka-dev) on loopback for tests, building it first when the library is present. Returns the
// bootstrap address, or the reason it cannot run so a test can skip with that reason printed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const binary = `${here}build/mock-broker`;

export interface MockBroker {
  bootstrap: string;
  /** Create a topic (the mock has no controller for CreateTopics). */
  createTopic(name: string, partitions: number): Promise<void>;
  /** Take broker `id` (-1: all) down: connections drop and new ones are refused; its data stays. */
  setDown(id: number): Promise<void>;
  /** Bring broker `id` (-1: all) back up with the log and offsets it had. */
  setUp(id: number): Promise<void>;
  stop(): Promise<void>;
}

/** Build the broker if missing or older than its source; returns undefined when ready, or why it cannot be built. */
export function ensureMockBroker(): string | undefined {
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(`${here}mock-broker.c`).mtimeMs) return undefined;
  if (!existsSync('/usr/include/librdkafka/rdkafka_mock.h')) return 'librdkafka-dev is not installed (apt-get install librdkafka-dev); .ci/run installs it';
  const built = spawnSync('bash', [`${here}build.sh`], { encoding: 'utf8' });
  return built.status === 0 ? undefined : `building the mock broker failed: ${built.stderr}`;
}

/**
 * The gate every mock-broker suite opens with: undefined when the broker is ready, else the reason, after
 * warning that `suite` is skipped. Where PROGNOS_REQUIRE_KAFKA_MOCK=1 (CI), a missing broker is an error
 * instead, so these suites can never pass by skipping there.
 */
export function mockBrokerUnavailable(suite: string): string | undefined {
  const problem = ensureMockBroker();
  if (problem === undefined) return undefined;
  if (process.env['PROGNOS_REQUIRE_KAFKA_MOCK'] === '1') throw new Error(`the Kafka mock broker is required here but unavailable: ${problem}`);
  console.warn(`SKIPPING ${suite}: ${problem}`);
  return problem;
}

/** Start a mock cluster; it exits when this process closes its stdin or stops it. */
export async function startMockBroker(brokers = 1): Promise<MockBroker> {
  const problem = ensureMockBroker();
  if (problem) throw new Error(problem);
  const child: ChildProcess = spawn(binary, [String(brokers)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const nextLine = (what: string) =>
    new Promise<string>((resolve, reject) => {
      const queued = lines.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(() => reject(new Error(`mock broker did not answer ${what} within 10 s`)), 10_000);
      waiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  const exited = new Promise<never>((_resolve, reject) => child.once('exit', (code) => reject(new Error(`mock broker exited with ${code}`))));
  exited.catch(() => undefined);
  const bootstrap = await Promise.race([nextLine('its address'), exited]);
  const command = async (line: string, expected: string) => {
    child.stdin!.write(`${line}\n`);
    const answer = await nextLine(line);
    if (answer !== expected) throw new Error(`mock broker refused "${line}": ${answer}`);
  };
  return {
    bootstrap,
    createTopic: (name, partitions) => command(`topic ${name} ${partitions}`, `ok ${name}`),
    setDown: (id) => command(`down ${id}`, `ok down ${id}`),
    setUp: (id) => command(`up ${id}`, `ok up ${id}`),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}
