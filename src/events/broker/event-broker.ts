import { EventEnvelope } from '../event-catalog';

/**
 * Where the outbox publishes events when a broker is configured. `publish`
 * resolves only when the broker confirmed every message of the batch (so the
 * dispatcher marks them published only then) and rejects otherwise; a
 * rejected batch is published again later, whole.
 */
export abstract class EventBroker {
  abstract readonly enabled: boolean;
  /** Whether a connection is up now (a dispatcher does not claim events for a broker it cannot reach). */
  abstract isConnected(): boolean;
  abstract publish(events: readonly EventEnvelope[]): Promise<void>;
}

/** No AMQP_URL: nothing is published to a broker. */
export class NoBroker extends EventBroker {
  readonly enabled = false;
  isConnected(): boolean {
    return false;
  }
  async publish(): Promise<void> {
    throw new Error('no broker is configured');
  }
}
