import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const epochMs = (name: string, isNullable = true) => ({ name, type: 'bigint', isNullable });

/** The TopUp command journal (at most one execution per transaction_id) and the PIN-guessing guard. */
export class TopUpCommands1732400000000 implements MigrationInterface {
  name = 'TopUpCommands1732400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'topup_commands',
        columns: [
          { name: 'transaction_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'operation', type: 'varchar', length: '32' },
          { name: 'msisdn', type: 'varchar', length: '16' },
          // SHA-256 of the request without its PIN: a PIN is never stored, not even hashed.
          { name: 'request_hash', type: 'varchar', length: '64' },
          // running -> done (answer recorded) | unknown (sent, no answer: may have run at the operator)
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'http_status', type: 'integer', isNullable: true },
          { name: 'response', type: 'text', isNullable: true },
          epochMs('created_at', false),
          epochMs('updated_at', false),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'pin_guard',
        columns: [
          { name: 'msisdn', type: 'varchar', length: '16', isPrimary: true },
          { name: 'failures', type: 'integer' },
          epochMs('window_started_at', false),
          epochMs('locked_until'),
          epochMs('updated_at', false),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('pin_guard');
    await queryRunner.dropTable('topup_commands');
  }
}
