import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/** Expiry of stale pending work (an index per type and age) and the boxes' recent outcomes. */
export class PendingExpiryAndBoxHealth1732500000000 implements MigrationInterface {
  name = 'PendingExpiryAndBoxHealth1732500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'transactions',
      new TableIndex({ name: 'ix_transactions_age', columnNames: ['status', 'type', 'created_at'] }),
    );
    await queryRunner.addColumns('callboxes', [
      new TableColumn({ name: 'consecutive_failures', type: 'integer', default: 0 }),
      // The last outcomes, oldest first: 'S' success, 'F' failure; at most 20.
      new TableColumn({ name: 'recent_outcomes', type: 'varchar', length: '20', default: "''" }),
      new TableColumn({ name: 'degraded_until', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'degraded_reason', type: 'varchar', length: '64', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['degraded_reason', 'degraded_until', 'recent_outcomes', 'consecutive_failures']) {
      await queryRunner.dropColumn('callboxes', column);
    }
    await queryRunner.dropIndex('transactions', 'ix_transactions_age');
  }
}
