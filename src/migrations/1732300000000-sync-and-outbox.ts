import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const epochMs = (name: string, isNullable = true) => ({ name, type: 'bigint', isNullable });

/** The dispatcher's persisted on/off switch, the boxes' connection log and the outcome outbox. */
export class SyncAndOutbox1732300000000 implements MigrationInterface {
  name = 'SyncAndOutbox1732300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'sync_state',
        columns: [
          { name: 'name', type: 'varchar', length: '32', isPrimary: true },
          { name: 'running', type: 'smallint' },
          { name: 'changed_by', type: 'varchar', length: '100' },
          epochMs('changed_at', false),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'callbox_events',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'callbox_id', type: 'varchar', length: '64' },
          { name: 'event', type: 'varchar', length: '16' },
          epochMs('at', false),
          { name: 'details', type: 'text', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'callbox_events',
      new TableIndex({ name: 'ix_callbox_events_box', columnNames: ['callbox_id', 'id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'outbox',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'transaction_id', type: 'varchar', length: '64' },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'payload', type: 'text' },
          // 'pending' until the receiver acknowledges with a 2xx, then 'delivered'.
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'last_error', type: 'varchar', length: '500', isNullable: true },
          epochMs('next_attempt_at', false),
          epochMs('locked_until'),
          epochMs('created_at', false),
          epochMs('delivered_at'),
        ],
      }),
    );
    await queryRunner.createIndex(
      'outbox',
      new TableIndex({ name: 'ix_outbox_due', columnNames: ['state', 'next_attempt_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outbox');
    await queryRunner.dropTable('callbox_events');
    await queryRunner.dropTable('sync_state');
  }
}
