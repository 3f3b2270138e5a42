import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Device channel integrity: each assignment of a transaction is numbered (`attempt`), so a report
 * can be tied to the assignment it is about; and the last box that gave the work back
 * (`released_by`) is not offered it again before `released_until`.
 */
export class DeviceAttempts1732720000000 implements MigrationInterface {
  name = 'DeviceAttempts1732720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Plain ALTER TABLE on both engines: TypeORM's addColumn rebuilds the whole table on SQLite.
    await queryRunner.query('ALTER TABLE transactions ADD COLUMN attempt integer NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE transactions ADD COLUMN released_by varchar(64) NULL');
    await queryRunner.query('ALTER TABLE transactions ADD COLUMN released_until bigint NULL');
    // Every assignment so far has its event: work already in flight keeps its true attempt number.
    await queryRunner.query(
      `UPDATE transactions SET attempt = (
         SELECT COUNT(*) FROM transaction_events e WHERE e.transaction_id = transactions.id AND e.to_status = 'assigned')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['released_until', 'released_by', 'attempt']) {
      await queryRunner.query(`ALTER TABLE transactions DROP COLUMN ${column}`);
    }
  }
}
