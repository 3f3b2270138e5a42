import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The queue's indexes cover its whole order (priority, age, then id as the tie-break), so taking
 * the head of the queue, or of one box's assigned work, reads only the rows it returns instead of
 * sorting every row of a status.
 */
export class QueueOrderIndexes1732600000000 implements MigrationInterface {
  name = 'QueueOrderIndexes1732600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.replace(queryRunner, 'ix_transactions_queue', ['status', 'priority_rank', 'created_at', 'id']);
    await this.replace(queryRunner, 'ix_transactions_box', ['assigned_to', 'status', 'priority_rank', 'created_at', 'id']);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.replace(queryRunner, 'ix_transactions_queue', ['status', 'priority_rank', 'created_at']);
    await this.replace(queryRunner, 'ix_transactions_box', ['assigned_to', 'status']);
  }

  private async replace(queryRunner: QueryRunner, name: string, columnNames: string[]): Promise<void> {
    await queryRunner.dropIndex('transactions', name);
    await queryRunner.createIndex('transactions', new TableIndex({ name, columnNames }));
  }
}
