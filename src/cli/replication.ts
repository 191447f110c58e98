import { REPLICA_ACK_TIMEOUT_MS, type ReplicaAcks } from '../redis/replicas.js';
import { CliError, EXIT_NOT_REPLICATED } from '../front-door/errors.js';
import { count } from '../front-door/format.js';

/**
 * Ends an add or cancel (its result already printed) with exit 5 when fewer replicas
 * confirmed the write than --redis-wait-replicas asks: the change is live on the
 * primary, but a failover before the replicas catch up would lose it.
 */
export function requireReplicas(writes: { list: string; replicas?: ReplicaAcks }[]): void {
  const short = writes.filter((write) => write.replicas !== undefined && write.replicas.confirmed < write.replicas.wanted);
  const first = short[0]?.replicas;
  if (first === undefined) return;
  throw new CliError(
    `${short.map((write) => write.list).join(', ')}: written on the Redis primary, but ${first.confirmed} of ${count(first.wanted, 'replica', 'replicas')} confirmed it within ${REPLICA_ACK_TIMEOUT_MS} ms; a failover before the replicas catch up would lose it (running the same command again is safe)`,
    EXIT_NOT_REPLICATED,
  );
}
