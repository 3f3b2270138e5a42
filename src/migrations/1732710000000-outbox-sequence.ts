import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Each outbox message carries its place among its transaction's messages (1, 2, ...): the sender
 * delivers a transaction's messages in that order, and receivers can check it. Messages written
 * before are numbered in the order they were written.
 */
export class OutboxSequence1732710000000 implements MigrationInterface {
  name = 'OutboxSequence1732710000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('outbox', new TableColumn({ name: 'sequence', type: 'integer', default: 0 }));
    await queryRunner.query(
      `UPDATE outbox SET sequence = (SELECT COUNT(*) FROM outbox earlier
         WHERE earlier.transaction_id = outbox.transaction_id AND earlier.id <= outbox.id)`,
    );
    // Also the index of "is an earlier message of this transaction still undelivered?".
    await queryRunner.createIndex(
      'outbox',
      new TableIndex({ name: 'ux_outbox_transaction_sequence', columnNames: ['transaction_id', 'sequence'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('outbox', 'ux_outbox_transaction_sequence');
    await queryRunner.dropColumn('outbox', 'sequence');
  }
}
