import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The admin console's lists (GET /api/admin/transactions, the review queue, the overview's chart)
 * read pages in created_at order under one filter: each filter gets an index in that order, so a
 * page reads its rows and stops, whatever the table's size. The finished index holds the last
 * hour's completions and failures as a range.
 */
const INDEXES: Array<[string, string[]]> = [
  ['ix_transactions_created', ['created_at', 'id']],
  ['ix_transactions_status_created', ['status', 'created_at', 'id']],
  ['ix_transactions_phone', ['phone_number', 'created_at', 'id']],
  ['ix_transactions_box_created', ['assigned_to', 'created_at', 'id']],
  ['ix_transactions_finished', ['completed_at', 'status']],
];

export class AdminSearchIndexes1732780000000 implements MigrationInterface {
  name = 'AdminSearchIndexes1732780000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [name, columnNames] of INDEXES) await queryRunner.createIndex('transactions', new TableIndex({ name, columnNames }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [name] of INDEXES) await queryRunner.dropIndex('transactions', name);
  }
}
