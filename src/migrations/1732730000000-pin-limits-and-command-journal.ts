import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const epochMs = (name: string, isNullable = true) => ({ name, type: 'bigint', isNullable });

/**
 * The PIN guard counts per (number, client address) and per number, and reserves each attempt
 * before the command is sent (pin_limits replaces pin_guard). The command journal is keyed by
 * (mobile number, transaction_id) and keeps a keyed hash of the PIN, so a replay gets the recorded
 * answer only with the original's PIN (topup_command_journal replaces topup_commands).
 */
export class PinLimitsAndCommandJournal1732730000000 implements MigrationInterface {
  name = 'PinLimitsAndCommandJournal1732730000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'pin_limits',
        columns: [
          // `number:<msisdn>` or `address:<msisdn>@<client address>`
          { name: 'scope_key', type: 'varchar', length: '128', isPrimary: true },
          { name: 'msisdn', type: 'varchar', length: '16' },
          { name: 'client_address', type: 'varchar', length: '64', isNullable: true },
          // Wrong (or unanswered) PINs of the window, plus attempts reserved and not yet answered.
          { name: 'failures', type: 'integer' },
          epochMs('window_started_at', false),
          epochMs('locked_until'),
          // Locks of the last 24 hours, for the escalation to a long lock.
          { name: 'locks', type: 'integer' },
          epochMs('locks_since'),
          epochMs('updated_at', false),
        ],
      }),
    );
    await queryRunner.createIndex('pin_limits', new TableIndex({ name: 'ix_pin_limits_msisdn', columnNames: ['msisdn'] }));
    // A lock in force survives the upgrade, as a lock of the whole number.
    await queryRunner.query(
      `INSERT INTO pin_limits (scope_key, msisdn, client_address, failures, window_started_at, locked_until, locks, locks_since, updated_at)
       SELECT 'number:' || msisdn, msisdn, NULL, 0, locked_until, locked_until, 1, updated_at, updated_at FROM pin_guard WHERE locked_until IS NOT NULL`,
    );
    await queryRunner.dropTable('pin_guard');

    await queryRunner.createTable(
      new Table({
        name: 'topup_command_journal',
        columns: [
          { name: 'msisdn', type: 'varchar', length: '16', isPrimary: true },
          { name: 'transaction_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'operation', type: 'varchar', length: '32' },
          // SHA-256 of the request without its PIN.
          { name: 'request_hash', type: 'varchar', length: '64' },
          // HMAC-SHA256 of the number and PIN under PIN_HASH_KEY: the PIN itself is never stored.
          { name: 'pin_digest', type: 'varchar', length: '64', isNullable: true },
          // running -> done (answer recorded) | unknown (may have run at the operator, no answer read)
          { name: 'state', type: 'varchar', length: '16' },
          // done: executed | refused | wrong_pin
          { name: 'outcome', type: 'varchar', length: '16', isNullable: true },
          { name: 'http_status', type: 'integer', isNullable: true },
          { name: 'response', type: 'text', isNullable: true },
          epochMs('created_at', false),
          epochMs('updated_at', false),
        ],
      }),
    );
    // Earlier entries keep their ids spent; with no PIN digest to check a replay against, their
    // recorded answers are never handed out again (a replay is a 409).
    await queryRunner.query(
      `INSERT INTO topup_command_journal (msisdn, transaction_id, operation, request_hash, pin_digest, state, outcome, http_status, response, created_at, updated_at)
       SELECT msisdn, transaction_id, operation, request_hash, NULL, state, NULL, http_status, response, created_at, updated_at FROM topup_commands`,
    );
    await queryRunner.dropTable('topup_commands');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'topup_commands',
        columns: [
          { name: 'transaction_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'operation', type: 'varchar', length: '32' },
          { name: 'msisdn', type: 'varchar', length: '16' },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'http_status', type: 'integer', isNullable: true },
          { name: 'response', type: 'text', isNullable: true },
          epochMs('created_at', false),
          epochMs('updated_at', false),
        ],
      }),
    );
    await queryRunner.dropTable('topup_command_journal');
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
    await queryRunner.dropTable('pin_limits');
  }
}
