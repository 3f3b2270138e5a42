import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Times are epoch milliseconds in BIGINT columns: same semantics, same SQL, on SQLite and PostgreSQL. */
const epochMs = (name: string, isNullable = true) => ({ name, type: 'bigint', isNullable });

export class InitialSchema1732200000000 implements MigrationInterface {
  name = 'InitialSchema1732200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'transactions',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'type', type: 'varchar', length: '16' },
          { name: 'phone_number', type: 'varchar', length: '16' },
          { name: 'amount', type: 'bigint', isNullable: true },
          { name: 'pay_item_id', type: 'varchar', length: '64' },
          { name: 'customer_name', type: 'varchar', length: '200', isNullable: true },
          { name: 'customer_operator', type: 'varchar', length: '64', isNullable: true },
          { name: 'priority', type: 'varchar', length: '8' },
          { name: 'priority_rank', type: 'smallint' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'assigned_to', type: 'varchar', length: '64', isNullable: true },
          { name: 'retry_count', type: 'integer', default: 0 },
          { name: 'max_retries', type: 'integer' },
          { name: 'result', type: 'text', isNullable: true },
          { name: 'source', type: 'varchar', length: '16' },
          { name: 'idempotency_key', type: 'varchar', length: '200', isNullable: true, isUnique: true },
          { name: 'request_hash', type: 'varchar', length: '64', isNullable: true },
          epochMs('created_at', false),
          epochMs('updated_at', false),
          epochMs('assigned_at'),
          epochMs('started_at'),
          epochMs('completed_at'),
          epochMs('next_attempt_at'),
          epochMs('lease_expires_at'),
        ],
      }),
    );
    await queryRunner.createIndices('transactions', [
      // The claim: oldest pending of the highest priority first.
      new TableIndex({ name: 'ix_transactions_queue', columnNames: ['status', 'priority_rank', 'created_at'] }),
      new TableIndex({ name: 'ix_transactions_box', columnNames: ['assigned_to', 'status'] }),
      new TableIndex({ name: 'ix_transactions_due', columnNames: ['status', 'next_attempt_at'] }),
      new TableIndex({ name: 'ix_transactions_lease', columnNames: ['status', 'lease_expires_at'] }),
    ]);

    await queryRunner.createTable(
      new Table({
        name: 'transaction_events',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'transaction_id', type: 'varchar', length: '64' },
          { name: 'from_status', type: 'varchar', length: '16', isNullable: true },
          { name: 'to_status', type: 'varchar', length: '16' },
          { name: 'actor', type: 'varchar', length: '100' },
          epochMs('at', false),
          { name: 'details', type: 'text', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'transaction_events',
      new TableIndex({ name: 'ix_transaction_events_tx', columnNames: ['transaction_id', 'id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'callboxes',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'reported_status', type: 'varchar', length: '32' },
          { name: 'connection', type: 'varchar', length: '16' },
          { name: 'max_concurrent', type: 'integer' },
          { name: 'supported_types', type: 'varchar', length: '100' },
          { name: 'operators', type: 'text', isNullable: true },
          { name: 'version', type: 'varchar', length: '32', isNullable: true },
          { name: 'location', type: 'varchar', length: '200', isNullable: true },
          { name: 'queue_size', type: 'integer', default: 0 },
          { name: 'metrics', type: 'text', isNullable: true },
          { name: 'processed_transactions', type: 'integer', default: 0 },
          epochMs('last_heartbeat_at', false),
          epochMs('registered_at', false),
          epochMs('updated_at', false),
        ],
      }),
    );
    await queryRunner.createIndex(
      'callboxes',
      new TableIndex({ name: 'ix_callboxes_liveness', columnNames: ['connection', 'last_heartbeat_at'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'callbox_config',
        columns: [
          // 'global', or the id of the box the override belongs to.
          { name: 'scope', type: 'varchar', length: '64', isPrimary: true },
          { name: 'max_retries', type: 'integer', isNullable: true },
          { name: 'timeout_ms', type: 'integer', isNullable: true },
          { name: 'batch_size', type: 'integer', isNullable: true },
          { name: 'poll_interval_ms', type: 'integer', isNullable: true },
          epochMs('updated_at', false),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('callbox_config');
    await queryRunner.dropTable('callboxes');
    await queryRunner.dropTable('transaction_events');
    await queryRunner.dropTable('transactions');
  }
}
