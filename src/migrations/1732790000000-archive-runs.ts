import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The archive's manifest: one row per run of `npm run archive`, so a run killed at any point is
 * finished by the next one, whatever file that one is asked to write (nothing archived twice), and
 * rows are deleted only once their file has been written and verified. `open_slot` is 'open' while
 * a run is unfinished and NULL after: its unique index lets only one run be unfinished at a time.
 */
export class ArchiveRuns1732790000000 implements MigrationInterface {
  name = 'ArchiveRuns1732790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE archive_runs (
        id varchar(64) PRIMARY KEY,
        file text NOT NULL,
        before_ms bigint NOT NULL,
        state varchar(16) NOT NULL,
        open_slot varchar(8) NULL,
        owner varchar(200) NOT NULL,
        transactions bigint NOT NULL DEFAULT 0,
        events bigint NOT NULL DEFAULT 0,
        sha256 varchar(64) NULL,
        deleted bigint NOT NULL DEFAULT 0,
        started_at bigint NOT NULL,
        heartbeat_at bigint NOT NULL,
        finished_at bigint NULL)`,
    );
    await queryRunner.query('CREATE UNIQUE INDEX ux_archive_runs_open ON archive_runs (open_slot)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE archive_runs');
  }
}
